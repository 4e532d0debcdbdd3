"""Print-ready Word documents (python-docx): A4 page, a title, lines under it, tables, and a numbered sources list."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

from assistant.views.sources import Source

FONT = "Times New Roman"  # the font of Vietnamese administrative documents
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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
    """A bordered table, fixed column widths, its header row repeated on every printed page, cell text 10.5 pt.

    Written as one piece of WordprocessingML and parsed once: python-docx's cell-by-cell calls take ten times as
    long for the same table."""
    style_id = _table_text_style(document).style_id
    grid_id = document.styles["Table Grid"].style_id
    twips = [int(w * 567) for w in widths_cm]  # 1 cm = 567 twentieths of a point
    parts = [
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{grid_id}"/><w:tblW w:w="{sum(twips)}" w:type="dxa"/>'
        '<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{w}"/>' for w in twips),
        "</w:tblGrid>",
    ]
    for n, values in enumerate([header, *rows]):
        parts.append("<w:tr><w:trPr><w:tblHeader/></w:trPr>" if n == 0 else "<w:tr>")
        for text, width in zip(values, twips, strict=True):
            parts.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>{_runs(str(text), bold=n == 0)}</w:p></w:tc>'
            )
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    body = document.element.body
    body.insert(len(body) - 1, parse_xml("".join(parts)))  # before the final section properties


def _runs(text: str, bold: bool = False, italic: bool = False) -> str:
    """Runs of ``text`` (XML-escaped, control characters dropped, line breaks kept as <w:br/>)."""
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    head = f"<w:r><w:rPr>{props}</w:rPr>" if props else "<w:r>"
    lines = _CONTROL_RE.sub("", text).split("\n")
    inner = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
    return f"{head}{inner}</w:r>"


def add_sources(document: Document, sources: Sequence[Source], title: str = "Nguồn trích dẫn") -> None:
    """The numbered sources: "[n] Province — section [start:end]" then the quote, word for word, indented in italics
    (written as WordprocessingML and parsed once, like :func:`add_table`)."""
    add_heading(document, title)
    style_id = _table_text_style(document).style_id
    parts = []
    for n, source in enumerate(sources, start=1):
        parts.append(
            f'<w:p {nsdecls("w")}><w:pPr><w:spacing w:after="40"/></w:pPr>{_runs(f"[{n}] ", bold=True)}'
            f"{_runs(source.label())}</w:p>"
        )
        quote = "“" + " ".join(source.quote.split()) + "”"
        parts.append(
            f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="{style_id}"/><w:spacing w:after="120"/>'
            f'<w:ind w:left="454"/></w:pPr>{_runs(quote, italic=True)}</w:p>'
        )
    body = document.element.body
    for xml in parts:
        body.insert(len(body) - 1, parse_xml(xml))


def _table_text_style(document: Document):
    """The paragraph style of table cells: Normal at 10.5 pt, no space after (made once per document)."""
    name = "Bảng - chữ"
    if name in [s.name for s in document.styles]:
        return document.styles[name]
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    style.paragraph_format.space_after = Pt(0)
    return style


def to_bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
