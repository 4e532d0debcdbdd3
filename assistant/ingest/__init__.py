"""Ingestion of new plans: reading a file of any supported format into plan text, then adding it to the corpus.

A reader per input format lives in :mod:`assistant.ingest.formats` (adding a format is adding one file there);
:func:`read_document` picks the reader by the file's content, and refuses a file that is not what its
extension says. Every reader returns an :class:`Extracted`: the plan text in the corpus's text form (one
printed line per line, blank lines between paragraphs, and a table row as one line of tab-separated cells),
with what the report needs (pages, pages read by OCR, warnings).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from assistant.errors import AssistantError

OcrMode = Literal["auto", "force", "off"]


class IngestError(AssistantError):
    """A file cannot be added: one sentence naming the file and what is wrong with it."""


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file: OCR mode and limits (from :mod:`assistant.config`)."""

    ocr: OcrMode = "auto"
    ocr_lang: str = "vie"
    ocr_dpi: int = 300
    max_pages: int = 100
    tesseract: str = "tesseract"
    ocr_workers: int = 2
    progress: Callable[[str], None] | None = None


@dataclass
class Extracted:
    """A file read into plan text."""

    text: str
    format: str  # text | markdown | docx | pdf | scan | image
    pages: int = 0
    ocr_pages: list[int] = field(default_factory=list)  # 1-based numbers of the pages read by OCR
    warnings: list[str] = field(default_factory=list)

    @property
    def ocr(self) -> bool:
        return bool(self.ocr_pages)


@dataclass(frozen=True)
class Reader:
    """One input format: its name, the extensions it is written with, how to recognise and read its bytes."""

    name: str
    label: str  # what the format is called in messages ("tệp PDF")
    extensions: tuple[str, ...]
    sniff: Callable[[bytes], bool]
    read: Callable[[Path, ReadOptions], Extracted]


def readers() -> list[Reader]:
    """Every reader of :mod:`assistant.ingest.formats`, in module-name order."""
    from assistant.ingest import formats

    found = []
    for module in sorted(pkgutil.iter_modules(formats.__path__), key=lambda m: m.name):
        reader = getattr(importlib.import_module(f"{formats.__name__}.{module.name}"), "READER", None)
        if isinstance(reader, Reader):
            found.append(reader)
    return found


def supported_extensions() -> list[str]:
    return sorted({ext for reader in readers() for ext in reader.extensions})


def read_document(path: Path, options: ReadOptions | None = None) -> Extracted:
    """Read ``path`` with the reader its content calls for; an :class:`IngestError` for anything unusable."""
    options = options or ReadOptions()
    if not path.is_file():
        raise IngestError(f"{path.name}: không tìm thấy tệp; hãy kiểm tra đường dẫn.")
    try:
        head = path.read_bytes()[:8192]
    except OSError as error:
        raise IngestError(f"{path.name}: không đọc được tệp ({error.strerror}).") from error
    if not head.strip():
        raise IngestError(f"{path.name}: tệp rỗng; hãy chọn tệp có nội dung kế hoạch.")
    extension = path.suffix.lower()
    all_readers = readers()
    by_extension = next((r for r in all_readers if extension in r.extensions), None)
    by_content = next((r for r in all_readers if r.sniff(head)), None)
    if by_extension is None:
        raise IngestError(
            f"{path.name}: không hỗ trợ định dạng '{extension or '(không có đuôi)'}'; "
            f"hãy dùng một trong {', '.join(supported_extensions())}."
        )
    if by_content is not by_extension:
        actual = by_content.label if by_content else "không rõ định dạng"
        raise IngestError(
            f"{path.name}: tệp mang đuôi {extension} nhưng nội dung không phải {by_extension.label} ({actual}); "
            "hãy kiểm tra lại tệp."
        )
    return by_extension.read(path, options)
