"""Vietnamese syllable structure: tell a well-formed written syllable from OCR noise and measure the noise.

A written Vietnamese syllable is ``onset + rhyme + tone`` where the rhyme is ``medial + nucleus + coda``.
:func:`parse_syllable` splits a word into those parts or returns ``None`` when the spelling is not a
possible syllable; :func:`is_valid_syllable` is the yes/no form and :func:`invalid_share` counts the
share of tokens of a text that are neither syllables nor other accepted tokens.

Rules (orthography of the standard Latin script, ``chữ Quốc ngữ``):

* **Letters and case.** Only the Vietnamese alphabet (no f, j, w, z). The word must be all lower case,
  Title case (first letter upper, rest lower) or ALL UPPER; ``ChÍỊih`` or ``vỊ`` are invalid.
* **Onsets.** none, b, c, ch, d, đ, g, gh, gi, h, k, kh, l, m, n, ng, ngh, nh, p, ph, q(u), r, s, t,
  th, tr, v, x. Spelling rules: ``k``, ``gh``, ``ngh`` only before i/y/e/ê (and iê/ia); ``c``, ``g``, ``ng``
  never before e/ê, and ``c``/``ng`` never before i/y/iê/ia (``ngi`` is invalid, ``nghi`` valid);
  ``q`` is always followed by the medial ``u`` (``qua``, ``quốc``, ``quyết``; old ``qui`` accepted);
  ``gi`` before a vowel is one onset (``giữa`` = gi + ưa) and ``gì``, ``gìn``, ``giếng`` are gi merged
  with the i of the rhyme. Medials (``o`` before a/ă/e, ``u`` before â/ê/y/ơ) do not follow
  b, m, p, ph, v, c, k, gh, ngh, gi (``góa``, ``ngoài``, ``khuya`` are fine).
* **Rhymes.** The full inventory of written rhymes: simple nuclei a ă â e ê i y o ô ơ u ư, diphthongs
  iê/yê/ia/ya, uô/ua, ươ/ưa and the loan double ``oo`` (``xoong``), each with the codas it allows
  (c ch m n ng nh p t and the glides i y o u); ``yê`` is written only without an onset or after the
  medial u (``yên``, ``nguyên``), ``iê``/``ia`` only after an onset (``tiên``, ``nghĩa``; ``ỉa`` too).
  ``ă`` and ``â`` need a coda. Examples of invalid rhymes: ``uyen`` (needs ê), ``ưên``, ``ơng``.
* **Tone and coda.** At most one tone mark (sắc, huyền, hỏi, ngã, nặng; none = ngang). A rhyme
  closed by a stop (p, t, c, ch) takes only sắc or nặng: ``phat``, ``hoach``, ``dăt``, ``Quyểt`` are
  invalid; ``phát``, ``hoạch``, ``dắt``, ``quyết`` valid.
* **Tone placement.** On the vowel carrying a hat/breve/horn (the last one: ``người``, ``thuở``); else
  on the vowel before a consonant coda (``toán``, ``huýt``); else, for an open rhyme, on the main vowel:
  the first of two (``mía``, ``múa``, ``hái``) or the middle of three (``ngoài``, ``khuỷu``). For the
  open rhymes oa, oe, uy both schools are accepted: old ``hóa``/``thủy`` and new ``hoá``/``thuỷ``.
* ``ke`` (as in ``kẻ``, ``kế``) is a valid syllable: k before e is the correct spelling. A tone-less
  ``Ke`` for ``Kế`` is therefore a *real-word* error that only context can fix.

Tokens for :func:`invalid_share` (see :func:`tokens`):

* A text is cut at whitespace and at ordinary punctuation ``. , ; : ! ? ( ) [ ] { } " ' “ ” ‘ ’ … / * #
  < > = + « »`` and dashes. A hyphen splits a word unless it stands between two lower-case letters, so
  ``QĐ-TTg`` and ``KH-UBND`` are two tokens each but ``u-u`` and ``tu-ớng`` stay one (invalid) token.
* Any other symbol stays inside its token (``côn^_``, ``động^``, ``Cfpt^``), so OCR garbage is invalid.
* Only tokens containing a letter count; pure numbers (``2025``, ``20%``, ``06/4/2023``) are skipped.
* Valid tokens: a syllable; a single letter (list markers ``a)``, initials, Roman numeral ``V``); an
  acronym, i.e. ≥ 2 upper-case letters A–Z or Đ that is not a syllable (``UBND``, ``QĐ``, ``HĐND``),
  optionally ending in one lower-case letter after ≥ 2 capitals (``TTg``); a valid word or acronym
  followed by digits (footnote ``ủy1``, codes ``V1``, ``VX4``). Everything else is invalid.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

__all__ = [
    "TONES",
    "InvalidShare",
    "Syllable",
    "Token",
    "apply_case",
    "compose",
    "decompose_char",
    "diacritic_variants",
    "invalid_share",
    "is_acronym",
    "is_valid_syllable",
    "is_valid_token",
    "parse_syllable",
    "skeleton",
    "tokens",
    "word_case",
]

# --------------------------------------------------------------------------------------------------
# Characters: base vowel (with its hat/breve/horn) and tone mark.

TONES = ("ngang", "huyen", "sac", "hoi", "nga", "nang")
_TONE_MARKS = {"\u0300": "huyen", "\u0301": "sac", "\u0309": "hoi", "\u0303": "nga", "\u0323": "nang"}
_MARK_OF_TONE = {tone: mark for mark, tone in _TONE_MARKS.items()}
_VOWEL_MODS = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn
VOWELS = frozenset("aăâeêioôơuưy")
_MODIFIED = frozenset("ăâêôơư")
LETTERS = frozenset("abcdđeghiklmnopqrstuvxyăâêôơư")
_STOPS = ("p", "t", "c", "ch")


@lru_cache(maxsize=4096)
def decompose_char(char: str) -> tuple[str, str]:
    """``(base, tone)`` of one lower-case character: ``'ế'`` → ``('ê', 'sac')``; non-letters pass through.

    The tone is ``'ngang'`` when no tone mark is present, ``''`` when the character has marks that no
    Vietnamese letter carries (for example a tone mark on a consonant).
    """
    decomposed = unicodedata.normalize("NFD", char)
    base = decomposed[0]
    tone = "ngang"
    mods = ""
    for mark in decomposed[1:]:
        if mark in _TONE_MARKS:
            if tone != "ngang":
                return char, ""
            tone = _TONE_MARKS[mark]
        elif mark in _VOWEL_MODS:
            mods += mark
        else:
            return char, ""
    base = unicodedata.normalize("NFC", base + mods)
    if tone != "ngang" and base not in VOWELS:
        return char, ""
    return base, tone


def _with_tone(vowel: str, tone: str) -> str:
    if tone == "ngang":
        return vowel
    return unicodedata.normalize("NFC", vowel + _MARK_OF_TONE[tone])


def skeleton(word: str) -> str:
    """Lower case, all diacritics removed, đ→d: the letters OCR rarely gets wrong (``'Quyểt'`` → ``'quyet'``)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("đ", "d")


