"""Whether a question is written in English (Vietnamese names keep their marks: "Lai Châu")."""

from __future__ import annotations

import re

from assistant.domain.normalize import fold
from assistant.domain.provinces import ProvinceMatcher
from assistant.domain.syllables import diacritic_variants

_MATCHER = ProvinceMatcher()
ENGLISH_WORDS = frozenset(
    "what which who when how is are the of in for does do plan target province by and to a an lead leads with set "
    "much many should will".split()
)


def is_english(question: str, folded: str) -> bool:
    """Mostly unmarked words, enough of them English; the names of provinces keep their marks in English too
    ("Compare … in Quảng Trị and Thừa Thiên Huế"), so they do not count."""
    for mention in sorted(_MATCHER.mentions(question), key=lambda m: -m.start):
        if len(fold(question)) == len(question):  # offsets of the folded text are those of the question
            question = question[: mention.start] + " " + question[mention.end :]
    words = re.findall(r"[a-z]+", folded)
    tokens = re.findall(r"\w+", question.lower())
    unmarked = [t for t in tokens if fold(t) == t]
    if not words or len(unmarked) < 0.75 * len(tokens):
        return False
    # function words of English, or words no tone or mark makes a Vietnamese syllable ("appendix", "platforms")
    foreign = [w for w in words if len(w) > 2 and not diacritic_variants(w)]
    return sum(w in ENGLISH_WORDS for w in words) >= max(2, len(words) // 4) or (
        len(foreign) >= 3 and len(foreign) >= 0.4 * len(words)
    )
