"""Province names as users type them: with or without diacritics, short forms ("Huế", "TT Huế"), all 63 provinces.

Knowing every province (not only those in the corpus) lets the assistant tell "this plan is not in the
corpus" apart from "the question names no province".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.domain.normalize import fold
from assistant.domain.syllables import diacritic_variants, is_valid_syllable

PROVINCES = [
    "An Giang",
    "Bà Rịa - Vũng Tàu",
    "Bạc Liêu",
    "Bắc Giang",
    "Bắc Kạn",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Dương",
    "Bình Định",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",
    "Cao Bằng",
    "Cần Thơ",
    "Đà Nẵng",
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nam",
    "Hà Nội",
    "Hà Tĩnh",
    "Hải Dương",
    "Hải Phòng",
    "Hậu Giang",
    "Hòa Bình",
    "Hưng Yên",
    "Khánh Hòa",
    "Kiên Giang",
    "Kon Tum",
    "Lai Châu",
    "Lâm Đồng",
    "Lạng Sơn",
    "Lào Cai",
    "Long An",
    "Nam Định",
    "Nghệ An",
    "Ninh Bình",
    "Ninh Thuận",
    "Phú Thọ",
    "Phú Yên",
    "Quảng Bình",
    "Quảng Nam",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sóc Trăng",
    "Sơn La",
    "Tây Ninh",
    "Thái Bình",
    "Thái Nguyên",
    "Thanh Hóa",
    "Thừa Thiên Huế",
    "Tiền Giang",
    "Thành phố Hồ Chí Minh",
    "Trà Vinh",
    "Tuyên Quang",
    "Vĩnh Long",
    "Vĩnh Phúc",
    "Yên Bái",
]

# Short forms people use that the generic rules below do not produce.
EXTRA_ALIASES = {
    "Thành phố Hồ Chí Minh": ["ho chi minh", "tp hcm", "tphcm", "hcm", "sai gon"],
    "Bà Rịa - Vũng Tàu": ["vung tau", "brvt"],
    "Thừa Thiên Huế": ["hue", "tt hue", "tth", "thua thien"],
    "Đắk Lắk": ["dak lak", "daklak"],
    "Đắk Nông": ["dak nong"],
}


# Upper-case letters that are abbreviations in this domain, never read as a province's initials.
DOMAIN_ABBREVIATIONS = frozenset(
    "KH BC TT CT QD QĐ NQ TW DT ĐT CN GD KT TC NV VH PT TH HD HĐ UB CQ DV ĐV CV TP BT TU HU CĐS CDS AI IT".split()
)
# Initials that are also common shorthand ("HT" hệ thống, "TQ" Trung Quốc, "CM" cách mạng): they name their province
# only when that province has a plan in the corpus.
WEAK_INITIALS = frozenset("HT ST LA NA SL CB TG VP TV TQ CM BD NT ĐB DB".split())


def _initials(name: str) -> str:
    words = re.sub(r"^Thành phố ", "", name).replace("-", " ").split()
    return "".join(w[0] for w in words).upper()


def _acronyms(names: list[str], preferred: list[str] | None = None) -> dict[str, str]:
    """Initials ("QT", "TB") that stand for one province and are not domain shorthand: unique in the country, or
    shared by several provinces of which exactly one is ``preferred`` (has a plan in the corpus: "LC" is Lai Châu
    while Lào Cai has none)."""
    by_initials: dict[str, list[str]] = {}
    for name in PROVINCES:
        by_initials.setdefault(_initials(name), []).append(name)
    out = {}
    for initials, owners in by_initials.items():
        if initials in DOMAIN_ABBREVIATIONS:
            continue
        if len(owners) > 1 and preferred:
            owners = [o for o in owners if o in preferred]
        if initials in WEAK_INITIALS and not (preferred and set(owners) <= set(preferred)):
            continue
        if len(owners) == 1 and owners[0] in names:
            out[initials] = owners[0]
    return out


def _aliases(name: str) -> set[str]:
    folded = fold(name).replace(" - ", " ").replace("-", " ")
    aliases = {folded, folded.replace(" ", "")}
    aliases.update(EXTRA_ALIASES.get(name, []))
    return {a for a in aliases if len(a) >= 3}


@dataclass(frozen=True)
class ProvinceMention:
    province: str
    start: int
    end: int


class ProvinceMatcher:
    """Finds province mentions in a question (folded text, whole words, longest alias first)."""

    def __init__(self, provinces: list[str] | None = None, preferred: list[str] | None = None) -> None:
        names = provinces or PROVINCES
        alias_to_name: dict[str, str] = {}
        for name in names:
            for alias in _aliases(name):
                alias_to_name.setdefault(alias, name)
        self._alias_to_name = alias_to_name
        alternatives = sorted(alias_to_name, key=len, reverse=True)
        self._pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(a) for a in alternatives) + r")(?![\w])")
        self._acronyms = _acronyms(list(names), preferred)
        self._preferred = set(preferred or [])
        self._acronym_pattern = re.compile(
            r"(?<![\w/&-])(" + "|".join(map(re.escape, sorted(self._acronyms, key=len, reverse=True))) + r")(?![\w/&-])"
        )
        # Typed in lower case ("muc tieu cua qt"), initials count only where they cannot be a Vietnamese word, and
        # folded initials shared by several provinces ("bd": Bình Dương, Bình Định) follow the same rule as above.
        lowered: dict[str, list[str]] = {}
        for name in PROVINCES:
            lowered.setdefault(fold(_initials(name)).lower(), []).append(name)
        self._lower_acronyms = {}
        for initials, owners in lowered.items():
            if initials.upper() in DOMAIN_ABBREVIATIONS or is_valid_syllable(initials) or len(initials) < 2:
                continue
            if len(owners) > 1 and preferred:
                owners = [o for o in owners if o in preferred]
            if initials.upper() in WEAK_INITIALS and not (preferred and set(owners) <= set(preferred)):
                continue
            if len(owners) == 1 and owners[0] in names:
                self._lower_acronyms[initials] = owners[0]
        self._lower_acronym_pattern = re.compile(
            r"(?<![\w/&-])("
            + "|".join(map(re.escape, sorted(self._lower_acronyms, key=len, reverse=True)))
            + r")(?![\w/&-])"
        )

    def mentions(self, text: str) -> list[ProvinceMention]:
        """Names and aliases (folded, any case), upper-case initials as typed ("kế hoạch QT"), and initials typed in
        lower case ("cua qt") where they cannot be a Vietnamese syllable."""
        folded = fold(text).replace("-", " ")
        found = [
            ProvinceMention(self._alias_to_name[m.group(1)], m.start(), m.end()) for m in self._pattern.finditer(folded)
        ]
        if self._acronyms:
            found += [
                ProvinceMention(self._acronyms[m.group(1)], m.start(), m.end())
                for m in self._acronym_pattern.finditer(text)
            ]
        if self._lower_acronyms:
            taken = {(m.start, m.end) for m in found}
            found += [
                ProvinceMention(self._lower_acronyms[m.group(1)], m.start(), m.end())
                for m in self._lower_acronym_pattern.finditer(folded)
                if (m.start(), m.end()) not in taken
            ]
        if not found:
            found = self._misspelled(folded)
        return sorted(found, key=lambda mention: mention.start)

    def _misspelled(self, folded: str) -> list[ProvinceMention]:
        """A name of two or more words typed with one slip ("thai bihn"): one letter changed, added, dropped or two
        swapped, in a word that is no Vietnamese syllable (so "quản trị", "vùng sâu" stay words), for a province
        with a plan in the corpus; only when a single province is that close."""
        words = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[a-z]+", folded)]
        close: dict[str, ProvinceMention] = {}
        for alias, name in self._alias_to_name.items():
            size = alias.count(" ") + 1
            if size < 2 or len(alias) < 7 or name not in self._preferred:
                continue
            for i in range(len(words) - size + 1):
                window = words[i : i + size]
                typed = " ".join(w for _, _, w in window)
                slipped = any(not diacritic_variants(w) for _, _, w in window)
                if slipped and typed != alias and _one_slip(typed, alias):
                    close.setdefault(name, ProvinceMention(name, window[0][0], window[-1][1]))
        return list(close.values()) if len(close) == 1 else []

    def find(self, text: str) -> list[str]:
        """Province names mentioned in ``text``, in order, without repeats."""
        seen: list[str] = []
        for mention in self.mentions(text):
            if mention.province not in seen:
                seen.append(mention.province)
        return seen


def _one_slip(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` with one edit: a letter changed, added or dropped, or two neighbours swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


_PREFIX_RE = re.compile(r"^(?:tinh|thanh pho|tp\.?|province of|province)\s+")


@lru_cache(maxsize=1)
def _matcher() -> ProvinceMatcher:
    return ProvinceMatcher()


def exact_province(text: str) -> str | None:
    """The province that ``text`` names as a whole (any spelling, "tỉnh …" allowed, or its unique initials),
    else None: a filter value, not a question, so "Lai Châu xyz" names none."""
    matcher = _matcher()
    if text.strip() in matcher._acronyms:
        return matcher._acronyms[text.strip()]
    folded = _PREFIX_RE.sub("", " ".join(fold(text).replace("-", " ").split()))
    return matcher._alias_to_name.get(folded) or matcher._alias_to_name.get(folded.replace(" ", ""))


def province_spellings() -> list[str]:
    """Every province with and without diacritics (what the API's schema lists; other spellings work too)."""
    return sorted({name for province in PROVINCES for name in (province, fold(province))})
