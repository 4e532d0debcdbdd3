"""The target indicators of Decision 348/QĐ-TTg (and the extra ones provincial plans add), with how to recognise them.

Each indicator has a canonical code, a Vietnamese and English label, folded keyword patterns that recognise
it in a plan's wording, and a description used later for embedding-based matching of questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.normalize import fold


@dataclass(frozen=True)
class Indicator:
    code: str
    label_vi: str
    label_en: str
    patterns: tuple[str, ...]  # regexes over folded text; any match recognises the indicator
    description: str
    national: bool = True  # one of the six indicators of Decision 348/QĐ-TTg


INDICATORS: list[Indicator] = [
    Indicator(
        "digital_platform_content",
        "Cơ quan báo chí đưa nội dung lên nền tảng số",
        "Press agencies publishing content on digital platforms",
        (r"dua noi dung len (cac )?nen tang so",),
        "tỷ lệ cơ quan báo chí đưa nội dung lên các nền tảng số, ưu tiên nền tảng trong nước",
    ),
    Indicator(
        "data_ai_platform",
        "Cơ quan báo chí dùng nền tảng phân tích, xử lý dữ liệu tập trung, ứng dụng trí tuệ nhân tạo",
        "Press agencies using a central data-analysis platform with artificial intelligence",
        (r"nen tang phan tich", r"tri tue nhan tao"),
        "tỷ lệ cơ quan báo chí sử dụng nền tảng phân tích, xử lý dữ liệu tổng hợp tập trung, ứng dụng AI",
    ),
    Indicator(
        "converged_newsroom",
        "Cơ quan báo chí vận hành mô hình tòa soạn hội tụ",
        "Press agencies operating a converged newsroom",
        (r"toa soan hoi tu",),
        "tỷ lệ cơ quan báo chí hoạt động, vận hành mô hình tòa soạn hội tụ, đa phương tiện",
    ),
    Indicator(
        "revenue_growth",
        "Cơ quan báo chí tăng doanh thu",
        "Press agencies growing their revenue",
        (r"tang doanh thu", r"doanh thu toi thieu"),
        "tỷ lệ cơ quan báo chí tối ưu hóa nguồn thu, tăng doanh thu tối thiểu",
    ),
    Indicator(
        "staff_training",
        "Lãnh đạo, phóng viên, biên tập viên được đào tạo về chuyển đổi số",
        "Press leaders, reporters and editors trained in digital transformation",
        (r"duoc dao tao, boi duong", r"dao tao, boi duong (kien thuc|idến)"),
        "tỷ lệ lãnh đạo, cán bộ, phóng viên, biên tập viên được đào tạo, bồi dưỡng kỹ năng chuyển đổi số",
    ),
    Indicator(
        "security_level3",
        "Cơ quan báo chí có giải pháp an toàn, an ninh thông tin cấp độ 3",
        "Press agencies with information-security solutions at level 3 or above",
        (r"cap do 3", r"an toan,? an ninh he thong thong tin"),
        "tỷ lệ cơ quan báo chí điện tử có giải pháp bảo đảm an toàn, an ninh hệ thống thông tin cấp độ 3",
    ),
    Indicator(
        "university_curriculum",
        "Cơ sở đào tạo báo chí cập nhật kỹ năng báo chí số vào chương trình",
        "Journalism schools updating curricula with digital-journalism skills",
        (r"co so giao duc dai hoc", r"chuong trinh dao tao cho sinh vien"),
        "tỷ lệ cơ sở giáo dục đại học chuyên ngành báo chí cập nhật kiến thức báo chí số cho sinh viên",
        national=False,
    ),
    Indicator(
        "remote_access",
        "Người dân vùng sâu, vùng xa tiếp cận báo chí",
        "People in remote areas with access to the press",
        (r"vung sau, vung xa",),
        "tỷ lệ người dân ở vùng sâu, vùng xa được tiếp cận ít nhất một loại hình báo chí",
        national=False,
    ),
    Indicator(
        "news_growth",
        "Tăng số lượng tin, bài mới hằng năm",
        "Yearly growth in new news items",
        (r"so luong tin, bai",),
        "mức tăng số lượng tin, bài mới phục vụ nhiệm vụ chính trị, thông tin thiết yếu hằng năm",
        national=False,
    ),
    Indicator(
        "financial_autonomy",
        "Cơ quan báo chí tự chủ tài chính",
        "Press agencies that are financially autonomous",
        (r"\btu chu\b",),
        "tỷ lệ cơ quan báo chí tự chủ; Nhà nước đặt hàng, giao nhiệm vụ",
        national=False,
    ),
    Indicator(
        "e_newspaper_upgrade",
        "Trang thông tin điện tử tổng hợp nâng cấp thành báo, tạp chí điện tử",
        "News websites upgraded to e-newspapers or e-magazines",
        (r"trang thong tin dien tu tong hop.*nang cap",),
        "tỷ lệ trang thông tin điện tử tổng hợp của cơ quan báo chí nâng cấp thành báo điện tử, tạp chí điện tử",
        national=False,
    ),
    Indicator(
        "relicensing",
        "Cơ quan báo chí được cấp phép lại",
        "Press outlet re-licensed",
        (r"duoc cap phep lai",),
        "tạp chí, cơ quan báo chí được cấp phép lại, hoạt động đúng tôn chỉ, tính chất",
        national=False,
    ),
]
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
_COMPILED = [(ind, [re.compile(p) for p in ind.patterns]) for ind in INDICATORS]


def find_indicators(text: str) -> list[tuple[Indicator, int]]:
    """Indicators mentioned in ``text``, with the (folded-text) offset of the first mention, in order."""
    folded = fold(text)
    found: list[tuple[Indicator, int]] = []
    for indicator, patterns in _COMPILED:
        positions = [m.start() for p in patterns for m in [p.search(folded)] if m]
        if positions:
            found.append((indicator, min(positions)))
    # 'tự chủ' also appears inside other wording; only a clause without another indicator counts it.
    if len(found) > 1:
        found = [f for f in found if f[0].code != "financial_autonomy"]
    return sorted(found, key=lambda f: f[1])
