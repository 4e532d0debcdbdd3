"""Scanned pages as images (.png, .jpg, .tif): read by Tesseract through :mod:`assistant.ingest.ocr`."""

from __future__ import annotations

from pathlib import Path

from assistant.ingest import Extracted, IngestError, Reader, ReadOptions

MIN_LETTERS = 40


def _sniff(head: bytes) -> bool:
    return head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*"))


def _read(path: Path, options: ReadOptions) -> Extracted:
    from PIL import Image, ImageSequence, UnidentifiedImageError

    from assistant.ingest.ocr import check_tesseract, ocr_pages

    if options.ocr == "off":
        raise IngestError(f"{path.name}: tệp ảnh chỉ đọc được bằng OCR; hãy bỏ --ocr off.")
    try:
        image = Image.open(path)
        frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
    except (UnidentifiedImageError, OSError) as error:
        raise IngestError(f"{path.name}: tệp ảnh bị hỏng, không mở được ({error}).") from error
    if len(frames) > options.max_pages:
        raise IngestError(f"{path.name}: tệp có {len(frames)} trang, quá giới hạn {options.max_pages} trang.")
    check_tesseract(options)
    scaled = []
    for frame in frames:
        dpi = frame.info.get("dpi", (options.ocr_dpi,))[0] or options.ocr_dpi
        if dpi < 0.8 * options.ocr_dpi:  # upscale a low-resolution scan to what Tesseract reads best
            factor = options.ocr_dpi / dpi
            frame = frame.resize((int(frame.width * factor), int(frame.height * factor)))
        scaled.append(frame)
    pages = ocr_pages(scaled, options)
    texts = [page.text for page in pages]
    letters = sum(page.letters for page in pages)
    if letters < MIN_LETTERS:
        raise IngestError(f"{path.name}: ảnh không có chữ đọc được; hãy quét lại rõ hơn.")
    return Extracted("\n\n".join(texts), "image", pages=len(frames), ocr_pages=list(range(1, len(frames) + 1)))


READER = Reader("image", "tệp ảnh (PNG, JPEG, TIFF)", (".png", ".jpg", ".jpeg", ".tif", ".tiff"), _sniff, _read)
