"""OCR repair of scanned plans: fix misread Vietnamese syllables using syllable validity and clean-text statistics.

The repair is generic, not a list of whole-word fixes for one file:

* :class:`SyllableStats` holds unigram and bigram counts of lower-case syllables learned from the clean
  (PDF-extracted) plans, with interpolated absolute-discounting smoothing.
* :data:`CONFUSIONS` is a table of character-level look-alikes that Vietnamese OCR commonly produces
  (``tr`` read as ``ừ``, ``nh`` as ``iứi``, ``h`` as ``li``, ``n`` as ``ii``, ``ư`` as ``u-``, ``kh`` as
  ``Iđi``/``Ich`` …). :data:`LOOKALIKE_GROUPS` and :data:`MULTI_LOOKALIKES` weight the edit distance.
* For every token, candidates come from: removal of stamp symbols, case repair, confusion rewrites,
  diacritic/tone variants with the same skeleton (``phat`` → ``phát``), acronym repair (``ƯBND`` →
  ``UBND``) and, for invalid tokens only, a nearest-known-syllable search (deletion index plus the words
  the neighbours predict) under a confusion-aware weighted edit distance.
* A Viterbi pass over each run of words (bigram language model, smoothed) picks the candidates. An
  invalid token is replaced when its candidate is cheap or backed by bigram evidence (the farther the
  candidate, the more evidence is needed); a *valid* syllable is replaced only when the context prefers
  the candidate by a wide margin (:data:`REAL_WORD_MARGIN` nats) and a neighbour bigram was seen.
* Stamp/signature garbage (tokens with symbols such as ``^ _ ® ■`` that do not repair, and lines made
  only of such garbage) is removed; Roman-numeral headings misread as ``11.``/``m.`` are restored when
  followed by an ALL-CAPS title and consistent with the previous heading number.

Only documents detected as noisy are touched: the share of invalid tokens
(:func:`assistant.domain.syllables.invalid_share`) must exceed :data:`NOISE_THRESHOLD` (1 %) with at least
:data:`NOISE_MIN_INVALID` invalid tokens; clean documents get zero edits. Edits never touch newlines
and never change numbers (the only digits an edit may remove are a misread Roman heading marker such
as ``11.`` and stamp chunks where symbols outnumber digits, such as ``^5®``), so line structure and
figures survive.

Usage::

    repairer = OcrRepairer.from_clean_texts(clean_plan_texts)   # statistics cached per set of texts
    report = repairer.run(raw_nfc_text)                          # RepairReport(edits, before, after)
    repaired, offsets = apply_edits(raw_nfc_text, report.edits)

``run(text, force=True)`` skips the noise gate (to measure what the candidate machinery would change).
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from assistant.domain.syllable_stats import BOS, EOS, GARBAGE_CHARS, NUM, NUMBER_RE, SyllableStats, chains
from assistant.domain.syllables import (
    InvalidShare,
    Token,
    apply_case,
    decompose_char,
    invalid_share,
    is_valid_syllable,
    is_valid_token,
    parse_syllable,
    skeleton,
    tokens,
    word_case,
)
from assistant.ingest.textmap import Edit, apply_edits

__all__ = [
    "CONFUSIONS",
    "NOISE_MIN_INVALID",
    "NOISE_THRESHOLD",
    "OcrRepairer",
    "RepairReport",
    "weighted_distance",
]

log = logging.getLogger(__name__)

NOISE_THRESHOLD = 0.01
"""A text is noisy when more than this share of its tokens is invalid …"""
NOISE_MIN_INVALID = 3
"""… and it has at least this many invalid tokens."""
REAL_WORD_MARGIN = 7.0
"""Nats by which context must prefer a candidate before a valid syllable is replaced (≈ 1100×).