# --------------------------------------------------------------------------------------------------
# Rhyme inventory.

_NUCLEUS_CODAS: dict[str, tuple[str, ...]] = {
    "a": ("", "c", "ch", "i", "m", "n", "ng", "nh", "o", "p", "t", "u", "y"),
    "ă": ("c", "m", "n", "ng", "p", "t"),
    "â": ("c", "m", "n", "ng", "p", "t", "u", "y"),
    "e": ("", "c", "m", "n", "ng", "o", "p", "t"),
    "ê": ("", "ch", "m", "n", "nh", "p", "t", "u"),
    "i": ("", "ch", "m", "n", "nh", "p", "t", "u"),
    "y": ("",),
    "o": ("", "c", "i", "m", "n", "ng", "p", "t"),
    "oo": ("c", "ng"),
    "ô": ("", "c", "i", "m", "n", "ng", "p", "t"),
    "ơ": ("", "i", "m", "n", "p", "t"),
    "u": ("", "c", "i", "m", "n", "ng", "p", "t"),
    "ư": ("", "c", "i", "m", "n", "ng", "t", "u"),
    "iê": ("c", "m", "n", "ng", "p", "t", "u"),
    "yê": ("m", "n", "ng", "t", "u"),
    "ia": ("",),
    "uô": ("c", "i", "m", "n", "ng", "p", "t"),
    "ua": ("",),
    "ươ": ("c", "i", "m", "n", "ng", "p", "t", "u"),
    "ưa": ("",),
}
# Rhymes with a medial (written o before a/ă/e, u before â/ê/y/yê/ya/ơ).
_MEDIAL_RHYMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("o", "a"): ("", "c", "ch", "i", "m", "n", "ng", "nh", "p", "t", "y"),
    ("o", "ă"): ("c", "m", "n", "ng", "t"),
    ("o", "e"): ("", "n", "o", "t"),
    ("u", "â"): ("n", "ng", "t", "y"),
    ("u", "ê"): ("", "ch", "n", "nh"),
    ("u", "y"): ("", "ch", "nh", "p", "t", "u"),
    ("u", "yê"): ("n", "t"),
    ("u", "ya"): ("",),
    ("u", "ơ"): ("",),
}
# After q the medial is always written u, also before a, ă, e (qua, quăng, quen).
_Q_RHYMES: dict[str, tuple[str, ...]] = {
    "a": _MEDIAL_RHYMES[("o", "a")],
    "ă": _MEDIAL_RHYMES[("o", "ă")],
    "e": ("", "n", "o", "t"),
    "â": _MEDIAL_RHYMES[("u", "â")],
    "ê": ("", "ch", "n", "nh", "t"),
    "y": _MEDIAL_RHYMES[("u", "y")],
    "i": ("", "t"),  # old spelling qui, quít
    "yê": ("n", "t"),
    "ơ": ("",),
    "ô": ("c",),  # quốc
}

