"""A duty sheet as .docx (opened back with python-docx), Markdown and CSV."""

from __future__ import annotations

import csv
import io

from docx import Document

from assistant.views.duty_formats import sheet_csv, sheet_docx, sheet_markdown
from assistant.views.duty_sheet import DutyIndex
from tests.views.facts import PLANS, facts


def _sheet(unit: str, province: str | None = None):
    return DutyIndex(facts(), PLANS).sheet(unit, province)


def test_the_docx_is_print_ready() -> None:
    sheet = _sheet("Sở TTTT")
    document = Document(io.BytesIO(sheet_docx(sheet)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "NHIỆM VỤ CỦA SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
    assert "Kế hoạch số 12/KH-UBND ngày 05/03/2024 của Ủy ban nhân dân tỉnh Nghệ An" in texts
    assert len(document.tables) == 1
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Loại", "Nội dung", "Thời hạn", "Đơn vị được giao", "Nguồn"]
    assert len(table.rows) == 1 + len(sheet.items)
    assert table.rows[1].cells[2].text == "Quý III/2024" and table.rows[1].cells[4].text == "[1]"
    assert "Nguồn trích dẫn" in texts
    for item in sheet.items:  # every line's quote, word for word, in the sources list
        assert "“" + " ".join(item.source.quote.split()) + "”" in texts
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7


def test_a_plan_without_number_or_date_says_so() -> None:
    document = Document(io.BytesIO(sheet_docx(_sheet("Sở Tài chính", "Phú Yên"))))
    expected = "Kế hoạch của Ủy ban nhân dân tỉnh Phú Yên (văn bản để trống số và ngày ban hành)"
    assert expected in [p.text for p in document.paragraphs]


def test_an_empty_sheet_is_a_document_that_says_so() -> None:
    document = Document(io.BytesIO(sheet_docx(_sheet("Công an tỉnh"))))
    assert any("không giao nhiệm vụ" in p.text for p in document.paragraphs) and not document.tables


def test_markdown_and_csv_carry_the_sources() -> None:
    sheet = _sheet("Báo Nghệ An")
    text = sheet_markdown(sheet)
    assert text.startswith("# Nhiệm vụ của Báo Nghệ An") and "## Nguồn trích dẫn" in text
    assert "Các cơ quan báo chí của tỉnh (qua nhóm)" in text
    rows = list(csv.DictReader(io.StringIO(sheet_csv(sheet))))
    assert len(rows) == len(sheet.items) and all(r["quote"] and r["start"] for r in rows)
    assert rows[0]["role"] == "lead" and rows[1]["via_group"] == "true"
