"""Which plans set a target ("Kế hoạch nào có chỉ tiêu tăng doanh thu tối thiểu 10%?"): the plans whose target for
the indicator (at the value the question names, if any) exists, each cited, and the plans without it."""

from __future__ import annotations

import re

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.answer.routes.targets import target_order, target_phrase
from assistant.answer.words import lines

PERCENT_RE = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*%")


class TargetWhich(Route):
    name = "target_which"
    templates = {
        "vi": {
            "which": "Các kế hoạch có chỉ tiêu này{value}: {provinces}.",
            "value": " ở mức {value}%",
            "none": "Không kế hoạch nào trong kho ({provinces}) có chỉ tiêu này{value}.",
            "without": "Không có: {provinces}.",
        },
        "en": {
            "which": "Plans with this target{value}: {provinces}.",
            "value": " at {value}%",
            "none": "No plan in the corpus ({provinces}) sets this target{value}.",
            "without": "Not in: {provinces}.",
        },
    }

    def score(self, frame, ctx, search) -> float:
        return 0.82 if frame.asked == "target_value" and frame.aggregate == "which" and frame.indicators else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        values = {float(v.replace(",", ".")) for v in PERCENT_RE.findall(frame.question)}
        rows = [
            f
            for f in ctx.select("target", ctx.scope(frame))
            if f.indicator in frame.indicators and (not frame.years or f.year in frame.years)
        ]
        if values:
            rows = [f for f in rows if f.value in values or f.qualifiers.get("min_revenue_growth_pct") in values]
        shown = ", ".join(f"{v:g}" for v in sorted(values))
        value = self.t(frame, "value", value=shown) if values else ""
        if not rows:
            return Draft(
                self.t(frame, "none", provinces=", ".join(ctx.scope(frame)), value=value), "not_found", "facts"
            )
        cite = ctx.citations()
        having = [p for p in ctx.scope(frame) if any(f.province == p for f in rows)]
        items = [
            f"{p}: "
            + "; ".join(target_phrase(f, frame, cite) for f in sorted(rows, key=target_order) if f.province == p)
            for p in having
        ]
        missing = [p for p in ctx.scope(frame) if p not in having]
        text = self.t(frame, "which", provinces=", ".join(having), value=value) + "\n" + lines("", items)
        if missing:
            text += "\n" + self.t(frame, "without", provinces=", ".join(missing))
        return Draft(text, "answered", "facts", cite.items, rows)


ROUTE = TargetWhich()
