"""Text normalization: Unicode NFC, diacritic folding for matching, and Vietnamese word tokens.

Layout repair of PDF extraction (reflowing broken lines, dropping page numbers and repeated table
headers) lives in :mod:`assistant.ingest.layout`; OCR repair in :mod:`assistant.ingest.ocr_repair`.
"""

from __future__ import annotations

import re
import unicodedata

_COMBINING = re.compile(r"[\u0300-\u036f]")
WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Unicode NFC, the form every stored and compared text uses."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lowercase and strip Vietnamese diacritics for matching: NFD, drop combining marks, đ→d.

    >>> fold("Thừa Thiên Huế - Đài PT-TH")
    'thua thien hue - dai pt-th'
    """
    decomposed = unicodedata.normalize("NFD", text.lower())
    return _COMBINING.sub("", decomposed).replace("đ", "d")


def collapse_spaces(text: str) -> str:
    """All runs of whitespace (including newlines) become one space; ends are stripped."""
    return _SPACE_RE.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """The letter-only words of ``text`` (Vietnamese syllables, abbreviations), in order."""
    return WORD_RE.findall(text)
