"""Question understanding: what a question asks, about what, where and when (the question frame).

| module | job |
|---|---|
| ``frame.py`` | the typed :class:`QuestionFrame` (attribute, aggregate, subject, scope, constraints, trace) |
| ``cues.py`` | folded cue tables for attributes, aggregates, levels, outlines, reports |
| ``indicator_cues.py`` | which target indicators a question names (words, then embedding similarity) |
| ``quantities.py`` | a sum of money or a count the question asks for |
| ``language.py`` | English or Vietnamese |
| ``instructions.py`` | sentences addressed to the assistant are dropped |
| ``conversation.py`` | follow-ups inherit from the conversation |
| ``reader.py`` | :class:`QuestionReader`: builds the frame |
"""

from assistant.understanding.frame import Constraint, Cue, QuestionFrame, Scope, Subject
from assistant.understanding.indicator_cues import indicator_descriptions, indicator_label
from assistant.understanding.instructions import strip_instructions
from assistant.understanding.reader import QuestionReader

__all__ = [
    "Constraint",
    "Cue",
    "QuestionFrame",
    "QuestionReader",
    "Scope",
    "Subject",
    "indicator_descriptions",
    "indicator_label",
    "strip_instructions",
]
