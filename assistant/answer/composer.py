"""Answer composition: runs the routes for a question frame, checks that the draft addresses the question (else an
honest "not found" replaces it), adds a "see also" sentence where a facts answer leaves much uncovered, and falls
back to a "not found" that says what the corpus covers."""

from __future__ import annotations

from assistant.answer import addressing, routes
from assistant.answer.addressing import Addressing
from assistant.answer.context import AnswerContext
from assistant.answer.draft import Draft
from assistant.answer.supplement import supplement
from assistant.answer.templates import phrase
from assistant.facts.model import Fact
from assistant.ingest.corpus import Corpus
from assistant.search.retrieval import SearchResult
from assistant.understanding import QuestionFrame


class Composer:
    """Composes drafts; see the module docstring."""

    def __init__(self, corpus: Corpus, facts: list[Fact]) -> None:
        self.ctx = AnswerContext(corpus, facts)

    def run(self, frame: QuestionFrame, search: SearchResult | None) -> tuple[Draft, routes.RouteTrace, Addressing]:
        """Input: the frame and the retrieved passages (None when retrieval was skipped). Output: the draft, the
        trace of the routes tried, and whether the draft addresses the question."""
        draft, trace = routes.run(
            frame, self.ctx, search, accept=lambda d: addressing.check(frame, d, self.ctx).addressed
        )
        if draft is None:
            provinces = ", ".join(frame.provinces or self.ctx.provinces)
            text = phrase(frame.language, "not_found", provinces=provinces) + phrase(frame.language, "covers")
            draft = Draft(text, "not_found", "none", route_detail="not_found")
        verdict = addressing.check(frame, draft, self.ctx)
        if draft.status == "answered" and not verdict.addressed:
            draft = addressing.refuse(frame, draft, verdict, self.ctx)
        elif draft.status == "answered":
            supplement(draft, frame, search, self.ctx.corpus)
        if draft.province is None and len(frame.provinces) == 1:
            draft.province = frame.provinces[0]
        return draft, trace, verdict
