"""Diacritic restoration for questions typed without marks ("ai chu tri" → "ai chủ trì"), from the plans' own syllables.

Each unmarked word is replaced by the most likely marked syllable with the same letters, chosen jointly for
the whole question by a Viterbi search over the syllable bigram model learned from the plan texts
(:class:`assistant.domain.syllable_stats.SyllableStats`). Words the plans never use (English, names) stay as typed.
The restored question feeds dense retrieval, which understands marked Vietnamese much better; BM25 keeps
working on folded text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.domain.syllable_stats import BOS, SyllableStats
from assistant.domain.syllables import apply_case, word_case

_PIECES = re.compile(r"(\w+)", re.UNICODE)
VIETNAMESE_SHARE = 0.6  # restore only when this share of the words are known Vietnamese syllables


class DiacriticRestorer:
    """Restores marks on ASCII-only Vietnamese words; see the module docstring."""

    def __init__(self, stats: SyllableStats) -> None:
        self.stats = stats

    @classmethod
    def from_texts(cls, texts: list[str]) -> DiacriticRestorer:
        return cls(SyllableStats.from_texts(texts))

    def restore(self, text: str) -> str:
        pieces = _PIECES.split(text)
        words = [(i, piece) for i, piece in enumerate(pieces) if i % 2 == 1]
        candidates = [self._candidates(piece) for _, piece in words]
        known = sum(1 for (_, w), c in zip(words, candidates, strict=True) if c[0] != w.lower() or len(c) > 1)
        if known < VIETNAMESE_SHARE * len(words):
            return text  # mostly words the plans never use: English or names, leave it alone
        if not any(len(c) > 1 or c[0] != w.lower() for (_, w), c in zip(words, candidates, strict=True)):
            return text
        best = self._viterbi(candidates)
        for (index, original), chosen in zip(words, best, strict=True):
            case = word_case(original) or "lower"
            pieces[index] = apply_case(chosen, case) if chosen != original.lower() else original
        return "".join(pieces)

    @lru_cache(maxsize=4096)  # noqa: B019 - one restorer per process, bounded cache
    def _candidates(self, word: str) -> list[str]:
        lower = word.lower()
        if not lower.isascii() or not lower.isalpha():
            return [lower]
        known = self.stats.same_skeleton(lower)[:8]
        return known or [lower]

    def _viterbi(self, lattice: list[list[str]]) -> list[str]:
        paths: dict[str, tuple[float, list[str]]] = {BOS: (0.0, [])}
        for options in lattice:
            step: dict[str, tuple[float, list[str]]] = {}
            for word in options:
                best_score, best_path = max(
                    ((score + self.stats.logp(word, prev), path) for prev, (score, path) in paths.items()),
                    key=lambda item: item[0],
                )
                step[word] = (best_score, [*best_path, word])
            paths = step
        return max(paths.values(), key=lambda item: item[0])[1]
