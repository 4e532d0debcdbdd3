"""Answer composition: runs the routes for a question frame, adds a "see also" sentence where a facts answer leaves
much uncovered, and falls back to an honest "not found" that says what the corpus covers."""

from __future__ import annotations

from assistant.answer import routes
from assistant.answer.context import AnswerContext
from assistant.answer.draft import Draft
from assistant.answer.supplement import supplement
from assistant.answer.templates import phrase
from assistant.corpus import Corpus
from assistant.facts import Fact
from assistant.retrieval import SearchResult
from assistant.understanding import QuestionFrame


class Composer:
    """Composes drafts; see the module docstring."""

    def __init__(self, corpus: Corpus, facts: list[Fact]) -> None:
        self.ctx = AnswerContext(corpus, facts)

    def run(self, frame: QuestionFrame, search: SearchResult | None) -> tuple[Draft, routes.RouteTrace]:
        """Input: the frame and the retrieved passages (None when retrieval was skipped). Output: the draft and
        the trace of the routes tried."""
        draft, trace = routes.run(frame, self.ctx, search)
        if draft is None:
            provinces = ", ".join(frame.provinces or self.ctx.provinces)
            text = phrase(frame.language, "not_found", provinces=provinces) + phrase(frame.language, "covers")
            draft = Draft(text, "not_found", "none", route_detail="not_found")
        else:
            supplement(draft, frame, search, self.ctx.corpus)
        if draft.province is None and len(frame.provinces) == 1:
            draft.province = frame.provinces[0]
        return draft, trace
