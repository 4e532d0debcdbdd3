"""Texts and small helpers shared by the embedding tests."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from assistant.domain.normalize import fold
from assistant.errors import AssistantError

REPO = Path(__file__).resolve().parents[2]

TRAINING = "Đào tạo, bồi dưỡng nâng cao năng lực cho đội ngũ cán bộ, phóng viên, biên tập viên về kỹ năng số."
REVENUE = "Tổng doanh thu của các cơ quan báo chí tăng 10% mỗi năm nhờ quảng cáo trực tuyến."
SECURITY = "Bảo đảm an toàn, an ninh mạng cho hệ thống thông tin của các cơ quan báo chí."
PASSAGES = [REVENUE, TRAINING, SECURITY]

#: Texts not among the materializer's own verification samples.
CHECK_TEXTS = [
    ("query", "Kinh phí thực hiện kế hoạch chuyển đổi số báo chí lấy từ nguồn nào?"),
    ("query", "kinh phi thuc hien ke hoach chuyen doi so bao chi"),
    ("passage", TRAINING),
    ("passage", fold(SECURITY)),
    ("passage", "Sở Thông tin và Truyền thông chủ trì, phối hợp với Đài Phát thanh - Truyền hình tỉnh."),
    ("query", "Which agency leads the plan for the provincial press?"),
    ("passage", "Tỷ lệ 80% hồ sơ, tài liệu được số hóa; 50% nội dung phát trên nền tảng số (năm 2025)."),
]

#: Queries as users type them: with and without marks, decomposed, odd spacing, English, a bare year.
VI_QUERIES = [
    "Tỉnh có bao nhiêu cơ quan báo chí được hỗ trợ chuyển đổi số?",
    "tinh co bao nhieu co quan bao chi duoc ho tro chuyen doi so",
    unicodedata.normalize("NFD", "Mục tiêu bồi dưỡng kỹ năng số cho phóng viên"),
    "KINH PHÍ   thực hiện\tkế hoạch?",
    "What budget does the province plan for the press data centre?",
    "2025",
]


def stamps(folder: Path) -> dict[Path, int]:
    """Modification times of everything under ``folder``: equal before and after when nothing was rewritten."""
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*")}


def one_helpful_sentence(exc: AssistantError, setting: str = "ASSISTANT_EMBEDDING_MODEL") -> str:
    """The error's message, checked to be one sentence that names the setting to change."""
    message = str(exc)
    assert "\n" not in message and "Traceback" not in message
    assert message.endswith(".") and message.count(". ") == 0, message
    assert setting in message
    return message
