"""Which agencies a plan gives duties to under "Tổ chức thực hiện" ("liệt kê các sở được giao nhiệm vụ"): each
agency named at its own heading, cited; "các sở" keeps the departments only."""

from __future__ import annotations

import re

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.answer.words import lines
from assistant.domain.normalize import fold

LIST_RE = re.compile(
    r"(?:liet ke|ke ten|nhung|cac|bao nhieu|may) (?:so|don vi|co quan|ban nganh|ban, nganh)\b.{0,30}"
    r"(?:duoc giao|co (?:trach nhiem|nhiem vu)|tham gia|nao)|which (?:departments|units|agencies|bodies)"
)
DEPARTMENTS_RE = re.compile(r"\b(?:cac|nhung|bao nhieu|may) so\b|departments")


class ResponsibleUnits(Route):
    name = "responsible_units"
    templates = {
        "vi": {"units": "Các đơn vị được giao nhiệm vụ trong kế hoạch của {province}:"},
        "en": {"units": "Units given duties in the {province} plan:"},
    }

    def score(self, frame, ctx, search) -> float:
        # "các cơ quan báo chí được giao những việc gì" asks that group's duties, not the list of agencies
        named = [u for u in frame.subject.units if not fold(u).startswith(("cac so", "cac don vi", "don vi"))]
        listing = LIST_RE.search(frame.folded)
        return 0.86 if listing and not named and frame.asked in {"duties", None, "passage"} else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        departments = bool(DEPARTMENTS_RE.search(frame.folded))
        cite = ctx.citations()
        blocks, used = [], []
        for province in ctx.scope(frame):
            rows = ctx.select("responsibility", [province])
            if departments:
                rows = [f for f in rows if fold(f.responsible_unit).startswith("so ")]
            if not rows:
                continue
            seen: set[str] = set()
            items = []
            for fact in rows:
                if fact.responsible_unit in seen:
                    continue
                seen.add(fact.responsible_unit)
                used.append(fact)
                plan = ctx.corpus.get(fact.plan_id)
                line_end = plan.text.find("\n", fact.start)
                end = fact.end if line_end < 0 or line_end > fact.end else line_end
                items.append(f"{fact.responsible_unit} {cite.cite(fact.plan_id, fact.start, end, fact.section)}")
            blocks.append(lines(self.t(frame, "units", province=province), items))
        if not blocks:
            return None
        return Draft("\n\n".join(blocks), "answered", "facts", cite.items, used, states="duties")


ROUTE = ResponsibleUnits()
