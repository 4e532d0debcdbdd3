"""The chat conversation as Markdown and as .docx (opened back with python-docx)."""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document

from assistant.ingest.corpus import PlanMeta
from assistant.serving.conversation_export import conversation_docx, conversation_markdown

PLANS = [
    PlanMeta(id="hue", province="Thừa Thiên Huế", file="hue.txt", plan_number="270/KH-UBND", issue_date="2023-08-01")
]
TURNS = [
    {
        "question": "Hạn báo cáo của Huế?",
        "answer": "Trước ngày 01/11 hằng năm [1].\n- Gửi Sở Thông tin và Truyền thông.",
        "citations": [
            {
                "n": 1,
                "plan_id": "hue",
                "province": "Thừa Thiên Huế",
                "section": "IV. TỔ CHỨC THỰC HIỆN",
                "quote": "báo cáo kết quả\nthực hiện trước ngày 01/11 hằng năm",
                "start": 1,
                "end": 40,
            }
        ],
    },
    {"question": "<script>alert(1)</script>", "answer": "Không tìm thấy.", "citations": []},
]
WHEN = datetime(2026, 12, 1, 9, 30)


def test_markdown_has_questions_answers_and_sources() -> None:
    text = conversation_markdown(TURNS, PLANS, WHEN)
    assert "Xuất lúc 09:30 ngày 01/12/2026." in text and "## Câu hỏi 2" in text
    assert "[1] Kế hoạch số 270/KH-UBND ngày 01/08/2023 của Ủy ban nhân dân tỉnh Thừa Thiên Huế — IV. TỔ CHỨC" in text
    assert "> báo cáo kết quả thực hiện trước ngày 01/11 hằng năm" in text


def test_docx_has_questions_answers_and_sources() -> None:
    document = Document(io.BytesIO(conversation_docx(TURNS, PLANS, WHEN)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "HỘI THOẠI VỚI TRỢ LÝ KẾ HOẠCH CHUYỂN ĐỔI SỐ BÁO CHÍ"
    assert "Câu hỏi 1: Hạn báo cáo của Huế?" in texts and "• Gửi Sở Thông tin và Truyền thông." in texts
    assert "“báo cáo kết quả thực hiện trước ngày 01/11 hằng năm”" in texts
    assert "Câu hỏi 2: <script>alert(1)</script>" in texts  # text, not markup


def test_an_empty_conversation_says_so() -> None:
    assert "Chưa có câu hỏi nào" in conversation_markdown([], PLANS, WHEN)
    assert any("Chưa có câu hỏi nào" in p.text for p in Document(io.BytesIO(conversation_docx([], []))).paragraphs)
