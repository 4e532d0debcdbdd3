"""Unit names: the alias table that canonicalizes agency names, and splitting of unit lists in table cells.

"Sở TTTT" → "Sở Thông tin và Truyền thông", "Đài PT-TH tỉnh" → "Đài Phát thanh và Truyền hình tỉnh",
"UBND" → "Ủy ban nhân dân". The original wording is always kept beside the canonical name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.normalize import collapse_spaces, fold

# (pattern on the original text, replacement). Patterns are case-insensitive; order matters.
ALIASES: list[tuple[str, str]] = [
    (r"\bS(?:ở|o)\s+TT\s*(?:&|và)\s*TT\b|\bS(?:ở|o)\s+TTTT\b|\bS(?:ở|o)\s+TTTT\b", "Sở Thông tin và Truyền thông"),
    (r"\bBộ\s+TT\s*(?:&|và)\s*TT\b|\bBộ\s+TTTT\b|\bBTTTT\b(?!/)", "Bộ Thông tin và Truyền thông"),
    (r"\bĐài\s+PT\s*[-–]\s*TH\b|\bĐài\s+PTTH\b", "Đài Phát thanh và Truyền hình"),
    (r"\bĐài\s+Phát\s+thanh\s*[-–]\s*Truyền\s+hình\b", "Đài Phát thanh và Truyền hình"),
    (r"\bS(?:ở|o)\s+KH\s*(?:&|và)\s*CN\b|\bS(?:ở|o)\s+KHCN\b", "Sở Khoa học và Công nghệ"),
    (r"\bS(?:ở|o)\s+KH\s*(?:&|và)\s*ĐT\b|\bS(?:ở|o)\s+KHĐT\b", "Sở Kế hoạch và Đầu tư"),
    (r"\bS(?:ở|o)\s+GD\s*(?:&|và)\s*ĐT\b|\bS(?:ở|o)\s+GDĐT\b", "Sở Giáo dục và Đào tạo"),
    (r"\bS(?:ở|o)\s+TC\b", "Sở Tài chính"),
    (r"\bUBND\b", "Ủy ban nhân dân"),
    (r"\bHĐND\b", "Hội đồng nhân dân"),
    (r"\bỦy\s+ban\s+nhân\s+dân\b|\bUỷ\s+ban\s+nhân\s+dân\b", "Ủy ban nhân dân"),
    (r"\bVHNT\b", "Văn học Nghệ thuật"),
]
_ALIAS_RES = [(re.compile(p, re.IGNORECASE), r) for p, r in ALIASES]

# Provincial departments and other bodies whose full names contain lowercase words; used to tell where
# a name ends and a role note ("Sở TTTT đôn đốc, theo dõi") begins.
KNOWN_UNITS = [
    "Sở Thông tin và Truyền thông",
    "Sở Tài chính",
    "Sở Kế hoạch và Đầu tư",
    "Sở Khoa học và Công nghệ",
    "Sở Giáo dục và Đào tạo",
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Văn hóa và Thể thao",
    "Bộ Thông tin và Truyền thông",
    "Đài Phát thanh và Truyền hình tỉnh",
    "Ban Tuyên giáo Tỉnh ủy",
    "Cục Báo chí",
    "Ủy ban nhân dân tỉnh",
]

# Words that open a named organization: a list item starting with one of these is a new unit.
UNIT_HEADS = (
    "Sở",
    "Báo",
    "Đài",
    "Tạp chí",
    "Cục",
    "Bộ",
    "Ban",
    "Ủy ban",
    "UBND",
    "Hội",
    "Trung tâm",
    "Văn phòng",
    "Công an",
    "Đại học",
    "Trường",
    "Cổng",
    "Tỉnh ủy",
    "Các sở",
    "Các cơ quan",
    "Các đơn vị",
    "Cơ quan",
)


@dataclass(frozen=True)
class Unit:
    """A unit named in a plan: canonical name, the plan's own wording, and any role note after it."""

    name: str
    original: str
    note: str = ""


def expand_aliases(text: str) -> str:
    for pattern, replacement in _ALIAS_RES:
        text = pattern.sub(replacement, text)
    return text


def canonical_unit(text: str) -> str:
    """Canonical name of one unit: aliases expanded, spacing and case tidied, trailing punctuation gone."""
    name = collapse_spaces(expand_aliases(text)).strip(" ,;.:-–")
    name = re.sub(r"^(?:đề nghị|đê nghị)\s+", "", name, flags=re.IGNORECASE)
    return name[:1].upper() + name[1:] if name else name


def unit_key(name: str) -> str:
    """Comparison key for unit names: canonical, folded, without 'của'/'tỉnh' noise."""
    key = fold(canonical_unit(name))
    key = re.sub(r"\b(cua|co)\b", " ", key)
    return collapse_spaces(key)


def _starts_with_head(text: str) -> bool:
    return any(text.startswith(head + " ") or text == head for head in UNIT_HEADS) or text.startswith("UBND")


def _split_named(part: str) -> list[str]:
    """Split 'A, B, C' where each of B, C opens with a unit head; generic groups ('các sở, ban') stay whole."""
    pieces = [p for p in re.split(r",\s*", part)]
    merged: list[str] = []
    for piece in pieces:
        if merged and not _starts_with_head(piece.strip()):
            merged[-1] = merged[-1] + ", " + piece
        else:
            merged.append(piece)
    out: list[str] = []
    for piece in merged:
        out.extend(p for p in re.split(r"\s+và\s+(?=các\s)", piece) if p.strip())
    return out


def split_units(cell: str) -> list[Unit]:
    """Units listed in a table cell or heading, e.g. 'Sở TTTT; các đơn vị, địa phương có liên quan'."""
    units: list[Unit] = []
    text = collapse_spaces(cell)
    for part in re.split(r";", text):
        part = part.strip(" .,")
        if not part:
            continue
        for piece in _split_named(part):
            original = piece.strip(" ,.")
            name = canonical_unit(original)
            note = ""
            for known in KNOWN_UNITS:
                if fold(name).startswith(fold(known)) and len(name) > len(known):
                    rest = name[len(known) :].strip(" ,")
                    if rest and rest[0].islower() and not fold(rest).startswith(("tinh", "va ")):
                        name, note = known, rest
                    break
            units.append(Unit(name=name, original=original, note=note))
    return units


def known_unit_names() -> list[str]:
    """Every canonical name the alias table and the list of known units give."""
    return sorted({*KNOWN_UNITS, *(replacement for _, replacement in ALIASES)})
