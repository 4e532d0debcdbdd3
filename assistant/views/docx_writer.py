"""Print-ready Word documents (python-docx): A4 page, a title, lines under it, tables, and a numbered sources list."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from assistant.views.sources import Source

FONT = "Times New Roman"  # the font of Vietnamese administrative documents


def new_document(title: str, lines: Sequence[str] = (), landscape: bool = False) -> Document:
    """A4 pages, 2 cm margins, Times New Roman 12 pt; the title centred in bold, ``lines`` under it."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title.upper())
    run.bold = True
    run.font.size = Pt(14)
    for line in lines:
        paragraph = document.add_paragraph(line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.runs[0].italic = True
    return document


def add_heading(document: Document, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(10)
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(13)


def add_table(
    document: Document, header: Sequence[str], rows: Sequence[Sequence[str]], widths_cm: Sequence[float]
) -> None:
    """A bordered table whose header row repeats on every printed page."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    for cell, text, width in zip(table.rows[0].cells, header, widths_cm, strict=True):
        cell.width = Cm(width)
        cell.paragraphs[0].add_run(text).bold = True
    _repeat_header(table.rows[0])
    for row in rows:
        cells = table.add_row().cells
        for cell, text, width in zip(cells, row, widths_cm, strict=True):
            cell.width = Cm(width)
            cell.paragraphs[0].add_run(str(text))
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(10.5)


def add_sources(document: Document, sources: Sequence[Source], title: str = "Nguồn trích dẫn") -> None:
    """The numbered sources: "[n] Province — section [start:end]" then the quote, word for word."""
    add_heading(document, title)
    for n, source in enumerate(sources, start=1):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        paragraph.add_run(f"[{n}] ").bold = True
        paragraph.add_run(source.label())
        quote = document.add_paragraph()
        quote.paragraph_format.left_indent = Cm(0.8)
        quote.paragraph_format.space_after = Pt(6)
        run = quote.add_run("“" + " ".join(source.quote.split()) + "”")
        run.italic = True
        run.font.size = Pt(10.5)


def to_bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)
