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
    (r"\bS(?:ở|o)\s+TT\s*(?:&|và|-)\s*TT\b|\bS(?:ở|o)\s+TTTT\b", "Sở Thông tin và Truyền thông"),
    (r"\bBộ\s+TT\s*(?:&|và)\s*TT\b|\bBộ\s+TTTT\b|\bBTTTT\b(?!/)", "Bộ Thông tin và Truyền thông"),
    (r"\bĐài\s+PT\s*[-–&]\s*TH\b|\bĐài\s+PTTH\b", "Đài Phát thanh và Truyền hình"),
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


def canonical_unit(text: str, declared: dict[str, str] | None = None) -> str:
    """Canonical name of one unit: aliases expanded, spacing and case tidied, trailing punctuation gone.

    ``declared``: the abbreviations a plan declares (:func:`declared_aliases`), folded short form → full name.
    """
    if declared:
        full = declared.get(fold(collapse_spaces(text)).strip(" ,;.:-–"))
        if full:
            text = full
    name = collapse_spaces(expand_aliases(text)).strip(" ,;.:-–")
    name = re.sub(r"^(?:đề nghị|đê nghị)\s+", "", name, flags=re.IGNORECASE)
    return name[:1].upper() + name[1:] if name else name


def unit_key(name: str) -> str:
    """Comparison key for unit names: canonical, folded, without 'của'/'tỉnh' noise."""
    key = fold(canonical_unit(name))
    key = re.sub(r"\b(cua|co)\b", " ", key)
    return collapse_spaces(key)


def _starts_with_head(text: str) -> bool:
    if any(text.startswith(head + " ") or text == head for head in UNIT_HEADS) or text.startswith("UBND"):
        return True
    return text.startswith(("các cơ quan", "các sở", "các đơn vị"))  # a group after a comma: "…, các cơ quan báo chí"


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


def split_units(cell: str, declared: dict[str, str] | None = None) -> list[Unit]:
    """Units listed in a table cell or heading, e.g. 'Sở TTTT; các đơn vị, địa phương có liên quan'."""
    units: list[Unit] = []
    text = collapse_spaces(cell)
    for part in re.split(r";", text):
        part = part.strip(" .,")
        if not part:
            continue
        for piece in _split_named(part):
            original = piece.strip(" ,.")
            name = canonical_unit(original, declared)
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


# Heads that open an agency's name only when a capitalized word follows ("Bộ Chỉ huy", not "Bộ đội").
_NAMED_HEADS = ("Sở", "Báo", "Đài", "Tạp chí", "Cục", "Bộ", "Ban", "Hội", "Trung tâm", "Văn phòng", "Trường", "Cổng")
# Heads that are a name or a group by themselves.
_GROUP_HEADS = (
    "Ủy ban",
    "Uỷ ban",
    "UBND",
    "Công an",
    "Tỉnh ủy",
    "Đại học",
    "Các sở",
    "Các cơ quan",
    "Các đơn vị",
    "Cơ quan",
)
# Words after a head that make an ordinary noun, not an agency ("Báo cáo", "Hội nghị").
NOT_UNITS = (
    "Báo cáo",
    "Hội nghị",
    "Hội thảo",
    "Hội thi",
    "Bộ Chỉ số",
    "Bộ chỉ số",
    "Bộ tiêu chí",
    "Ban hành",
    "Sở hữu",
)


def _capitalized(text: str) -> bool:
    """The word after a head names the agency: a capitalized name, or the level ("Báo tỉnh", "Đài huyện")."""
    return bool(text) and (text[0].isupper() or text[0].isdigit() or re.match(r"(?:tỉnh|huyện|thành phố)\b", text))


def _opens_with(text: str, head: str) -> bool:
    return text.startswith(head) and (len(text) == len(head) or not text[len(head)].isalnum())


def is_unit_name(text: str) -> bool:
    """True when ``text`` names an agency or a group of agencies ("Sở TT&TT", "các cơ quan báo chí")."""
    text = text.strip(" ,;.")
    if not text or text.startswith(NOT_UNITS):
        return False
    if fold(text).startswith(("cac ", "co quan", "don vi", "ubnd", "uy ban")):
        return True
    for head in _GROUP_HEADS:
        if _opens_with(text, head):
            return True
    for head in _NAMED_HEADS:
        if text.startswith(head + " "):
            return _capitalized(text[len(head) + 1 :])
    return canonical_unit(text) in KNOWN_UNITS


def unit_starts(line: str) -> list[int]:
    """Offsets inside a line where a new agency's name starts right after another word, without a separator.

    "Sở TT&TT Báo Kon Tum; Đài PT-TH" → [9]: two table cells printed on one line (lead, then coordinating).
    A name after ",", ";" or a joining word ("và", "của", "thuộc") continues the same list.
    """
    starts: list[int] = []
    for match in re.finditer(r"(?<=\S) (?=\S)", line):
        position = match.end()
        before = line[: match.start()].rstrip()
        if not before or before[-1] in ",;(/&-–":
            continue
        previous_word = before.rsplit(" ", 1)[-1].lower()
        if previous_word in {"và", "của", "thuộc", "với", "cho", "tại", "trên", "theo", "các", "đến", "về"}:
            continue
        rest = line[position:]
        if rest.startswith(NOT_UNITS):
            continue
        if previous_word in {"phòng", "giáo", "vận", "trực"} or rest.startswith(("Tỉnh ủy", "HĐND")):
            continue  # inside one name: "Văn phòng UBND tỉnh", "Ban Tuyên giáo Tỉnh ủy"
        if any(rest.startswith(head + " ") and _capitalized(rest[len(head) + 1 :]) for head in _NAMED_HEADS) or any(
            _opens_with(rest, head) for head in _GROUP_HEADS
        ):
            starts.append(position)
    return starts


_DECLARED_RE = re.compile(
    r"\((?:sau đây (?:viết|gọi) tắt là|sau đây gọi là|viết tắt là|gọi tắt là)?\s*"
    r"([A-ZĐÀ-Ỹ][^\s()]*(?:\s+[^\s()]+){0,3})\)"
)


def declared_aliases(text: str) -> dict[str, str]:
    """Abbreviations a plan declares for itself: "Sở Thông tin và Truyền thông (sau đây viết tắt là Sở TT&TT)".

    Returns folded short form → full name. The short form must hold a capitalized abbreviation ("TT&TT",
    "PT-TH", "UBND") and the full name is the agency named just before the parenthesis.
    """
    found: dict[str, str] = {}
    for match in _DECLARED_RE.finditer(text):
        short = collapse_spaces(match.group(1))
        if not re.search(r"[A-ZĐ]{2,}", short) or len(short) > 40:
            continue
        before = re.split(r"[;:\n]| - ", text[max(0, match.start() - 120) : match.start()])[-1].rstrip()
        head_word = short.split()[0]
        candidates = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(head_word)}\s", before)]
        if head_word in {"UBND"}:
            candidates = [m.start() for m in re.finditer(r"(?<!\w)(?:Ủy|Uỷ) ban nhân dân\s", before)]
        if not candidates:  # an acronym ("Sở Nội vụ (SNV)"): the agency named just before it
            heads = "|".join(re.escape(h) for h in (*_NAMED_HEADS, *_GROUP_HEADS))
            candidates = [m.start() for m in re.finditer(rf"(?<!\w)(?:{heads})\s", before)]
        if not candidates:
            continue
        full = collapse_spaces(before[candidates[-1] :]).strip(" ,;")
        if is_unit_name(full) and fold(full) != fold(short) and len(full.split()) <= 12:
            found[fold(short)] = full
    return found
