"""Word plans (.docx, read with python-docx): paragraphs in order, real table cells as tab-separated rows."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from assistant.ingest import Extracted, IngestError, Reader, ReadOptions
from assistant.ingest.row_text import rows_to_text

CHARS_PER_PAGE = 3000


def _sniff(head: bytes) -> bool:
    # A .docx is a zip whose first entry is usually [Content_Types].xml; the name of word/ parts follows.
    return head.startswith(b"PK\x03\x04") and (b"word/" in head or b"[Content_Types].xml" in head)


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _table_rows(table) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if previous is not None and cell._tc is previous:  # a cell merged across columns repeats
                continue
            previous = cell._tc
            nested = [rows_to_text(_table_rows(t)) for t in cell.tables]
            cells.append(" ".join([p.text for p in cell.paragraphs] + nested))
        rows.append(cells)
    return rows


def _paragraph_text(paragraph) -> str:
    text = paragraph.text
    runs = [run for run in paragraph.runs if run.text.strip()]
    if runs and all(run.bold for run in runs) and text.strip():
        return f"**{text.strip()}**"  # a bold paragraph is a title of its own (the layout keeps it apart)
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if style.lower().startswith("list bullet") and not text.lstrip().startswith(("-", "•", "+")):
        text = "- " + text
    return text


def _read(path: Path, options: ReadOptions) -> Extracted:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    if not _is_docx(path):
        raise IngestError(f"{path.name}: tệp Word bị hỏng hoặc không phải .docx; hãy mở và lưu lại bằng Word.")
    try:
        document = docx.Document(io.BytesIO(path.read_bytes()))
    except Exception as error:  # python-docx raises many kinds for a damaged package
        raise IngestError(
            f"{path.name}: tệp Word bị hỏng ({type(error).__name__}); hãy mở và lưu lại bằng Word."
        ) from error
    parts: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            parts.append(_paragraph_text(item))
        elif isinstance(item, Table):
            parts.append(rows_to_text(_table_rows(item)))
    text = "\n\n".join(part for part in parts if part.strip())
    pages = max(1, len(text) // CHARS_PER_PAGE)
    if pages > options.max_pages:
        raise IngestError(
            f"{path.name}: tệp dài khoảng {pages} trang, quá giới hạn {options.max_pages} trang của một kế hoạch; "
            "hãy kiểm tra đây có đúng là một kế hoạch không."
        )
    return Extracted(text, "docx", pages=pages)


READER = Reader("docx", "tệp Word (.docx)", (".docx",), _sniff, _read)
