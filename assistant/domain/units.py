"""Unit names: the alias table that canonicalizes agency names, splitting of unit lists in table cells, and the one
unit matcher that decides whether a text names a unit (used by understanding, answering and verification).

"Sở TTTT" → "Sở Thông tin và Truyền thông", "Đài PT-TH tỉnh" → "Đài Phát thanh và Truyền hình tỉnh",
"UBND" → "Ủy ban nhân dân". The original wording is always kept beside the canonical name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.domain.normalize import collapse_spaces, fold

# (pattern on the original text, replacement). Patterns are case-insensitive; order matters.
ALIASES: list[tuple[str, str]] = [
    (r"\bS(?:ở|o)\s+TT\s*(?:&|và|va|-)\s*TT\b|\bS(?:ở|o)\s+TTTT\b|\bSTTTT\b", "Sở Thông tin và Truyền thông"),
    (r"\bB(?:ộ|o)\s+TT\s*(?:&|và|va)\s*TT\b|\bB(?:ộ|o)\s+TTTT\b|\bBTTTT\b(?!/)", "Bộ Thông tin và Truyền thông"),
    (r"\b(?:Đ|D)(?:ài|ai)\s+PT\s*[-–&]?\s*TH\b", "Đài Phát thanh và Truyền hình"),
    (r"\b(?:Đ|D)(?:ài|ai)\s+Phát\s+thanh\s*[-–]\s*Truyền\s+hình\b", "Đài Phát thanh và Truyền hình"),
    (r"\bS(?:ở|o)\s+KH\s*(?:&|và|va)\s*CN\b|\bS(?:ở|o)\s+KHCN\b", "Sở Khoa học và Công nghệ"),
    (r"\bS(?:ở|o)\s+KH\s*(?:&|và|va)\s*(?:Đ|D)T\b|\bS(?:ở|o)\s+KH(?:Đ|D)T\b", "Sở Kế hoạch và Đầu tư"),
    (r"\bS(?:ở|o)\s+GD\s*(?:&|và|va)\s*(?:Đ|D)T\b|\bS(?:ở|o)\s+GD(?:Đ|D)T\b", "Sở Giáo dục và Đào tạo"),
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


# The bodies every province has (the same in all 63), beyond those the plans name: a question may name any of
# them ("Công an tỉnh", "Sở Nội vụ"), and the answer must then be about that body or say the plan is silent.
PROVINCIAL_BODIES = [
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Công Thương",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Nông nghiệp và Môi trường",
    "Sở Giao thông vận tải",
    "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Y tế",
    "Sở Ngoại vụ",
    "Sở Du lịch",
    "Sở Dân tộc và Tôn giáo",
    "Ban Dân tộc tỉnh",
    "Thanh tra tỉnh",
    "Văn phòng Ủy ban nhân dân tỉnh",
    "Công an tỉnh",
    "Bộ Chỉ huy Quân sự tỉnh",
    "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
    "Hội Nhà báo tỉnh",
    "Hội Văn học Nghệ thuật tỉnh",
    "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    "Tỉnh đoàn",
    "Hội Liên hiệp Phụ nữ tỉnh",
    "Liên đoàn Lao động tỉnh",
    "Cổng Thông tin điện tử tỉnh",
    "Trung tâm Truyền thông tỉnh",
    "Ủy ban nhân dân các huyện, thị xã, thành phố",
    "Bộ Công an",
    "Bộ Tài chính",
    "Bộ Nội vụ",
    "Bộ Văn hóa, Thể thao và Du lịch",
]
# Short forms of those bodies as people type them (folded), beyond the alias table above.
BODY_SHORT_FORMS = {
    "Công an tỉnh": ("cong an", "police"),
    "Hội Nhà báo tỉnh": ("hoi nha bao", "journalists association"),
    "Ủy ban nhân dân các huyện, thị xã, thành phố": ("ubnd huyen", "uy ban nhan dan huyen", "cap huyen", "districts"),
    "Sở Lao động - Thương binh và Xã hội": ("so ldtbxh", "so lao dong"),
    "Sở Nông nghiệp và Phát triển nông thôn": ("so nn&ptnt", "so nong nghiep"),
    "Sở Tài nguyên và Môi trường": ("so tn&mt", "so tnmt", "so tai nguyen"),
    "Sở Văn hóa, Thể thao và Du lịch": ("so vhttdl", "so vh-tt&dl", "so van hoa"),
    "Sở Giao thông vận tải": ("so gtvt",),
}
# A unit named by its head word and its own name ("Tạp chí Sông Hương", "Báo Nhân Dân"), as typed with marks.
NAMED_OUTLET_RE = re.compile(
    r"\b(Tạp chí|Báo|Đài|Hội|Trung tâm|Cổng thông tin|Nhà xuất bản)\s+"
    r"((?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ][\wÀ-ỹ-]*)(?:\s+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ][\wÀ-ỹ-]*){0,4})"
)
_NAME_FILLER = {"va", "cua", "tinh", "cac"}
# Words that open a level below the province: "Ủy ban nhân dân các huyện", "UBND cấp xã", "Đài … thị xã" name a
# district's or a commune's body, never the province's own ("Ủy ban nhân dân tỉnh").
_LOWER_LEVEL = {"huyen", "xa", "cap", "quan", "phuong", "thi", "thanh"}


def _name_tokens(unit: str) -> list[str]:
    name = fold(canonical_unit(unit))
    name = re.sub(r"^(de nghi) ", "", name)
    name = re.sub(r"(\S+ \S+ \S+) tinh uy$", r"\1", name)  # "Ban Tuyên giáo (Tỉnh ủy)": the seat is often left out
    return [t for t in re.findall(r"[a-z0-9]+", name) if t not in _NAME_FILLER]


@lru_cache(maxsize=4096)
def _shape(unit: str) -> tuple[tuple[str, ...], bool, str]:
    """A name as it is matched: its words but fillers, whether it opens with a head word, and the whole folded."""
    canonical = canonical_unit(unit)
    whole = " ".join(re.findall(r"[a-z0-9&]+", fold(canonical)))
    return tuple(_name_tokens(unit)), _starts_with_head(canonical), whole


@dataclass(frozen=True)
class _Words:
    padded: str  # " w1 w2 … " (every word)
    content: tuple[str, ...]  # the words but fillers


def _words(folded_text: str) -> _Words:
    words = re.findall(r"[a-z0-9&]+", folded_text)
    return _Words(f" {' '.join(words)} ", tuple(w for w in words if w not in _NAME_FILLER))


def _names(words: _Words, unit: str) -> bool:
    tokens, headed, whole = _shape(unit)
    if any(f" {s} " in words.padded for s in BODY_SHORT_FORMS.get(unit, ())):
        return True
    if len(tokens) < 2 or not headed:
        # "Thanh tra tỉnh", "Tỉnh đoàn": without a head word the bare words are an activity; the whole name counts
        return f" {whole} " in words.padded
    # the words of the name, in order, with nothing but "và", "của", "tỉnh", "các" between them
    n, content = len(tokens), words.content
    first = tokens[0]
    provincial = whole.endswith(" tinh")
    if provincial and f" {whole} " in words.padded:
        return True
    return any(
        content[i] == first
        and content[i : i + n] == tokens
        and not (provincial and i + n < len(content) and content[i + n] in _LOWER_LEVEL)
        for i in range(len(content) - n + 1)
    )


class UnitMatcher:
    """The one place that decides whether a text names a unit.

    ``mentions(text, unit)``: every word of the unit's name but "và", "của", "tỉnh", "các" appears in the text,
    in order and close together (aliases expanded, folded), so "Sở TTTT", "so thong tin truyen thong" and
    "Sở Thông tin và Truyền thông tỉnh" all name "Sở Thông tin và Truyền thông". ``named(text)``: the units of
    the lexicon (the plans' units, the known departments, every province's standard bodies) a text names,
    longest first, plus outlets named by head word and proper name ("Tạp chí Sông Hương").
    """

    def __init__(self, names: list[str] | tuple[str, ...] = ()) -> None:
        lexicon = {*KNOWN_UNITS, *PROVINCIAL_BODIES, *(canonical_unit(n) for n in names if n)}
        self.names = sorted(lexicon, key=lambda n: (-len(n), n))
        self._tokens = {name: _name_tokens(name) for name in self.names}
        for name in self.names:
            _shape(name)

    @staticmethod
    def folded(text: str) -> str:
        """The form texts are matched in: aliases expanded, folded."""
        return fold(expand_aliases(text))

    def mentions(self, text: str, unit: str, *, folded: bool = False) -> bool:
        """Whether ``text`` names ``unit`` (see the class docstring); ``folded``: ``text`` is already folded."""
        return _names(_words(text if folded else self.folded(text)), unit)

    def mentions_loosely(self, folded_text: str, unit: str) -> bool:
        """:meth:`mentions`, or the name without its head word in a list under that head in the plural ("Các sở:
        Tài chính, Kế hoạch và Đầu tư" names "Sở Kế hoạch và Đầu tư"); ``folded_text`` is already folded."""
        if self.mentions(folded_text, unit, folded=True):
            return True
        head = fold(canonical_unit(unit)).split(" ", 1)[0]
        listed = re.search(rf"\bcac {re.escape(head)}\b[^.;]*", folded_text)
        return bool(listed and self.core_pattern(unit).search(listed.group(0)))

    def member_of(self, unit: str, group: str) -> bool:
        """Whether a group a plan names ("Các cơ quan báo chí của tỉnh", "các sở, ban, ngành") includes ``unit``:
        a press outlet (Báo, Đài, Tạp chí) is one of the press agencies, a department one of the departments."""
        head = fold(canonical_unit(unit))
        name = fold(canonical_unit(group))
        if not name.startswith(("cac ", "co quan", "don vi")):
            return False
        if head.startswith(("bao ", "dai ", "tap chi ")):
            return "co quan bao chi" in name
        if head.startswith("so "):
            return bool(re.search(r"\bcac so\b|\bso, ban", name))
        return False

    def without(self, folded_text: str, units: list[str]) -> str:
        """The (folded) text with the words of the given units' names taken out where it names them."""
        for unit in units:
            tokens = self._tokens.get(unit) or _name_tokens(unit)
            if not tokens:
                continue
            filler = r"(?:\s+(?:" + "|".join(_NAME_FILLER) + r"))*\s+"
            folded_text = re.sub(r"\b" + filler.join(map(re.escape, tokens)) + r"\b", " ", folded_text)
        return folded_text

    def group_in(self, folded_text: str, unit: str) -> bool:
        """Whether the (folded) text names a group that includes ``unit`` and lists none of its members by name
        ("các cơ quan báo chí" holds Báo Lai Châu; "02 cơ quan báo chí (Báo Lai Châu, Đài …)" names its two)."""
        head = fold(canonical_unit(unit))
        if head.startswith(("bao ", "dai ", "tap chi ")):
            group = re.search(r"\bco quan bao chi\b(?!\s*\()", folded_text)
        elif head.startswith("so "):
            group = re.search(r"\bcac so\b|\bso, ban, nganh\b", folded_text)
        else:
            return False
        return group is not None

    def named(self, text: str) -> list[str]:
        """Units of the lexicon named in ``text`` (a longer name hides the shorter ones inside it), then outlets
        named by head word and proper name that the lexicon does not hold."""
        words = _words(self.folded(text))
        found: list[str] = []
        for name in self.names:
            said = _names(words, name)
            if said and not any(set(self._tokens[name]) <= set(self._tokens.get(f, ())) for f in found):
                found.append(name)
        for match in NAMED_OUTLET_RE.finditer(expand_aliases(text)):
            name = collapse_spaces(match.group(0))
            if not any(self.mentions(name, f) or self.mentions(f, name) for f in found):
                found.append(name)
        return found

    def named_one(self, text: str, among: list[str] | None = None) -> str | None:
        """The longest unit ``text`` names (of ``among`` when given), if any."""
        names = self.named(text) if among is None else [n for n in among if self.mentions(text, n)]
        return max(names, key=len) if names else None

    def core_pattern(self, unit: str) -> re.Pattern:
        """A folded pattern of the name without its head word ("Các sở: Tài chính, …" names "Sở Tài chính")."""
        core = re.sub(r"^(?:so|ban|bo|cuc|dai|uy ban) |\s(?:tinh|tinh uy)$", "", fold(canonical_unit(unit)))
        return re.compile(r"\b" + r"\W+".join(re.escape(w) for w in core.split()) + r"\b")

    def occurrences(self, text: str) -> list[tuple[int, int, str]]:
        """Exact (folded) occurrences of lexicon names in ``text``: (start, end, name), longest first."""
        folded_text = fold(text)
        return [
            (m.start(), m.end(), name)
            for name in self.names
            if len(name) > 6
            for m in re.finditer(re.escape(fold(name)), folded_text)
        ]


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
