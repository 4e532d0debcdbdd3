"""PDF plans (PyMuPDF): the text layer with ruled tables as cells; pages without a text layer go to OCR."""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.ingest import Extracted, IngestError, Reader, ReadOptions
from assistant.ingest.tables import rows_to_text

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


def _text_page(page) -> str:
    """A page's text layer: blocks in reading order, each ruled table as tab-separated rows at its place."""
    try:
        tables = [t for t in page.find_tables().tables if t.col_count >= 2 and t.row_count >= 1]
    except Exception as error:  # table detection is a bonus: on failure the table text stays as lines
        log.debug("find_tables failed on page %s: %s", page.number + 1, error)
        tables = []
    items: list[tuple[float, str]] = []
    boxes = [t.bbox for t in tables]
    for x0, y0, x1, y1, text, _no, kind in page.get_text("blocks", sort=True):
        if kind != 0:
            continue
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes):
            continue
        items.append((y0, text.rstrip("\n")))
    for table in tables:
        rows = [[cell or "" for cell in row] for row in table.extract()]
        items.append((table.bbox[1], rows_to_text(rows)))
    items.sort(key=lambda item: item[0])
    return "\n\n".join(text for _, text in items if text.strip())


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _read(path: Path, options: ReadOptions) -> Extracted:
    from PIL import Image

    from assistant.ingest.ocr import check_tesseract, ocr_page_image

    document = _open(path, options)
    pages: list[str] = []
    ocr_pages: list[int] = []
    warnings: list[str] = []
    for page in document:
        number = page.number + 1
        text = page.get_text()
        scanned = _letters(text) < MIN_TEXT_LETTERS and bool(page.get_images())
        if options.ocr == "force" or (options.ocr == "auto" and scanned):
            if not ocr_pages:
                check_tesseract(options)
            if options.progress:
                options.progress(f"OCR trang {number}/{document.page_count}")
            pixmap = page.get_pixmap(dpi=options.ocr_dpi, colorspace="gray")
            image = Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples)
            pages.append(ocr_page_image(image, options).text)
            ocr_pages.append(number)
        else:
            if scanned:
                warnings.append(f"trang {number} là ảnh nhưng không được OCR (--ocr off)")
            pages.append(_text_page(page))
    text = "\n\n".join(pages)
    if _letters(text) < MIN_TEXT_LETTERS:
        raise IngestError(f"{path.name}: không đọc được chữ nào trong tệp PDF (trang trắng hoặc ảnh không có chữ).")
    fmt = "scan" if ocr_pages and len(ocr_pages) == document.page_count else "pdf"
    return Extracted(text, fmt, pages=document.page_count, ocr_pages=ocr_pages, warnings=warnings)


READER = Reader("pdf", "tệp PDF", (".pdf",), _sniff, _read)
