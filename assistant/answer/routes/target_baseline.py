"""The year a growth target is measured against ("tăng 20% so với năm 2020"): the targets of the asked indicator
whose clause states its baseline year, cited."""

from __future__ import annotations

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.answer.words import lines
from assistant.domain.normalize import collapse_spaces


class TargetBaseline(Route):
    name = "target_baseline"
    templates = {
        "vi": {"baseline": "{province}: {wording} (so với năm {year}) {marker}"},
        "en": {"baseline": "{province}: {wording} (measured against {year}) {marker}"},
    }

    def score(self, frame, ctx, search) -> float:
        return 0.8 if frame.asked == "baseline_year" else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        rows = [
            f
            for f in ctx.select("target", ctx.scope(frame))
            if f.qualifiers.get("baseline_year") and (not frame.indicators or f.indicator in frame.indicators)
        ]
        if not rows:
            return None
        cite = ctx.citations()
        items = [
            self.t(
                frame,
                "baseline",
                province=f.province,
                wording=collapse_spaces(f.wording),
                year=f.qualifiers["baseline_year"],
                marker=cite.fact(f),
            )
            for f in rows
        ]
        return Draft(lines("", items) if len(items) > 1 else items[0], "answered", "facts", cite.items, rows)


ROUTE = TargetBaseline()