Chosen from a leave-one-out run on the clean plans (gate forced off): context preferences of wrong
real-word changes there stay below 6.5 nats, while the real-word errors of the OCR plan score ≥ 7.5."""
REAL_WORD_PENALTY = 4.0
"""Nats the Viterbi search charges per replaced valid syllable; lower than the margin so that two
adjacent real-word errors (``tồng họp`` → ``tổng hợp``) can be found together, each then checked alone
against :data:`REAL_WORD_MARGIN` with its final neighbours."""

_FOREIGN = frozenset("fjwz")

# --------------------------------------------------------------------------------------------------
# OCR look-alikes (general knowledge of Vietnamese OCR, not specific to any document).


def _toned(vowels: str) -> str:
    """Regex class of the given vowels with any tone mark: ``_toned("ư")`` → ``[ưừứửữự]``."""
    marks = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    return "[" + "".join(unicodedata.normalize("NFC", v + m) for v in vowels for m in marks) + "]"


_I = _toned("i")
_U = _toned("uư")
_W = _toned("ư")


@dataclass(frozen=True)
class Confusion:
    """Rewrite ``pattern`` (a regex on the lower-cased token) into each of ``targets``."""

    pattern: re.Pattern[str]
    targets: tuple[str, ...]
    name: str


def _c(pattern: str, targets: tuple[str, ...], name: str) -> Confusion:
    return Confusion(re.compile(pattern), targets, name)


CONFUSIONS: tuple[Confusion, ...] = (
    _c("^[ừữửự]", ("tr",), "tr read as ừ/ữ"),
    _c("^ứ", ("tr", "th"), "tr/th read as ứ"),
    _c(f"^{_W}{_I}", ("th", "tr"), "th/tr read as ứi"),
    _c(f"{_I}{_U}{_I}|r{_U}{_I}", ("nh",), "nh read as iứi/rủi"),
    _c(f"{_I}{_I}", ("n", "u"), "n/u read as ii"),
    _c(f"l{_I}", ("h",), "h read as li"),
    _c(f"r{_I}", ("n",), "n read as ri"),
    _c("^iđi|^iđ|^ich", ("kh",), "kh read as Iđi/Ich"),
    _c("^id", ("ki", "kh"), "ki read as Id"),
    _c("^i", ("l", "k"), "l/k read as I"),
    _c("u-", ("ư",), "ư read as u-"),
    _c("o-", ("ơ",), "ơ read as o-"),
    _c("ir", ("ư",), "ư read as ir"),
    _c("im", ("ưu",), "ưu read as im"),
    _c("rn", ("m",), "m read as rn"),
    _c("cl", ("d",), "d read as cl"),
    _c("h", ("b",), "b/h look-alike"),
    _c("b", ("h",), "b/h look-alike"),
    _c(_toned("ư"), ("ơ",), "ư/ơ look-alike"),
    _c(_toned("ơ"), ("ư",), "ư/ơ look-alike"),
    _c(_toned("eê"), ("c",), "c/e look-alike"),
    _c("c", ("e",), "c/e look-alike"),
)
"""Look-alikes applied as rewrites; the tone of a rewritten vowel does not matter because candidates are
then looked up by skeleton (letters without marks) among the known syllables."""

LOOKALIKE_GROUPS: tuple[str, ...] = ("il1", "ceo", "hbk", "nu", "mn", "uo", "yv")
"""Base letters that OCR confuses; substituting inside a group costs less in :func:`weighted_distance`."""
MULTI_LOOKALIKES: tuple[tuple[str, str], ...] = (
    ("rn", "m"), ("rư", "m"), ("ru", "m"), ("ii", "n"), ("ri", "n"), ("li", "h"), ("cl", "d"),
    ("iu", "ư"), ("ir", "ư"),
)  # fmt: skip
"""Two characters read for one (and back), at the cost of one look-alike substitution."""

_LOOKALIKE = {(a, b) for g in LOOKALIKE_GROUPS for a in g for b in g if a != b}


@lru_cache(maxsize=8192)
def _char_parts(ch: str) -> tuple[str, str, str]:
    """(letter without any mark, hat/breve/horn/stroke marks, tone) of a lower-case character."""
    base, tone = decompose_char(ch)
    decomposed = unicodedata.normalize("NFD", base)
    letter = decomposed[0]
    mods = decomposed[1:]
    if letter == "đ":
        letter, mods = "d", "\u0335"
    return letter, mods, tone or "ngang"


@lru_cache(maxsize=65536)
def _sub_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    la, ma, ta = _char_parts(a)
    lb, mb, tb = _char_parts(b)
    marks = 0.15 * (ma != mb) + 0.15 * (ta != tb)
    if la == lb:
        return marks
    if (la, lb) in _LOOKALIKE:
        return 0.5 + marks / 2
    return 1.0


@lru_cache(maxsize=8192)
def _key(ch: str) -> str:
    """The letter of a character for :data:`MULTI_LOOKALIKES`: marks dropped except the horn of ư."""
    letter, mods, _ = _char_parts(ch)
    return "ư" if letter == "u" and "\u031b" in mods else letter


_MULTI = {(a, b) for a, b in MULTI_LOOKALIKES} | {(b, a) for a, b in MULTI_LOOKALIKES}


@lru_cache(maxsize=65536)
def weighted_distance(source: str, target: str, limit: float = math.inf) -> float:
    """Edit distance from OCR ``source`` to ``target`` (both lower case) weighted by OCR look-alikes.

    Same letter with other marks costs 0.15 per mark kind (hat/breve/horn/stroke, tone), look-alike
    letters (:data:`LOOKALIKE_GROUPS`) 0.5, other substitutions, insertions and deletions 1.0; the
    two-for-one pairs of :data:`MULTI_LOOKALIKES` (``rn``↔``m``, ``ii``↔``n``, ``li``↔``h`` …) cost 0.5.
    Returns ``inf`` as soon as the distance is sure to exceed ``limit``.
    """
    n, m = len(source), len(target)
    if abs(n - m) * 0.5 > limit:
        return math.inf
    skey = [_key(c) for c in source]
    tkey = [_key(c) for c in target]
    prev = [float(j) for j in range(m + 1)]
    before_prev = prev
    for i in range(1, n + 1):
        cur = [float(i)] + [0.0] * m
        pair_s = skey[i - 2] + skey[i - 1] if i >= 2 else ""
        for j in range(1, m + 1):
            best = min(prev[j] + 1.0, cur[j - 1] + 1.0, prev[j - 1] + _sub_cost(source[i - 1], target[j - 1]))
            if pair_s and (pair_s, tkey[j - 1]) in _MULTI:
                best = min(best, before_prev[j - 1] + 0.5)
            if j >= 2 and (skey[i - 1], tkey[j - 2] + tkey[j - 1]) in _MULTI:
                best = min(best, prev[j - 2] + 0.5)
            cur[j] = best
        if min(cur) > limit and min(prev) > limit:
            return math.inf
        before_prev, prev = prev, cur
    return prev[m]


_HATS = ("\u0302", "\u0306")  # circumflex, breve


def _mark_cost(a: str, b: str) -> float:
    """Cost between two spellings with the same skeleton: 0.15 per differing hat/breve/horn or tone.

    A hat or breve read as a tilde (``ă``→``ã``, ``ê``→``ẽ``), the commonest mark look-alike, costs 0.1.
    """
    total = 0.0
    for x, y in zip(a, b, strict=True):
        if x != y:
            _, mx, tx = _char_parts(x)
            _, my, ty = _char_parts(y)
            if {(mx, tx), (my, ty)} & {(h, "ngang") for h in _HATS} and {(mx, tx), (my, ty)} & {("", "nga")}:
                total += 0.1
            else:
                total += 0.15 * (mx != my) + 0.15 * (tx != ty)
    return total


def _same_syllable(a: str, b: str) -> bool:
    """Same syllable written with another tone placement (``uỷ``/``ủy``, ``hoá``/``hóa``)."""
    pa, pb = parse_syllable(a), parse_syllable(b)
    return (
        pa is not None
        and pb is not None
        and (pa.onset, pa.medial, pa.nucleus, pa.coda, pa.tone) == (pb.onset, pb.medial, pb.nucleus, pb.coda, pb.tone)
    )


# --------------------------------------------------------------------------------------------------
# Candidates.

LAMBDA = 3.0
"""Nats per unit of edit cost (a full substitution costs 1 unit, a look-alike 0.5, a mark 0.15)."""
PATTERN_COST = 0.5
"""Cost of one rewrite from :data:`CONFUSIONS` (as much as a look-alike substitution)."""
KEEP_INVALID = 4.0
"""Nats charged for leaving an invalid token as it is (on top of its unknown-word probability)."""
SEARCH_LIMITS = (0.75, 2.0, 3.0)
"""Largest search distance accepted with 0, 1 or 2 neighbours' bigram evidence."""
SEARCH_WINDOW = 0.6
"""Without two-sided evidence a search result must be this close to the token's nearest candidate."""