ONSETS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "q", "r", "s", "t", "v", "x", "",
)  # fmt: skip
_NO_MEDIAL_ONSETS = frozenset({"b", "m", "p", "ph", "v", "c", "k", "gh", "ngh", "gi"})
_FRONT = ("i", "y", "e", "ê", "iê", "ia")


def _build_rhymes() -> dict[str, list[tuple[str, str, str]]]:
    table: dict[str, list[tuple[str, str, str]]] = {}
    for nucleus, codas in _NUCLEUS_CODAS.items():
        for coda in codas:
            table.setdefault(nucleus + coda, []).append(("", nucleus, coda))
    for (medial, nucleus), codas in _MEDIAL_RHYMES.items():
        for coda in codas:
            table.setdefault(medial + nucleus + coda, []).append((medial, nucleus, coda))
    return table


_RHYMES = _build_rhymes()


def _tone_positions(medial: str, nucleus: str, coda: str) -> tuple[int, ...]:
    """Indexes (within medial+nucleus+coda) of the vowels that may carry the tone mark."""
    vowels = medial + nucleus + (coda if coda in ("i", "y", "o", "u") else "")
    has_consonant_coda = coda != "" and coda not in ("i", "y", "o", "u")
    modified = [i for i, ch in enumerate(vowels) if ch in _MODIFIED]
    if modified:
        return (modified[-1],)
    if len(vowels) == 1:
        return (0,)
    if has_consonant_coda:
        return (len(medial + nucleus) - 1,)
    if medial and len(vowels) == 2:  # open oa, oe, uy: old and new placement
        return (0, 1)
    if len(vowels) == 3:
        return (1,)
    if medial:
        return (len(medial),)
    return (0,)


# --------------------------------------------------------------------------------------------------
# Syllables.


@dataclass(frozen=True)
class Syllable:
    """A parsed syllable; ``onset + medial + nucleus + coda`` is the tone-less lower-case spelling.

    ``case`` is ``'lower'``, ``'title'`` or ``'upper'``. For ``gì``/``gìn`` the onset is ``'gi'`` and
    the nucleus ``'i'`` is shared with it (the spelling writes one i), so the concatenation drops it.
    """

    text: str
    onset: str
    medial: str
    nucleus: str
    coda: str
    tone: str
    case: str

    @property
    def rhyme(self) -> str:
        return self.medial + self.nucleus + self.coda

    @property
    def toneless(self) -> str:
        """Lower-case spelling without the tone mark (hats, breves and horns kept)."""
        return "".join(decompose_char(c)[0] for c in self.text.lower())

    @property
    def lower(self) -> str:
        return self.text.lower()


def word_case(word: str) -> str | None:
    """``'lower'``, ``'title'`` or ``'upper'`` for a word of letters; ``None`` for mixed case."""
    lower = word.lower()
    if word == lower:
        return "lower"
    if word == word.upper():
        return "upper" if len(word) > 1 else "title"
    if word[0] == word[0].upper() and word[1:] == lower[1:]:
        return "title"
    return None


def _onset_allows(onset: str, medial: str, nucleus: str) -> bool:
    if medial and onset in _NO_MEDIAL_ONSETS:
        return False
    front = nucleus in _FRONT
    if onset in ("k", "gh", "ngh"):
        return not medial and front
    if onset in ("c", "ng"):
        return medial != "" or not front
    if onset == "g":
        return nucleus not in ("e", "ê", "y", "ia")
    if onset == "gi":
        return not medial and not nucleus.startswith(("i", "y"))
    return True


