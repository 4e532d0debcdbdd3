"""The difference between two targets: of two provinces (or the highest and the lowest of several) for one
indicator and year, or of one province between two years; both values cited, the figure computed from the facts
table (and checked again by the gate). Values in different measures are not subtracted."""

from __future__ import annotations

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.answer.routes.targets import target_order
from assistant.facts.model import Fact


def _value(fact: Fact) -> str:
    return f"{fact.value:g}%" if fact.unit == "%" else fact.value_text or f"{fact.value:g} {fact.unit}"


class TargetDifference(Route):
    name = "target_difference"
    templates = {
        "vi": {
            "difference": "Chênh lệch chỉ tiêu “{label}”: {a} và {b} → chênh {value:g} {unit}.",
            "points": "điểm phần trăm",
            "side": "{where} {value} {marker}",
            "missing": "Kế hoạch của {province} không có chỉ tiêu “{label}”{year}, nên không tính được chênh lệch.",
            "unlike": "Hai chỉ tiêu không cùng đơn vị đo ({a}; {b}), nên không tính chênh lệch.",
            "in_year": "năm {year}",
        },
        "en": {
            "difference": "Difference in “{label}”: {a} and {b} → {value:g} {unit}.",
            "points": "percentage points",
            "side": "{where} {value} {marker}",
            "missing": "The {province} plan has no “{label}” target{year}, so no difference can be computed.",
            "unlike": "The two targets are not in the same measure ({a}; {b}), so they are not subtracted.",
            "in_year": "in {year}",
        },
    }

    def score(self, frame, ctx, search) -> float:
        return 0.85 if frame.asked == "target_value" and frame.aggregate == "difference" and frame.indicators else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        code = frame.indicators[0]
        label = ctx.indicator_label(code, frame.language)
        rows = [f for f in ctx.select("target", ctx.scope(frame)) if f.indicator == code and f.value is not None]
        sides = self._sides(frame, ctx, rows)
        if isinstance(sides, str):  # a missing side
            year = f" ({', '.join(map(str, frame.years))})" if frame.years else ""
            return Draft(self.t(frame, "missing", province=sides, label=label, year=year), "not_found", "facts")
        if sides is None:
            return None
        a, b = sides
        cite = ctx.citations()
        described = []
        for fact in (a, b):
            where = fact.province if a.province != b.province else self.t(frame, "in_year", year=fact.year)
            if a.province != b.province and a.year == b.year:
                where = f"{fact.province} ({fact.year})"
            described.append(self.t(frame, "side", where=where, value=_value(fact), marker=cite.fact(fact)))
        if a.unit != b.unit or a.unit == "named":
            text = self.t(frame, "unlike", a=described[0], b=described[1])
            return Draft(text, "not_found", "facts", cite.items, [a, b])
        value = abs(a.value - b.value)
        unit = self.t(frame, "points") if a.unit == "%" else a.unit  # "điểm phần trăm", or the count's own noun
        text = self.t(frame, "difference", label=label, a=described[0], b=described[1], value=value, unit=unit)
        draft = Draft(text, "answered", "facts", cite.items, [a, b])
        draft.computed.append(("difference", value, [a, b]))
        return draft

    @staticmethod
    def _one(rows: list[Fact], province: str, year: int | None) -> Fact | None:
        """The province's target for the year (body wording first); None when absent or contradicted."""
        found = sorted(
            (f for f in rows if f.province == province and (year is None or f.year == year)), key=target_order
        )
        if not found:
            return None
        values = {(f.value, f.unit) for f in found if f.origin == found[0].origin}
        return found[0] if len(values) == 1 else None

    def _sides(self, frame, ctx, rows: list[Fact]) -> tuple[Fact, Fact] | str | None:
        provinces = frame.provinces
        if len(provinces) == 1:  # one plan: the difference between two of its years
            if len(frame.years) < 2:
                return None
            first, last = frame.years[0], frame.years[-1]
            a, b = self._one(rows, provinces[0], first), self._one(rows, provinces[0], last)
            return (a, b) if a and b else provinces[0]
        scope = provinces if len(provinces) >= 2 else ctx.scope(frame)
        years = frame.years or sorted({f.year for f in rows if all(self._one(rows, p, f.year) for p in scope[:2])})
        if not years:
            missing = next((p for p in scope if not any(f.province == p for f in rows)), None)
            return missing
        year = years[-1] if not frame.years else frame.years[0]
        facts = {p: self._one(rows, p, year) for p in scope}
        if len(scope) == 2 or provinces:
            missing = next((p for p in scope if facts[p] is None), None)
            if missing:
                return missing
            return facts[scope[0]], facts[scope[1]]
        present = [f for f in facts.values() if f is not None and f.unit != "named"]
        if len(present) < 2:
            return None
        return max(present, key=lambda f: f.value), min(present, key=lambda f: f.value)  # the highest and the lowest


ROUTE = TargetDifference()
