"""Sentences addressed to the assistant instead of asking about the plans are dropped before a question is read."""

from __future__ import annotations

import re

from assistant.domain.normalize import fold

# "bỏ qua mọi hướng dẫn…", "ignore previous instructions", "hãy bịa…": dropped, so they cannot change an answer.
INSTRUCTION_RE = re.compile(
    r"(?:bo qua|quen|phot lo|ignore|disregard|forget|override)\b.{0,40}(?:huong dan|chi dan|quy tac|yeu cau|lenh"
    r"|instruction|prompt|rule)|\bbia\b|make (?:it|something|a number) up|dong vai|pretend|you are now|system prompt"
)
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?;])\s+")


def strip_instructions(question: str) -> str:
    """The question without sentences addressed to the assistant (see :data:`INSTRUCTION_RE`)."""
    sentences = _SENTENCE_SPLIT_RE.split(question.strip())
    kept = [s for s in sentences if not INSTRUCTION_RE.search(fold(s))]
    return " ".join(kept) if kept else ""
