"""The answer-route contract: how sure a route is that it can answer a frame, and the draft it writes."""

from __future__ import annotations

from typing import ClassVar

from assistant.answer.context import AnswerContext
from assistant.answer.draft import Draft
from assistant.search.retrieval import SearchResult
from assistant.understanding import QuestionFrame


class Route:
    """One way of answering. ``score`` (0 = not at all … 1 = certain) orders the routes for a frame; ``answer``
    returns a draft, or None when the data cannot answer (the next route is tried). Templates are per language."""

    name: ClassVar[str] = ""
    templates: ClassVar[dict[str, dict[str, str]]] = {}

    def score(self, frame: QuestionFrame, ctx: AnswerContext, search: SearchResult | None) -> float:
        raise NotImplementedError

    def answer(self, frame: QuestionFrame, ctx: AnswerContext, search: SearchResult | None) -> Draft | None:
        raise NotImplementedError

    def t(self, frame: QuestionFrame, key: str, **values) -> str:
        return self.templates[frame.language][key].format(**values)