def _check_onset(onset: str, medial: str, nucleus: str) -> bool:
    if nucleus == "yê":
        return onset == "" or medial == "u"
    if nucleus == "ya":
        return medial == "u"
    if nucleus == "iê" and onset == "":
        return False
    return _onset_allows(onset, medial, nucleus)


@lru_cache(maxsize=65536)
def parse_syllable(word: str) -> Syllable | None:
    """Parse ``word`` (NFC) into a :class:`Syllable`, or ``None`` when it is not a valid syllable."""
    if not word or len(word) > 8:
        return None
    word = unicodedata.normalize("NFC", word)
    case = word_case(word)
    if case is None:
        return None
    bases: list[str] = []
    tone = "ngang"
    tone_at = -1
    for i, ch in enumerate(word.lower()):
        base, t = decompose_char(ch)
        if not t or base not in LETTERS:
            return None
        if t != "ngang":
            if tone_at >= 0:
                return None
            tone, tone_at = t, i
        bases.append(base)
    spelled = "".join(bases)
    for onset in ONSETS:
        if not spelled.startswith(onset):
            continue
        rest = spelled[len(onset) :]
        for medial, nucleus, coda, shift in _rhyme_options(onset, rest):
            if coda in _STOPS and tone not in ("sac", "nang"):
                continue
            if tone != "ngang":
                allowed = _tone_positions(medial, nucleus, coda)
                if onset == "q":  # the u after q belongs to the onset: quá, quý, never qúa
                    allowed = tuple(p for p in allowed if p > 0) or (1,)
                if tone_at - len(onset) + shift not in allowed:
                    continue
            return Syllable(word, onset, medial, nucleus, coda, tone, case)
    return None


def _rhyme_options(onset: str, rest: str) -> Iterator[tuple[str, str, str, int]]:
    """``(medial, nucleus, coda, shift)`` readings of ``rest`` after ``onset``; ``shift`` re-bases tone indexes."""
    if onset == "q":
        if not rest.startswith("u"):
            return
        tail = rest[1:]
        for nucleus, codas in _Q_RHYMES.items():
            if tail.startswith(nucleus) and tail[len(nucleus) :] in codas:
                yield "u", nucleus, tail[len(nucleus) :], 0
        return
    if onset == "gi":
        for medial, nucleus, coda in _RHYMES.get(rest, ()):
            if _check_onset("gi", medial, nucleus):
                yield medial, nucleus, coda, 0
        merged = "i" + rest
        for medial, nucleus, coda in _RHYMES.get(merged, ()):
            if not medial and nucleus in ("i", "iê"):
                yield medial, nucleus, coda, 1
        return
    for medial, nucleus, coda in _RHYMES.get(rest, ()):
        if _check_onset(onset, medial, nucleus):
            yield medial, nucleus, coda, 0


def is_valid_syllable(word: str) -> bool:
    """True when ``word`` is a well-formed Vietnamese syllable (spelling, tone, placement, case)."""
    return parse_syllable(word) is not None


def compose(toneless: str, tone: str, case: str = "lower") -> str | None:
    """Put ``tone`` on the right vowel of the tone-less spelling; ``None`` when no valid syllable results.

    New-style placement is used for the open oa/oe/uy (``hoá``) when both are allowed.
    """
    toneless = toneless.lower()
    if tone == "ngang":
        candidates = [toneless]
    else:
        candidates = []
        for i in range(len(toneless) - 1, -1, -1):
            if toneless[i] in VOWELS:
                candidates.append(toneless[:i] + _with_tone(toneless[i], tone) + toneless[i + 1 :])
    for cand in candidates:
        if parse_syllable(cand) is not None:
            return apply_case(cand, case)
    return None


def apply_case(word: str, case: str) -> str:
    """Write a lower-case ``word`` in ``case`` (``'lower'``, ``'title'``, ``'upper'``)."""
    if case == "upper":
        return word.upper()
    if case == "title":
        return word[:1].upper() + word[1:]
    return word


_VARIANTS = {"a": "aăâ", "e": "eê", "o": "oôơ", "u": "uư", "d": "dđ"}


