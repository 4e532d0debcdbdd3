"""How many days apart two plans' yearly reporting deadlines fall, and which plan reports latest or earliest in the
year; the dates cited, the days computed from the facts table (and checked again by the gate)."""

from __future__ import annotations

from datetime import date

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.answer.routes.reporting import report_line
from assistant.answer.words import lines
from assistant.facts.model import Fact


def _day_of_year(fact: Fact) -> int:
    return date(2001, fact.month, fact.day).timetuple().tm_yday  # a year without 29 February


class ReportingDifference(Route):
    name = "reporting_difference"
    templates = {
        "vi": {
            "days": "Hạn báo cáo của {a} ({da}) và của {b} ({db}) cách nhau {value:g} ngày.",
            "latest": "Muộn nhất trong năm: {provinces} ({date}).",
            "earliest": "Sớm nhất trong năm: {provinces} ({date}).",
            "several": "Kế hoạch của {province} có nhiều hạn báo cáo khác nhau, nên không so được một ngày duy nhất.",
        },
        "en": {
            "days": "The reporting deadlines of {a} ({da}) and {b} ({db}) are {value:g} days apart.",
            "latest": "Latest in the year: {provinces} ({date}).",
            "earliest": "Earliest in the year: {provinces} ({date}).",
            "several": "The {province} plan sets several different reporting dates, so no single date is compared.",
        },
    }

    def score(self, frame, ctx, search) -> float:
        ranked = frame.aggregate in {"difference", "latest", "earliest", "highest", "lowest"}
        return 0.85 if frame.asked == "reporting_deadline" and ranked else 0.0

    def _dates(self, frame, ctx) -> tuple[dict[str, Fact], str | None]:
        """One dated yearly deadline per province (several different dates: that province is named back)."""
        by_province: dict[str, Fact] = {}
        for province in ctx.scope(frame):
            rows = [  # the yearly dated deadlines (a one-off, a quarterly or a six-monthly report is another thing)
                f
                for f in ctx.select("reporting_deadline", [province])
                if f.day and f.month and f.recurrence in {"hằng năm", ""}
            ]
            days = {(f.day, f.month) for f in rows}
            if len(days) > 1:
                return {}, province
            if rows:
                by_province[province] = rows[0]
        return by_province, None

    def answer(self, frame, ctx, search) -> Draft | None:
        dates, ambiguous = self._dates(frame, ctx)
        if ambiguous:
            return Draft(self.t(frame, "several", province=ambiguous), "not_found", "facts")
        if len(dates) < 2:
            return None
        cite = ctx.citations()
        facts = list(dates.values())
        shown = [
            f
            for f in ctx.select("reporting_deadline", list(dates))
            if f.day and f.month and f.recurrence in {"hằng năm", ""}
        ]
        items = [report_line(f, frame, cite) for f in shown]
        if frame.aggregate == "difference":
            a, b = facts[0], facts[1]
            if len(frame.provinces) == 2:
                a, b = dates.get(frame.provinces[0]), dates.get(frame.provinces[1])
                if a is None or b is None:
                    return None
            value = float(abs(_day_of_year(a) - _day_of_year(b)))
            head = self.t(
                frame,
                "days",
                a=a.province,
                b=b.province,
                da=f"{a.day:02d}/{a.month:02d}",
                db=f"{b.day:02d}/{b.month:02d}",
                value=value,
            )
            draft = Draft(lines(head, items), "answered", "facts", cite.items, shown)
            draft.computed.append(("days", value, [a, b]))
            return draft
        pick = max if frame.aggregate in {"latest", "highest"} else min
        chosen = pick(facts, key=_day_of_year)
        tied = sorted(f.province for f in facts if _day_of_year(f) == _day_of_year(chosen))
        key = "latest" if pick is max else "earliest"
        head = self.t(frame, key, provinces=", ".join(tied), date=f"{chosen.day:02d}/{chosen.month:02d}")
        return Draft(lines(head, items), "answered", "facts", cite.items, shown)


ROUTE = ReportingDifference()
