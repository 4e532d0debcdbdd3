"""Answering: from a question frame to a cited draft (routes, one per file), then the "addresses the question" gate.

| module | job |
|---|---|
| ``draft.py`` | :class:`Draft` and the numbering of citations |
| ``context.py`` | :class:`AnswerContext`: corpus, facts, vocabulary, the unit matcher |
| ``words.py`` | content words, overlaps, sentence spans |
| ``templates.py`` | phrases shared by several routes |
| ``routes/`` | one answer route per file, and the registry that runs them by score |
| ``supplement.py`` | "Xem thêm": a plan sentence added where a facts answer leaves the question uncovered |
| ``composer.py`` | :class:`Composer`: routes → draft, or an honest "not found" |
"""

from assistant.answer.composer import Composer
from assistant.answer.draft import Citations, Draft

__all__ = ["Citations", "Composer", "Draft"]
