"""PDF plans (PyMuPDF): the text layer with ruled tables as cells; pages without a text layer go to OCR."""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.ingest import Extracted, IngestError, Reader, ReadOptions
from assistant.ingest.row_text import rows_to_text

log = logging.getLogger(__name__)

MIN_TEXT_LETTERS = 40  # a page with fewer letters in its text layer is an image of a page (a scan)


def _sniff(head: bytes) -> bool:
    return b"%PDF-" in head[:1024]


def _open(path: Path, options: ReadOptions):
    import pymupdf

    try:
        document = pymupdf.open(path, filetype="pdf")
    except Exception as error:  # PyMuPDF raises its own FileDataError, RuntimeError… for damaged files
        raise IngestError(f"{path.name}: tệp PDF bị hỏng, không mở được ({error}); hãy xuất lại tệp PDF.") from error
    if document.needs_pass or document.is_encrypted:
        raise IngestError(f"{path.name}: tệp PDF được đặt mật khẩu; hãy gỡ mật khẩu rồi thêm lại.")
    if document.page_count == 0:
        raise IngestError(f"{path.name}: tệp PDF không có trang nào.")
    if document.page_count > options.max_pages:
        raise IngestError(
            f"{path.name}: tệp có {document.page_count} trang, quá giới hạn {options.max_pages} trang "
            "của một kế hoạch; "
            "hãy kiểm tra đây có đúng là một kế hoạch không."
        )
    return document


def _cell_text(page, bbox) -> str:
    """A cell's text from the page's text layer, clipped to the cell (keeps words and marks in order)."""
    import pymupdf

    if bbox is None:
        return ""
    return page.get_text("text", clip=pymupdf.Rect(bbox)).strip()


def _table_rows(page, table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        rows.append([_cell_text(page, cell) for cell in row.cells])
    return rows


def _continued_row(page, table, blocks: list[tuple], used: set[int]) -> tuple[float, list[str]] | None:
    """The part of a row carried over from the previous page, above a table whose top rule it lacks.

    The words above the page's first table, when they open the page and all fall inside the table's left and
    right edges and into at least two of its columns, are that row's cells.
    """
    x0, y0, x1, _y1 = table.bbox
    first = next((r for r in table.rows if any(c is not None for c in r.cells)), None)
    if first is None:
        return None
    edges = [c for c in first.cells if c is not None]
    words = [w for w in page.get_text("words", sort=True) if w[3] <= y0 + 2]
    if not words or any(w[0] < x0 - 2 or w[2] > x1 + 2 for w in words):
        return None
    top = min(w[1] for w in words)
    if top > 0.12 * page.rect.height:
        return None
    cells: list[list[tuple]] = [[] for _ in edges]
    for word in words:
        cx = (word[0] + word[2]) / 2
        for k, (ex0, _ey0, ex1, _ey1) in enumerate(edges):
            if ex0 - 1 <= cx <= ex1 + 1:
                cells[k].append(word)
                break
    if sum(1 for c in cells if c) < 2:
        return None
    for n, block in enumerate(blocks):
        if block[3] <= y0 + 2:
            used.add(n)
    texts = []
    for cell in cells:
        cell.sort(key=lambda w: (round(w[1]), w[0]))
        texts.append(" ".join(w[4] for w in cell))
    return top, texts


def _text_page(page) -> str:
    """A page's text layer: blocks in reading order, each ruled table as tab-separated rows at its place."""
    try:
        found = page.find_tables(strategy="lines_strict").tables
        tables = [t for t in found if t.col_count >= 2 and t.row_count >= 1]
    except Exception as error:  # table detection is a bonus: on failure the table text stays as lines
        log.debug("find_tables failed on page %s: %s", page.number + 1, error)
        tables = []
    items: list[tuple[float, str]] = []
    boxes = [t.bbox for t in tables]
    blocks = page.get_text("blocks", sort=True)
    used: set[int] = set()
    for index, table in enumerate(sorted(tables, key=lambda t: t.bbox[1])):
        rows = _table_rows(page, table)
        carried = _continued_row(page, table, blocks, used) if index == 0 else None
        top = table.bbox[1]
        if carried is not None:
            top, cells = carried
            rows.insert(0, cells)
        items.append((top, rows_to_text(rows)))
    for n, (x0, y0, x1, y1, text, _no, kind) in enumerate(blocks):
        if kind != 0 or n in used:
            continue
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes):
            continue
        items.append((y0, text.rstrip("\n")))
    items.sort(key=lambda item: item[0])
    return "\n\n".join(text for _, text in items if text.strip())


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _read(path: Path, options: ReadOptions) -> Extracted:
    from PIL import Image

    from assistant.ingest.ocr import check_tesseract, ocr_pages

    document = _open(path, options)
    pages: list[str] = []
    to_read: dict[int, object] = {}  # page index → image for OCR
    warnings: list[str] = []
    for page in document:
        number = page.number + 1
        text = page.get_text()
        scanned = _letters(text) < MIN_TEXT_LETTERS and bool(page.get_images())
        if options.ocr == "force" or (options.ocr == "auto" and scanned):
            if not to_read:
                check_tesseract(options)
            pixmap = page.get_pixmap(dpi=options.ocr_dpi, colorspace="gray")
            to_read[page.number] = Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples)
            pages.append("")
        else:
            if scanned:
                warnings.append(f"trang {number} là ảnh nhưng không được OCR (--ocr off)")
            pages.append(_text_page(page))
    if to_read:
        if options.progress:
            options.progress(f"OCR {len(to_read)} trang…")
        for index, result in zip(to_read, ocr_pages(to_read.values(), options), strict=True):
            pages[index] = result.text
    text = "\n\n".join(pages)
    if _letters(text) < MIN_TEXT_LETTERS:
        raise IngestError(f"{path.name}: không đọc được chữ nào trong tệp PDF (trang trắng hoặc ảnh không có chữ).")
    ocr_numbers = [index + 1 for index in to_read]
    fmt = "scan" if ocr_numbers and len(ocr_numbers) == document.page_count else "pdf"
    return Extracted(text, fmt, pages=document.page_count, ocr_pages=ocr_numbers, warnings=warnings)


READER = Reader("pdf", "tệp PDF", (".pdf",), _sniff, _read)
