"""A target compared across provinces (or years): each province's value for the indicator and year, cited, with
the highest and the lowest among the shares, and a province without the target said so."""

from __future__ import annotations

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.answer.routes.targets import conflict_notes, target_order, target_phrase
from assistant.answer.words import lines
from assistant.facts.model import Fact


class TargetComparison(Route):
    name = "target_comparison"
    templates = {
        "vi": {
            "comparison": "So sánh chỉ tiêu “{label}”{year}:",
            "all_equal": "Các tỉnh trên đều đặt cùng mức {value}.",
            "highest": "Cao nhất: {provinces} ({value}).",
            "lowest": "Thấp nhất: {provinces} ({value}).",
            "missing_in": "{province}: không có chỉ tiêu này",
        },
        "en": {
            "comparison": "Comparison of “{label}”{year}:",
            "all_equal": "All of these provinces set the same level, {value}.",
            "highest": "Highest: {provinces} ({value}).",
            "lowest": "Lowest: {provinces} ({value}).",
            "missing_in": "{province}: no such target",
        },
    }

    def score(self, frame, ctx, search) -> float:
        return 0.8 if frame.asked == "target_value" and frame.aggregate is not None and frame.indicators else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        cite = ctx.citations()
        blocks: list[str] = []
        used: list[Fact] = []
        for code in frame.indicators[:2]:
            rows = [f for f in ctx.select("target", ctx.scope(frame)) if f.indicator == code]
            years = frame.years or sorted({f.year for f in rows if f.year in (2025, 2030)} or {f.year for f in rows})
            for year in years:
                per_year = [f for f in rows if f.year == year]
                if not per_year:
                    continue
                header = self.t(frame, "comparison", label=ctx.indicator_label(code, frame.language), year=f" ({year})")
                items = []
                percents: list[tuple[float, str]] = []
                for province in ctx.scope(frame):
                    facts = sorted([f for f in per_year if f.province == province], key=target_order)
                    if not facts:
                        if any(f.province == province for f in ctx.facts):
                            items.append(self.t(frame, "missing_in", province=province))
                        continue
                    used.extend(facts)
                    parts = [target_phrase(f, frame, cite, with_year=False) for f in facts]
                    items.append(f"{province}: " + "; ".join(parts))
                    percents += [(f.value, province) for f in facts if f.unit == "%" and f.value is not None]
                items += conflict_notes(per_year, frame, ctx.facts)
                items += self._extremes(frame, percents)
                blocks.append(lines(header, items))
        if not used:
            return None
        return Draft("\n\n".join(blocks), "answered", "facts", cite.items, used, states="target_value")

    def _extremes(self, frame, percents: list[tuple[float, str]]) -> list[str]:
        if len({p for _, p in percents}) < 2:
            return []
        if len({v for v, _ in percents}) == 1:
            return [self.t(frame, "all_equal", value=f"{percents[0][0]:g}%")]
        top, low = max(v for v, _ in percents), min(v for v, _ in percents)
        tops = sorted({p for v, p in percents if v == top})
        lows = sorted({p for v, p in percents if v == low})
        out = [self.t(frame, "highest", provinces=", ".join(tops), value=f"{top:g}%")]
        if low != top:
            out.append(self.t(frame, "lowest", provinces=", ".join(lows), value=f"{low:g}%"))
        return out


ROUTE = TargetComparison()