@dataclass(frozen=True)
class Candidate:
    """A replacement (lower case, upper case for acronyms), its edit cost and the rule that produced it."""

    form: str
    cost: float
    kind: str


def _rewrites(word: str, depth: int, limit: int = 300) -> dict[str, tuple[int, str]]:
    """Strings reachable by up to ``depth`` confusion rewrites: ``{form: (rewrites, first rule name)}``."""
    seen: dict[str, tuple[int, str]] = {word: (0, "")}
    frontier = [word]
    for level in range(1, depth + 1):
        nxt: list[str] = []
        for form in frontier:
            for conf in CONFUSIONS:
                for pos in range(len(form)):  # overlapping matches: "íịi" has two i-pairs
                    match = conf.pattern.match(form, pos)
                    if match is None:
                        continue
                    for target in conf.targets:
                        new = form[: match.start()] + target + form[match.end() :]
                        if new and new not in seen:
                            seen[new] = (level, seen[form][1] or conf.name)
                            nxt.append(new)
                            if len(seen) >= limit:
                                return seen
        frontier = nxt
    return seen


def _strip_garbage(word: str) -> str:
    return "".join(c for c in word if c not in GARBAGE_CHARS)


class _CandidateGenerator:
    """Context-free candidates of a lower-case token, cached per token."""

    def __init__(self, stats: SyllableStats) -> None:
        self.stats = stats
        self._cache: dict[tuple[str, bool], tuple[Candidate, ...]] = {}

    def for_token(self, lower: str, valid: bool) -> tuple[Candidate, ...]:
        key = (lower, valid)
        cached = self._cache.get(key)
        if cached is None:
            found: dict[str, Candidate] = {}
            if valid:
                self._valid(lower, found)
            else:
                self._invalid(lower, found)
            cached = tuple(sorted(found.values(), key=lambda c: (c.cost, c.form)))
            self._cache[key] = cached
        return cached

    @staticmethod
    def _add(out: dict[str, Candidate], form: str, cost: float, kind: str) -> None:
        old = out.get(form)
        if old is None or cost < old.cost - 1e-9:
            out[form] = Candidate(form, round(cost, 4), kind)

    def _valid(self, word: str, out: dict[str, Candidate]) -> None:
        """Real-word alternatives of a valid syllable: same skeleton, or one confusion rewrite away."""
        for form, (steps, name) in _rewrites(word, 1).items():
            for known in self.stats.same_skeleton(form):
                if known != word and not _same_syllable(known, word):
                    kind = f"real-word: {name}" if name else "real-word: diacritics"
                    self._add(out, known, steps * PATTERN_COST + _mark_cost(form, known), kind)

    def _invalid(self, word: str, out: dict[str, Candidate]) -> None:
        stripped = _strip_garbage(word)
        if not any(c.isalpha() for c in stripped):
            return
        base = 0.1 if stripped != word else 0.0
        for form, (steps, name) in _rewrites(stripped, 3).items():
            cost = base + steps * PATTERN_COST
            kind = f"confusion: {name}" if name else ("garbage symbols" if base else "diacritics")
            if form in self.stats.syllables:
                self._add(out, form, cost, kind)
            elif is_valid_syllable(form):
                self._add(out, form, cost + 1.0, kind)
            for known in self.stats.same_skeleton(form):
                self._add(out, known, cost + _mark_cost(form, known), kind)
        if len(stripped) <= 9:
            # Results farther than the nearest candidate + SEARCH_WINDOW are only kept with two-sided
            # evidence, which the context search of the run provides; so bound the search here.
            nearest = min((c.cost for c in out.values()), default=math.inf)
            bound = min(SEARCH_LIMITS[-1], nearest + SEARCH_WINDOW)
            for known in self.stats.near(stripped):
                dist = weighted_distance(stripped, known, bound)
                if dist <= bound:
                    self._add(out, known, base + dist, "search")


