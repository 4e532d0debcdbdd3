"""Question answering over the provincial plans for the digital transformation of the press.

``assistant.answer(question, history=None, province=None)`` answers with citations verified against the
facts table; the engine loads on first use and is reused.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.engine import AnswerEngine
    from assistant.schema import Answer

_engine: AnswerEngine | None = None
_lock = threading.Lock()


def get_engine() -> AnswerEngine:
    """The process-wide answer engine, loaded on first use."""
    global _engine
    with _lock:
        if _engine is None:
            from assistant.engine import AnswerEngine

            _engine = AnswerEngine.load()
        return _engine


def answer(question: str, history: list[dict] | None = None, province: str | None = None) -> Answer:
    """Answer a question about the plans; see :class:`assistant.schema.Answer`."""
    return get_engine().answer(question, history=history, province=province)


__all__ = ["answer", "get_engine"]
