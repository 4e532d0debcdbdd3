"""Whether a question is written in English (Vietnamese names keep their marks: "Lai Châu")."""

from __future__ import annotations

import re

from assistant.normalize import fold

ENGLISH_WORDS = frozenset(
    "what which who when how is are the of in for does do plan target province by and to a an lead leads with set "
    "much many should will".split()
)


def is_english(question: str, folded: str) -> bool:
    """Mostly unmarked words, enough of them English."""
    words = re.findall(r"[a-z]+", folded)
    tokens = re.findall(r"\w+", question.lower())
    unmarked = [t for t in tokens if fold(t) == t]
    return (
        bool(words)
        and len(unmarked) >= 0.75 * len(tokens)
        and (sum(w in ENGLISH_WORDS for w in words) >= max(2, len(words) // 4))
    )