# --------------------------------------------------------------------------------------------------
# The repairer.


@dataclass
class RepairReport:
    """What :meth:`OcrRepairer.run` did: edits on the input text, and the invalid share before and after."""

    edits: list[Edit]
    before: InvalidShare
    after: InvalidShare


@dataclass
class _Slot:
    """One token of a run with its candidates and the chosen one (``None``: keep the token)."""

    token: Token
    word: str  # lower-case original (or NUM)
    valid: bool
    candidates: list[Candidate]
    choice: Candidate | None = None
    delete: bool = False


_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_ROMAN_SHAPES = {"1": "I", "l": "I", "I": "I", "|": "I", "i": "I", "í": "I", "ì": "I", "ỉ": "I", "!": "I",
                 "m": "III", "n": "II", "V": "V", "v": "V", "X": "X", "x": "X", "U": "II"}  # fmt: skip
_HEADING_RE = re.compile(r"^(\s*)(\S{1,5}?)([.)])(\s+)(\S.*)$")


class OcrRepairer:
    """Repairs noisy OCR text with statistics learned from clean plans (see the module docstring)."""

    def __init__(self, stats: SyllableStats) -> None:
        self.stats = stats
        self._gen = _CandidateGenerator(stats)

    @classmethod
    def from_clean_texts(cls, texts: list[str]) -> OcrRepairer:
        """Build a repairer from clean texts; cached, so repeated calls with the same texts are free."""
        return _cached_repairer(tuple(unicodedata.normalize("NFC", t) for t in texts))

    def is_noisy(self, text: str) -> bool:
        """True when the invalid-token share exceeds :data:`NOISE_THRESHOLD` (and ≥ NOISE_MIN_INVALID)."""
        return _noisy(invalid_share(text))

    def run(self, text: str, *, force: bool = False) -> RepairReport:
        """Repair ``text``; no edits unless it is noisy (``force=True`` skips the gate, for evaluation)."""
        before = invalid_share(text)
        if not force and not _noisy(before):
            return RepairReport([], before, before)
        edits = self._edits(text)
        repaired, _ = apply_edits(text, edits)
        after = invalid_share(repaired)
        log.info("OCR repair: %d edits; %s -> %s", len(edits), before, after)
        return RepairReport(edits, before, after)

    # -- token decisions ----------------------------------------------------------------------------

    def _edits(self, text: str) -> list[Edit]:
        slots: dict[int, _Slot] = {}
        for run in chains(text):
            run_slots = [self._slot(tok) for tok in run]
            self._decide(run_slots)
            for slot in run_slots:
                slots[slot.token.start] = slot
        for tok in tokens(text):  # tokens outside runs: compound codes, words glued to symbols
            if tok.start not in slots and tok.has_letter:
                slot = self._slot(tok)
                slot.choice = next((c for c in slot.candidates if c.kind in ("acronym", "case")), None)
                slots[tok.start] = slot
        for slot in slots.values():
            if slot.choice is None and not slot.valid and _garbage_like(slot.token.text):
                slot.delete = True
        edits = self._line_edits(text, slots)
        edits.extend(self._roman_edits(text, {e.start for e in edits}))
        edits.sort(key=lambda e: e.start)
        return edits

    def _slot(self, tok: Token) -> _Slot:
        if not tok.has_letter:
            return _Slot(tok, NUM, True, [])
        word = tok.text
        lower = word.lower()
        valid = is_valid_token(word)
        if tok.compound:  # part of a code such as KH-ƯBND: only acronym repair
            return _Slot(tok, lower, valid, self._acronym_candidates(word))
        if word.isalpha() and len(word) > 1 and word.isupper() and not is_valid_syllable(word):
            acronyms = self._acronym_candidates(word)
            if acronyms:
                return _Slot(tok, lower, valid, acronyms)
        if valid and not is_valid_syllable(word):  # acronym, single letter, coded word: left alone
            return _Slot(tok, lower, True, [])
        if any(c.isdigit() for c in word):  # codes such as V1, 4G: never rewritten
            return _Slot(tok, lower, True, [])
        if not valid and word.isalpha() and word_case(word) is None and is_valid_syllable(lower):
            return _Slot(tok, lower, False, [Candidate(lower, 0.05, "case")])
        return _Slot(tok, lower, valid, list(self._gen.for_token(lower, valid)))

    def _acronym_candidates(self, word: str) -> list[Candidate]:
        """``ƯBND`` → ``UBND``: an upper-case code with stray marks that matches a known acronym."""
        if is_valid_token(word):
            return []
        plain = "".join(c if c == "Đ" else skeleton(c).upper() for c in word)
        if plain != word and plain in self.stats.acronyms:
            return [Candidate(plain, 0.1, "acronym")]
        return []

    def _decide(self, run: list[_Slot]) -> None:
        """Context search, Viterbi, evidence checks; repeated without the candidates that fail the checks."""
        self._add_context_candidates(run)
        self._prefilter(run)
        for _ in range(8):
            self._viterbi(run)
            if not self._reject(run):
                return
        for slot in run:  # give up on what still fails
            slot.choice = None if slot.choice is not None and self._fails(run, slot) else slot.choice

    def _add_context_candidates(self, run: list[_Slot]) -> None:
        """For invalid tokens, also try the words the neighbours predict (larger distances allowed)."""
        for i, slot in enumerate(run):
            if slot.valid or slot.token.compound:
                continue
            stripped = _strip_garbage(slot.word)
            if not any(c.isalpha() for c in stripped) or len(stripped) > 9:
                continue
            pool: set[str] = set()
            if i > 0:
                for left in _forms(run[i - 1]):
                    pool |= self.stats.followers.get(left, set())
            if i + 1 < len(run):
                for right in _forms(run[i + 1]):
                    pool |= self.stats.preceders.get(right, set())
            have = {c.form for c in slot.candidates}
            base = 0.1 if stripped != slot.word else 0.0
            for known in pool:
                if known in have or known not in self.stats.syllables or abs(len(known) - len(stripped)) > 3:
                    continue
                dist = weighted_distance(stripped, known, SEARCH_LIMITS[-1])
                if dist <= SEARCH_LIMITS[-1]:
                    slot.candidates.append(Candidate(known, round(base + dist, 4), "search"))

    def _prefilter(self, run: list[_Slot]) -> None:
        """Drop search results that cannot pass :meth:`_fails` whatever the neighbours become."""
        for i, slot in enumerate(run):
            if slot.valid or not slot.candidates:
                continue
            nearest = min(c.cost for c in slot.candidates)
            kept = []
            for cand in slot.candidates:
                if cand.kind == "search":
                    form = cand.form.lower()
                    evidence = int(i > 0 and any(self.stats.bigram(f, form) for f in _forms(run[i - 1])))
                    evidence += int(i + 1 < len(run) and any(self.stats.bigram(form, f) for f in _forms(run[i + 1])))
                    if cand.cost > SEARCH_LIMITS[evidence] or (evidence < 2 and cand.cost > nearest + SEARCH_WINDOW):
                        continue
                kept.append(cand)
            slot.candidates = kept

    def _viterbi(self, run: list[_Slot]) -> None:
        stats = self.stats
        layers: list[list[tuple[str, float, Candidate | None]]] = []
        for slot in run:
            options: list[tuple[str, float, Candidate | None]] = [
                (slot.word, 0.0 if slot.valid else KEEP_INVALID, None)
            ]
            extra = REAL_WORD_PENALTY if slot.valid else 0.0
            options.extend((c.form.lower(), LAMBDA * c.cost + extra, c) for c in slot.candidates)
            layers.append(options)
        scores = [stats.logp(form, BOS) - cost for form, cost, _ in layers[0]]
        back: list[list[int]] = []
        for layer in layers[1:]:
            prev_forms = [form for form, _, _ in layers[len(back)]]
            new_scores: list[float] = []
            pointers: list[int] = []
            for form, cost, _ in layer:
                best, arg = -math.inf, 0
                for k, prev_form in enumerate(prev_forms):
                    s = scores[k] + stats.logp(form, prev_form)
                    if s > best:
                        best, arg = s, k
                new_scores.append(best - cost)
                pointers.append(arg)
            scores = new_scores
            back.append(pointers)
        scores = [score + stats.logp(EOS, form) for score, (form, _, _) in zip(scores, layers[-1], strict=True)]
        k = max(range(len(scores)), key=scores.__getitem__)
        path = [k]
        for pointers in reversed(back):
            k = pointers[k]
            path.append(k)
        path.reverse()
        for slot, layer, k in zip(run, layers, path, strict=True):
            slot.choice = layer[k][2]

    def _fails(self, run: list[_Slot], slot: _Slot) -> bool:
        """Whether the chosen candidate of ``slot`` lacks the evidence its kind needs."""
        cand = slot.choice
        if cand is None:
            return False
        i = run.index(slot)
        stats = self.stats
        left = _final(run[i - 1]) if i > 0 else BOS
        right = _final(run[i + 1]) if i + 1 < len(run) else EOS
        form = cand.form.lower()
        evidence = int(left != BOS and stats.bigram(left, form) > 0) + int(
            right != EOS and stats.bigram(form, right) > 0
        )
        if slot.valid:
            gain = _local(stats, form, left, right) - _local(stats, slot.word, left, right)
            log.debug(
                "real-word %s -> %s: margin %.2f, evidence %d", slot.word, form, gain - LAMBDA * cand.cost, evidence
            )
            return evidence == 0 or gain - LAMBDA * cand.cost < REAL_WORD_MARGIN
        if cand.kind == "search":
            if cand.cost > SEARCH_LIMITS[evidence]:
                return True
            nearest = min(c.cost for c in slot.candidates)
            return evidence < 2 and cand.cost > nearest + SEARCH_WINDOW
        return False

    def _reject(self, run: list[_Slot]) -> bool:
        rejected = False
        for slot in run:
            if self._fails(run, slot):
                assert slot.choice is not None
                slot.candidates = [c for c in slot.candidates if c is not slot.choice]
                slot.choice = None
                rejected = True
        return rejected

    # -- edits --------------------------------------------------------------------------------------

    def _replacement(self, text: str, slot: _Slot, upper_lines: dict[int, bool]) -> str | None:
        cand = slot.choice
        if cand is None:
            return None
        if cand.kind == "acronym":
            return cand.form
        case = _case_of(slot.token.text, cand.form)
        if case != "lower" and upper_lines.get(_line_of(text, slot.token.start)):
            case = "upper"
        return apply_case(cand.form, case)

    def _line_edits(self, text: str, slots: dict[int, _Slot]) -> list[Edit]:
        """Token replacements, deletion of garbage chunks (with one side's spaces), garbage-only lines."""
        upper_lines = _upper_lines(text, slots)
        by_start = sorted(slots.values(), key=lambda s: s.token.start)
        out: list[Edit] = []
        offset = 0
        cursor = 0
        for line in text.split("\n"):
            line_end = offset + len(line)
            line_slots: list[_Slot] = []
            while cursor < len(by_start) and by_start[cursor].token.start < line_end:
                if by_start[cursor].token.start >= offset:
                    line_slots.append(by_start[cursor])
                cursor += 1
            chunks = [(m.start() + offset, m.end() + offset) for m in re.finditer(r"\S+", line)]
            drop: list[bool] = []
            for start, end in chunks:
                chunk = text[start:end]
                inner = [s for s in line_slots if start <= s.token.start < end and s.token.has_letter]
                if inner:
                    drop.append(all(s.delete for s in inner))
                else:
                    drop.append(_garbage_chunk(chunk))
            words = [s for s in line_slots if s.token.has_letter]
            unresolved = bool(words) and all(s.delete or (not s.valid and s.choice is None) for s in words)
            garbage_line = bool(chunks) and (
                all(drop)
                or (
                    unresolved
                    and any(c in GARBAGE_CHARS for c in line)
                    and not any(NUMBER_RE.fullmatch(text[a:b]) for a, b in chunks)
                )
            )
            if garbage_line:
                out.append(Edit(offset, offset + len(line.rstrip("\r")), "", "garbage-only line"))
                offset = line_end + 1
                continue
            kept = [k for k, d in enumerate(drop) if not d]
            k = 0
            while k < len(chunks):
                if not drop[k]:
                    out.extend(_symbol_edits(text, *chunks[k]))
                    for slot in line_slots:
                        if chunks[k][0] <= slot.token.start < chunks[k][1] and not slot.delete:
                            rep = self._replacement(text, slot, upper_lines)
                            if rep is not None and rep != slot.token.text:
                                assert slot.choice is not None
                                out.append(Edit(slot.token.start, slot.token.end, rep, slot.choice.kind))
                        elif chunks[k][0] <= slot.token.start < chunks[k][1] and slot.delete:
                            out.append(Edit(slot.token.start, slot.token.end, "", "stamp/signature garbage"))
                    k += 1
                    continue
                j = k
                while j + 1 < len(chunks) and drop[j + 1]:
                    j += 1
                before = [x for x in kept if x < k]
                after = [x for x in kept if x > j]
                if before:
                    span = (chunks[before[-1]][1], chunks[j][1])
                elif after:
                    span = (chunks[k][0], chunks[after[0]][0])
                else:
                    span = (chunks[k][0], chunks[j][1])
                out.append(Edit(span[0], span[1], "", "stamp/signature garbage"))
                k = j + 1
            offset = line_end + 1
        return out

    def _roman_edits(self, text: str, taken: set[int]) -> list[Edit]:
        """Restore Roman heading markers (``11.`` → ``II.``) that continue the document's sequence."""
        found: list[Edit] = []
        last = 0
        genuine = False
        offset = 0
        for line in text.split("\n"):
            match = _HEADING_RE.match(line)
            if match and _mostly_upper(match.group(5)):
                marker = match.group(2)
                if marker in _ROMAN:
                    last = _ROMAN.index(marker) + 1
                    genuine = True
                elif last < len(_ROMAN):
                    shape = "".join(_ROMAN_SHAPES.get(c, "?") for c in marker)
                    if shape == _ROMAN[last]:
                        start = offset + match.start(2)
                        if start not in taken:
                            found.append(Edit(start, start + len(marker), shape, "Roman numeral heading"))
                        last += 1
            offset += len(line) + 1
        return found if genuine else []


