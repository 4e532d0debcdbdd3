"""Where the money comes from: the sources under the plan's funding part, each cited; a plan without that part is
answered from the duties that arrange its money; a sum of money the plan does not state is said so."""

from __future__ import annotations

import re

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.answer.words import lines
from assistant.domain.normalize import collapse_spaces, fold


class Funding(Route):
    name = "funding"
    templates = {
        "vi": {
            "funding": "Nguồn kinh phí theo kế hoạch của {province}:",
            "no_amount": "Kế hoạch của {province} không nêu số tiền cụ thể cho việc thực hiện.",
            "no_funding": "Kế hoạch của {province} không có phần kinh phí riêng.",
            "funding_duties": "Về kinh phí, kế hoạch giao:",
            "unit_funding": "Về kinh phí, kế hoạch của {province} giao {units}:",
        },
        "en": {
            "funding": "Funding sources in the {province} plan:",
            "no_amount": "The {province} plan does not state a sum of money.",
            "no_funding": "The {province} plan has no separate funding section.",
            "funding_duties": "On funding, it assigns:",
            "unit_funding": "On funding, the {province} plan assigns {units}:",
        },
    }

    def score(self, frame, ctx, search) -> float:
        return 0.8 if frame.asked in {"funding_sources", "amount"} else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        cite = ctx.citations()
        asks_amount = "money" in frame.constraint_values("quantity")
        blocks, used = [], []
        named = set(ctx.units_with_duties(frame))  # "Sở Tài chính bố trí kinh phí từ đâu?": its own duty first
        for province in ctx.scope(frame):
            if named:
                block = self._funding_duties(frame, ctx, province, cite, used, asks_amount, named)
                if block:
                    blocks.append(block)
            rows = ctx.select("funding", [province])
            if not rows:
                block = "" if named else self._funding_duties(frame, ctx, province, cite, used, asks_amount)
                if block:
                    blocks.append(block)
                continue
            used.extend(rows)
            items, seen = [], set()
            for fact in rows:
                if (fact.start, fact.end) in seen:
                    continue
                seen.add((fact.start, fact.end))
                items.append(f"{collapse_spaces(fact.value_text)} {cite.fact(fact)}")
            header = self.t(frame, "funding", province=province)
            if asks_amount:
                header = self.t(frame, "no_amount", province=province) + " " + header
            blocks.append(lines(header, items))
        if not used:
            return None
        status = "not_found" if asks_amount else "answered"
        return Draft("\n\n".join(blocks), status, "facts", cite.items, used, states="funding_sources")

    def _funding_duties(self, frame, ctx, province, cite, used, asks_amount, units: set[str] | None = None) -> str:
        """A plan without a funding part says who arranges the money in its agencies' duties: quote those (of
        ``units`` only, when given)."""
        items = []
        for fact in ctx.select("responsibility", [province]):
            if units and fact.responsible_unit not in units:
                continue
            for duty in fact.duties.split("\n"):
                if re.search(r"kinh phi|ngan sach|nguon von", fold(duty)):
                    duty = collapse_spaces(duty).lstrip("-– ")
                    items.append(f"{fact.responsible_unit}: {duty} {ctx.cite_duty(fact, duty, cite)}")
                    if fact not in used:
                        used.append(fact)
        if not items:
            return ""
        if units:
            header = self.t(frame, "unit_funding", province=province, units=", ".join(sorted(units)))
            return lines(header, items)
        header = self.t(frame, "no_funding", province=province) + " " + self.t(frame, "funding_duties")
        if asks_amount:
            header = self.t(frame, "no_amount", province=province) + " " + header
        return lines(header, items)


ROUTE = Funding()
