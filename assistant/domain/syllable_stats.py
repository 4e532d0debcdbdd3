"""A language model over Vietnamese syllables: unigram and bigram counts learned from clean texts.

OCR repair scores its candidate words with it, and diacritic restoration of typed questions picks the marks the
plans use with it; the index keeps the statistics of its passages (``syllables.pickle``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable

from assistant.domain.syllables import Token, is_acronym, is_valid_syllable, skeleton, tokens

NUM = "<num>"
BOS = "<s>"
EOS = "</s>"
GARBAGE_CHARS = frozenset("^_®©■□▪▫●◆◇¬¤¦|~`§¶°•")
"""Stamp and scan symbols: transparent between words, removed by OCR repair."""
NUMBER_RE = re.compile(r"[\d.,:/%+\-–]*\d[\d.,:/%+\-–]*")


def chains(text: str) -> list[list[Token]]:
    """Runs of tokens separated only by whitespace (or stamp symbols); other punctuation breaks a run."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    last_end = -1
    for tok in tokens(text):
        if not tok.has_letter and not NUMBER_RE.fullmatch(tok.text):
            if any(c in GARBAGE_CHARS for c in tok.text):
                continue  # transparent: removed later
            if current:
                runs.append(current)
            current, last_end = [], -1
            continue
        gap = text[last_end : tok.start] if last_end >= 0 else ""
        if current and (tok.compound or not all(c.isspace() or c in GARBAGE_CHARS for c in gap)):
            runs.append(current)
            current = []
        current.append(tok)
        last_end = tok.end
    if current:
        runs.append(current)
    return runs


def _lm_word(tok: Token) -> str | None:
    if not tok.has_letter:
        return NUM
    if tok.text.isalpha() and (is_valid_syllable(tok.text) or is_acronym(tok.text)):
        return tok.text.lower()
    return None


class SyllableStats:
    """Unigram and bigram counts of lower-case syllables learned from clean texts.

    Tokens are those of :func:`assistant.domain.syllables.tokens`; runs of words are cut at punctuation
    (see :func:`chains`), each run is framed by ``<s>`` … ``</s>``, any number counts as ``<num>``,
    acronyms are kept (lower-cased) for context, and other invalid tokens cut the run.
    :meth:`logp` is interpolated absolute discounting (``D`` = 0.75) over an add-½ unigram spread over
    :attr:`VOCAB_SIZE` possible syllables, so unseen syllables keep a small probability.
    """

    VOCAB_SIZE = 7000
    DISCOUNT = 0.75

    def __init__(
        self, unigrams: Counter[str], bigrams: Counter[tuple[str, str]], acronyms: frozenset[str] = frozenset()
    ) -> None:
        self.unigrams = unigrams
        self.bigrams = bigrams
        self.acronyms = acronyms
        self._left_totals: Counter[str] = Counter()
        self._left_types: Counter[str] = Counter()
        self.followers: dict[str, set[str]] = defaultdict(set)
        self.preceders: dict[str, set[str]] = defaultdict(set)
        for (a, b), count in bigrams.items():
            self._left_totals[a] += count
            self._left_types[a] += 1
            self.followers[a].add(b)
            self.preceders[b].add(a)
        self._total = sum(unigrams.values())
        self._eos_share = sum(c for (_, b), c in bigrams.items() if b == EOS) / max(self._total, 1)
        self._logp_cache: dict[tuple[str, str], float] = {}
        self.syllables = frozenset(w for w in unigrams if is_valid_syllable(w))
        """The known syllables: the only replacements the repair proposes."""
        self._by_skeleton: dict[str, list[str]] = defaultdict(list)
        self._deletes: dict[str, set[str]] = defaultdict(set)
        for word in sorted(self.syllables, key=lambda w: (-unigrams[w], w)):
            skel = skeleton(word)
            self._by_skeleton[skel].append(word)
            for variant in _deletions(skel, 2):
                self._deletes[variant].add(word)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> SyllableStats:
        """Count syllables and bigrams in clean texts (NFC)."""
        unigrams: Counter[str] = Counter()
        bigrams: Counter[tuple[str, str]] = Counter()
        acronyms: set[str] = set()
        for text in texts:
            text = unicodedata.normalize("NFC", text)
            for run in chains(text):
                prev: str | None = BOS
                for tok in run:
                    word = _lm_word(tok)
                    if word is not None and tok.has_letter and is_acronym(tok.text):
                        acronyms.add(tok.text)
                    if word is None:
                        if prev is not None and prev != BOS:
                            bigrams[(prev, EOS)] += 1
                        prev = None
                        continue
                    unigrams[word] += 1
                    if prev is not None:
                        bigrams[(prev, word)] += 1
                    prev = word
                if prev is not None and prev != BOS:
                    bigrams[(prev, EOS)] += 1
        return cls(unigrams, bigrams, frozenset(acronyms))

    def count(self, word: str) -> int:
        return self.unigrams.get(word, 0)

    def bigram(self, a: str, b: str) -> int:
        return self.bigrams.get((a, b), 0)

    def logp_unigram(self, word: str) -> float:
        return math.log((self.unigrams.get(word, 0) + 0.5) / (self._total + 0.5 * self.VOCAB_SIZE))

    def logp(self, word: str, previous: str) -> float:
        """Smoothed ``log P(word | previous)``; ``previous`` may be ``<s>``, ``word`` may be ``</s>``."""
        key = (word, previous)
        cached = self._logp_cache.get(key)
        if cached is None:
            cached = self._logp(word, previous)
            self._logp_cache[key] = cached
        return cached

    def _logp(self, word: str, previous: str) -> float:
        uni = math.exp(self.logp_unigram(word)) if word != EOS else self._eos_share
        total = self._left_totals.get(previous, 0)
        if not total:
            return math.log(uni)
        count = self.bigrams.get((previous, word), 0)
        seen = max(count - self.DISCOUNT, 0.0) / total
        backoff = self.DISCOUNT * self._left_types[previous] / total
        return math.log(seen + backoff * uni)

    def same_skeleton(self, word: str) -> list[str]:
        """Known syllables spelled with the same letters, diacritics aside (most frequent first)."""
        return self._by_skeleton.get(skeleton(word), [])

    def near(self, word: str) -> set[str]:
        """Known syllables within two deletions of ``word``'s skeleton on either side (SymSpell index)."""
        out: set[str] = set()
        for variant in _deletions(skeleton(word), 2):
            out |= self._deletes.get(variant, set())
        return out


def _deletions(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out
