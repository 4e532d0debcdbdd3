"""The views of one served facts list, built once (on first use) and kept while that list is served."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from assistant.facts.model import Fact
from assistant.views.calendar import Calendar, CalendarItem, build_items, select
from assistant.views.duty_sheet import DutyIndex, DutySheet
from assistant.views.sources import PlanRef
from assistant.views.target_matrix import TargetMatrix, build_matrix


@dataclass
class Views:
    """Duty sheets, the calendar and the target matrix over one facts list and its plans."""

    facts: list[Fact]
    plans: list[PlanRef]
    duties: DutyIndex = field(init=False)
    calendar_items: list[CalendarItem] = field(init=False)

    def __post_init__(self) -> None:
        self.duties = DutyIndex(self.facts, self.plans)
        self.calendar_items = build_items(self.facts, self.plans)

    def units(self) -> list[dict[str, Any]]:
        return self.duties.units()

    def sheet(self, unit: str, province: str | None = None) -> DutySheet:
        """The unit's duty sheet; :class:`~assistant.views.duty_sheet.UnknownUnit` when it names no unit."""
        return self.duties.sheet(unit, province)

    def calendar(self, province: str | None = None, unit: str | None = None) -> Calendar:
        """The calendar of a province and/or a unit (the items on that unit's duty sheet)."""
        if not unit:
            return select(self.calendar_items, province)
        sheet = self.duties.sheet(unit, province)
        return select(self.calendar_items, province, sheet.unit, {i.fact_id for i in sheet.items})

    def matrix(
        self, indicator: str | None = None, province: str | None = None, year: int | None = None
    ) -> TargetMatrix:
        return build_matrix(self.facts, indicator, province, year)

    def warm(self) -> Views:
        """Compute what the first request would (the unit list), so that no request pays for it."""
        self.duties.units()
        return self


_lock = threading.Lock()
_cached: tuple[list[Fact], Views] | None = None


def views_for(facts: list[Fact], plans: list[Any]) -> Views:
    """The views of ``facts`` (the same list object is served the same, already built, views)."""
    global _cached
    with _lock:
        if _cached is not None and _cached[0] is facts:
            return _cached[1]
        views = Views(facts, [PlanRef.of(p) for p in plans]).warm()
        _cached = (facts, views)
        return views