def _forms(slot: _Slot) -> list[str]:
    return [slot.word] + [c.form.lower() for c in slot.candidates]


def _garbage_chunk(chunk: str) -> bool:
    """A chunk without letters made of stamp symbols (``■'``, ``^5®``): more symbols than digits."""
    if any(c.isalpha() for c in chunk):
        return False
    symbols = sum(c in GARBAGE_CHARS for c in chunk)
    return symbols > 0 and symbols >= sum(c.isdigit() for c in chunk)


def _symbol_edits(text: str, start: int, end: int) -> list[Edit]:
    """In a kept chunk without letters (``20%■``), delete the stamp symbols and keep the number."""
    chunk = text[start:end]
    if any(c.isalpha() for c in chunk) or not any(c in GARBAGE_CHARS for c in chunk):
        return []
    return [
        Edit(start + m.start(), start + m.end(), "", "stamp/signature garbage")
        for m in re.finditer("[" + re.escape("".join(sorted(GARBAGE_CHARS))) + "]+", chunk)
    ]


def _noisy(share: InvalidShare) -> bool:
    return share.share > NOISE_THRESHOLD and share.invalid_count >= NOISE_MIN_INVALID


def _final(slot: _Slot) -> str:
    return slot.choice.form.lower() if slot.choice is not None else slot.word


