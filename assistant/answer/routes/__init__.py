"""The answer routes, one per file, and the registry that runs them.

Each route declares how sure it is that it can answer a question frame (``score``) and writes a draft or
nothing (``answer``). :func:`run` tries the routes from the most to the least sure; the first draft that the
caller accepts (the "addresses the question" gate) wins, a route's own refusal ends the search, and the trace
says which route decided and why. Adding a question kind is adding one file and one line below.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.answer.context import AnswerContext
from assistant.answer.draft import Draft
from assistant.answer.routes import (
    cited_documents,
    deadlines,
    document_facts,
    document_in_passage,
    duties,
    funding,
    greeting,
    legal_basis,
    outline,
    passages,
    plan_metadata,
    recipients,
    reporting,
    reporting_difference,
    responsible_units,
    target_baseline,
    target_comparison,
    target_difference,
    target_which,
    targets,
    task_count,
    task_list,
    tasks,
    unassigned_unit,
    unknown_province,
    which_plans,
)
from assistant.answer.routes.base import Route
from assistant.search.retrieval import SearchResult
from assistant.understanding import QuestionFrame

log = logging.getLogger(__name__)

# In this order when two routes are equally sure.
ROUTES: list[Route] = [
    greeting.ROUTE,
    unknown_province.ROUTE,
    unassigned_unit.ROUTE,
    document_facts.ROUTE,
    document_in_passage.ROUTE,
    cited_documents.ROUTE,
    targets.ROUTE,
    target_comparison.ROUTE,
    target_baseline.ROUTE,
    target_which.ROUTE,
    target_difference.ROUTE,
    reporting_difference.ROUTE,
    task_count.ROUTE,
    task_list.ROUTE,
    which_plans.ROUTE,
    responsible_units.ROUTE,
    recipients.ROUTE,
    tasks.ROUTE,
    deadlines.ROUTE,
    reporting.ROUTE,
    duties.ROUTE,
    funding.ROUTE,
    plan_metadata.ROUTE,
    legal_basis.ROUTE,
    outline.ROUTE,
    passages.ROUTE,
]


@dataclass
class RouteTrace:
    """Which routes were tried for a frame, with their scores, which one wrote the draft, and which drafts the
    "addresses the question" gate turned down."""

    scores: list[tuple[str, float]]
    tried: list[str]
    decided: str | None
    turned_down: list[str] = field(default_factory=list)

    def describe(self) -> str:
        scored = ", ".join(f"{name}={score:.2f}" for name, score in self.scores)
        down = f" turned_down={','.join(self.turned_down)}" if self.turned_down else ""
        return f"route={self.decided or 'none'} tried={'>'.join(self.tried) or '-'}{down} scores=[{scored}]"


def rank(frame: QuestionFrame, ctx: AnswerContext, search: SearchResult | None) -> list[tuple[Route, float]]:
    """The routes that can answer ``frame``, surest first (ties in :data:`ROUTES` order)."""
    scored = [(route, route.score(frame, ctx, search)) for route in ROUTES]
    return sorted((item for item in scored if item[1] > 0), key=lambda item: -item[1])


def run(
    frame: QuestionFrame,
    ctx: AnswerContext,
    search: SearchResult | None,
    accept: Callable[[Draft], bool] = lambda draft: True,
) -> tuple[Draft | None, RouteTrace]:
    """The first draft of the surest route that ``accept`` takes (a route's own refusal always counts); when every
    answer is turned down, the first of them, for the caller to refuse (see the module docstring)."""
    ranked = rank(frame, ctx, search)
    trace = RouteTrace([(r.name, s) for r, s in ranked], [], None)
    first_turned_down: Draft | None = None
    for route, _ in ranked:
        trace.tried.append(route.name)
        try:
            draft = route.answer(frame, ctx, search)
        except Exception:  # a route's bug must not cost the user an answer from the next route
            log.exception("Route %s failed on: %s", route.name, frame.describe())
            continue
        if draft is None:
            continue
        draft.route_detail = route.name
        if draft.status != "answered" or accept(draft):
            trace.decided = route.name
            return draft, trace
        trace.turned_down.append(route.name)
        first_turned_down = first_turned_down or draft
    if first_turned_down is not None:
        trace.decided = first_turned_down.route_detail
    return first_turned_down, trace