@lru_cache(maxsize=16384)
def diacritic_variants(word: str) -> tuple[str, ...]:
    """All valid lower-case syllables with the same skeleton as ``word`` (``'dăt'`` → ``dát, dạt, dắt, …``)."""
    skel = skeleton(word)
    if not skel or len(skel) > 7 or not skel.isalpha():
        return ()
    choices = [_VARIANTS.get(ch, ch) for ch in skel]
    out: list[str] = []
    for letters in product(*choices):
        toneless = "".join(letters)
        for tone in TONES:
            if tone == "ngang":
                forms = [toneless]
            else:
                forms = [
                    toneless[:i] + _with_tone(ch, tone) + toneless[i + 1 :]
                    for i, ch in enumerate(toneless)
                    if ch in VOWELS
                ]
            out.extend(f for f in forms if parse_syllable(f) is not None)
    return tuple(dict.fromkeys(out))


# --------------------------------------------------------------------------------------------------
# Tokens and the invalid share.

SPLIT_PUNCT = frozenset(".,;:!?()[]{}\"'“”‘’…/*#<>=+«»–—")
_ACRONYM_RE = re.compile(r"[A-ZĐ]{2,}[a-z]?")
_TRAILING_DIGITS_RE = re.compile(r"^(\D+?)(\d+)$")


@dataclass(frozen=True)
class Token:
    """A token of a text: ``text[start:end]``; ``compound`` when it was split off a hyphenated code."""

    text: str
    start: int
    end: int
    compound: bool = False

    @property
    def has_letter(self) -> bool:
        return any(c.isalpha() for c in self.text)


def _is_split_hyphen(text: str, i: int) -> bool:
    left = text[i - 1] if i > 0 else " "
    right = text[i + 1] if i + 1 < len(text) else " "
    return not (left.isalpha() and right.isalpha() and left.islower() and right.islower())


def tokens(text: str) -> list[Token]:
    """Cut ``text`` into tokens (see the module docstring); number-only chunks are included too."""
    return list(_tokens(text))


@lru_cache(maxsize=16)
def _tokens(text: str) -> tuple[Token, ...]:
    out: list[Token] = []
    start = -1
    pieces: list[tuple[int, int]] = []

    def flush(end: int) -> None:
        nonlocal start
        if start >= 0:
            pieces.append((start, end))
        compound = len(pieces) > 1
        for s, e in pieces:
            out.append(Token(text[s:e], s, e, compound))
        pieces.clear()
        start = -1

    for i, ch in enumerate(text):
        if ch.isspace() or ch in SPLIT_PUNCT:
            flush(i)
            continue
        if ch == "-" and _is_split_hyphen(text, i):
            if start >= 0:
                pieces.append((start, i))
            start = -1
            continue
        if start < 0:
            start = i
    flush(len(text))
    return tuple(t for t in out if t.end > t.start)


def is_acronym(word: str) -> bool:
    """Upper-case abbreviation that is not a syllable: ``UBND``, ``QĐ``, ``HĐND``, ``TTg``."""
    return bool(_ACRONYM_RE.fullmatch(word))


@lru_cache(maxsize=65536)
def is_valid_token(word: str) -> bool:
    """Token validity used by :func:`invalid_share` (a syllable, single letter, acronym, or coded word)."""
    if not any(c.isalpha() for c in word):
        return True
    if len(word) == 1:
        return True
    if word.isalpha():
        return is_valid_syllable(word) or is_acronym(word)
    match = _TRAILING_DIGITS_RE.match(word)
    if match and match.group(1).isalpha():
        head = match.group(1)
        return len(head) == 1 or is_valid_syllable(head) or is_acronym(head)
    return False


@dataclass(frozen=True)
class InvalidShare:
    """How many tokens with letters a text has, which of them are invalid, and their share."""

    tokens: int
    invalid: tuple[str, ...]

    @property
    def invalid_count(self) -> int:
        return len(self.invalid)

    @property
    def share(self) -> float:
        return self.invalid_count / self.tokens if self.tokens else 0.0

    def __str__(self) -> str:
        return f"{self.invalid_count}/{self.tokens} invalid ({self.share:.2%})"


def invalid_share(text: str) -> InvalidShare:
    """Count the tokens of ``text`` that contain a letter and list those that are not valid."""
    counted = 0
    invalid: list[str] = []
    for tok in tokens(text):
        if not tok.has_letter:
            continue
        counted += 1
        if not is_valid_token(tok.text):
            invalid.append(tok.text)
    return InvalidShare(counted, tuple(invalid))