def _local(stats: SyllableStats, word: str, left: str, right: str) -> float:
    return stats.logp(word, left) + stats.logp(right, word)


def _garbage_like(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    if any(c in GARBAGE_CHARS for c in word):
        return True
    if not letters:
        return True
    letter_word = "".join(letters)
    if word_case(letter_word) is None:
        return True
    if any(c in _FOREIGN for c in letter_word.lower()):
        return True
    return not any(_char_parts(c)[0] in "aeiouy" for c in letter_word.lower())


def _case_of(original: str, replacement: str) -> str:
    """Case pattern to write the replacement in: that of the original, with OCR quirks resolved."""
    letters = "".join(c for c in original if c.isalpha())
    if not letters:
        return "lower"
    case = word_case(letters)
    if case == "title" and len(letters) > 1 and letters[0] == "I" and not replacement.startswith("i"):
        return "lower"  # a lower-case k/l/kh read as capital I
    if case is not None:
        return case
    if letters[0].islower():
        return "lower"
    rest = letters[1:]
    uppers = sum(c.isupper() for c in rest)
    return "upper" if uppers * 2 > len(rest) else "title"


def _mostly_upper(title: str) -> bool:
    letters = [c for c in title if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


@lru_cache(maxsize=4)
def _line_starts(text: str) -> tuple[int, ...]:
    return (0, *(i + 1 for i, c in enumerate(text) if c == "\n"))


def _line_of(text: str, offset: int) -> int:
    return bisect_right(_line_starts(text), offset) - 1


def _upper_lines(text: str, slots: dict[int, _Slot]) -> dict[int, bool]:
    """Lines whose other words are all upper case (after case repair): headings such as ``TỔ CHỨC``."""
    per_line: dict[int, list[bool]] = defaultdict(list)
    for slot in slots.values():
        tok = slot.token
        letters = "".join(c for c in tok.text if c.isalpha())
        if len(letters) < 2:
            continue
        if slot.choice is not None and slot.choice.kind == "case":
            is_upper = _case_of(tok.text, slot.choice.form) == "upper"
        else:
            is_upper = letters.isupper()
        per_line[_line_of(text, tok.start)].append(is_upper)
    return {line: sum(flags) >= 2 and sum(flags) >= len(flags) - 1 for line, flags in per_line.items()}


@lru_cache(maxsize=8)
def _cached_repairer(texts: tuple[str, ...]) -> OcrRepairer:
    return OcrRepairer(SyllableStats.from_texts(texts))
