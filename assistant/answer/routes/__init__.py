"""The answer routes, one per file, and the registry that runs them.

Each route declares how sure it is that it can answer a question frame (``score``) and writes a draft or
nothing (``answer``). :func:`run` tries the routes from the most to the least sure; the first draft wins, and
the trace says which route decided and why. Adding a question kind is adding one file and one line below.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

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
from assistant.retrieval import SearchResult
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
    """Which routes were tried for a frame, with their scores, and which one wrote the draft."""

    scores: list[tuple[str, float]]
    tried: list[str]
    decided: str | None

    def describe(self) -> str:
        scored = ", ".join(f"{name}={score:.2f}" for name, score in self.scores)
        return f"route={self.decided or 'none'} tried={'>'.join(self.tried) or '-'} scores=[{scored}]"


def run(frame: QuestionFrame, ctx: AnswerContext, search: SearchResult | None) -> tuple[Draft | None, RouteTrace]:
    """The first draft of the surest route that can answer (see the module docstring)."""
    scored = [(route, route.score(frame, ctx, search)) for route in ROUTES]
    ranked = sorted((item for item in scored if item[1] > 0), key=lambda item: -item[1])
    tried: list[str] = []
    for route, _ in ranked:
        tried.append(route.name)
        draft = route.answer(frame, ctx, search)
        if draft is not None:
            draft.route_detail = route.name
            return draft, RouteTrace([(r.name, s) for r, s in ranked], tried, route.name)
    return None, RouteTrace([(r.name, s) for r, s in ranked], tried, None)
