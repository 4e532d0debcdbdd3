"""Deadline calendar: task time frames and reporting deadlines as dated items, and the items with no date apart.

Dates come only from the plan's own words:
- a reporting deadline "trước ngày 25/11 hằng năm" recurs every year on 25/11 (an RRULE), from the year the plan
  was issued (its issue date, else the latest document it cites as its basis) through its horizon (the last year
  its targets and tasks name); without "hằng năm" and without a year it has no date;
- a task's range ("2023-2025") or year ends at 31/12 of its last year, a quarter ("Quý III/2024") at the end of
  that quarter, a month ("Tháng 6/2024") at its last day, a date ("trước ngày 30/6/2024") on that day;
- "Thường xuyên", "Khi có yêu cầu", "Sau khi có hướng dẫn", "Hằng năm" without a day, and a blank cell are
  listed apart with the words the plan uses, never given an invented date.
"""

from __future__ import annotations

import calendar as _months
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

from assistant.domain.normalize import fold
from assistant.facts.model import Fact
from assistant.views.sources import PlanRef, Source

ItemKind = Literal["task", "report"]
Recurrence = Literal["", "yearly"]
UNDATED_WORDS = {
    "ongoing": "Thường xuyên",
    "after_guidance": "Sau khi có hướng dẫn",
    "on_request": "Khi có yêu cầu",
    "yearly": "Hằng năm (không nêu ngày)",
}
NO_TIME = "Không nêu thời hạn"
QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_RANGE_RE = re.compile(r"^\s*(?:giai doan\s+|tu nam\s+|nam\s+)?(20\d\d)\s*(?:-|–|den|den nam)\s*(20\d\d)\s*$")
_YEAR_RE = re.compile(r"^\s*(?:nam\s+|trong nam\s+)?(20\d\d)\s*$")
_QUARTER_RE = re.compile(r"\bquy\s+(iv|iii|ii|i|[1-4])\s*(?:/|nam\s+|-)\s*(20\d\d)\b")
_MONTH_RE = re.compile(r"\bthang\s+(\d{1,2})\s*(?:/|nam\s+|-)\s*(20\d\d)\b")
_DATE_RE = re.compile(r"\b(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(20\d\d)\b")


@dataclass(frozen=True)
class CalendarItem:
    """One deadline: what, who, when (``due``: the first date; ``until``: the last recurrence), and its span."""

    uid: str
    kind: ItemKind
    plan_id: str
    province: str
    title: str
    units: tuple[str, ...]
    when: str  # the plan's words for the time ("2023-2025", "Trước ngày 25/11 hằng năm", "Thường xuyên")
    due: date | None = None
    recurrence: Recurrence = ""
    until: date | None = None
    note: str = ""  # how the date was read ("hết kỳ 2023-2025", "lặp lại hằng năm từ 2023 đến 2030")
    source: Source | None = None

    def next_due(self, today: date) -> date | None:
        """The first occurrence on or after ``today`` (None: undated, or all occurrences are past)."""
        if self.due is None:
            return None
        if self.recurrence != "yearly":
            return self.due if self.due >= today else None
        year = max(self.due.year, today.year)
        candidate = _safe_date(year, self.due.month, self.due.day)
        if candidate < today:
            candidate = _safe_date(year + 1, self.due.month, self.due.day)
        return candidate if self.until is None or candidate <= self.until else None

    def last_due(self) -> date | None:
        """The last occurrence (the due date, or the last yearly one up to ``until``)."""
        if self.due is None or self.recurrence != "yearly" or self.until is None:
            return self.due
        last = _safe_date(self.until.year, self.due.month, self.due.day)
        return last if last <= self.until else _safe_date(self.until.year - 1, self.due.month, self.due.day)

    def to_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row["units"] = list(self.units)
        for name in ("due", "until"):
            row[name] = row[name].isoformat() if row[name] else None
        return row


@dataclass
class Calendar:
    """The dated items (by first due date) and the undated ones, for the filters given."""

    dated: list[CalendarItem] = field(default_factory=list)
    undated: list[CalendarItem] = field(default_factory=list)
    province: str | None = None
    unit: str | None = None
    message: str = ""

    def upcoming(self, today: date, limit: int | None = None) -> list[tuple[date, CalendarItem]]:
        """(next date, item) for what falls due on or after ``today``, soonest first."""
        pairs = [(d, item) for item in self.dated if (d := item.next_due(today)) is not None]
        pairs.sort(key=lambda pair: (pair[0], pair[1].province, pair[1].uid))
        return pairs[:limit] if limit else pairs

    def past(self, today: date) -> list[CalendarItem]:
        """Dated items whose every occurrence is before ``today``."""
        return [item for item in self.dated if item.next_due(today) is None]

    def to_dict(self, today: date | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "province": self.province,
            "unit": self.unit,
            "dated": [i.to_dict() for i in self.dated],
            "undated": [i.to_dict() for i in self.undated],
            "message": self.message,
        }
        if today is not None:
            body["today"] = today.isoformat()
            body["upcoming"] = [{"date": d.isoformat(), **i.to_dict()} for d, i in self.upcoming(today)]
        return body


def build_items(facts: list[Fact], plans: list[Any]) -> list[CalendarItem]:
    """Every task and reporting deadline of the facts as a calendar item (dated or not)."""
    refs = {p.id: p for p in (PlanRef.of(m) for m in plans)}
    anchors = {plan_id: plan_years(facts, plan_id, refs.get(plan_id)) for plan_id in {f.plan_id for f in facts}}
    items = []
    for fact in facts:
        if fact.kind == "task" and (fact.lead_units or fact.time_frame):  # a group row names neither
            items.append(_task_item(fact))
        elif fact.kind == "reporting_deadline":
            items.append(_report_item(fact, *anchors[fact.plan_id]))
    return items


def select(
    items: list[CalendarItem],
    province: str | None = None,
    unit: str | None = None,
    fact_ids: set[str] | None = None,
) -> Calendar:
    """The calendar of one province and/or one unit: ``fact_ids`` are the facts on that unit's duty sheet (the
    tasks it leads or coordinates, the reports it owes or receives; see :mod:`assistant.views.duty_sheet`)."""
    wanted = fold(province) if province else None
    chosen = []
    for item in items:
        if wanted is not None and fold(item.province) != wanted:
            continue
        if fact_ids is not None and item.uid not in fact_ids:
            continue
        chosen.append(item)
    dated = sorted((i for i in chosen if i.due), key=lambda i: (i.due, i.province, i.uid))
    undated = sorted((i for i in chosen if not i.due), key=lambda i: (i.province, i.uid))
    result = Calendar(dated, undated, province, unit)
    if not chosen:
        who = f" cho {unit}" if unit else ""
        where = f" trong kế hoạch của {province}" if province else ""
        result.message = f"Không có nhiệm vụ hay hạn báo cáo nào{who}{where}."
    return result


def plan_years(facts: list[Fact], plan_id: str, plan: PlanRef | None) -> tuple[int | None, int | None]:
    """(first year, horizon) of a plan: the year it was issued (else the latest year of the documents it cites as
    its basis), and the last year its targets and tasks name."""
    own = [f for f in facts if f.plan_id == plan_id]
    first = None
    if plan is not None and len(plan.issue_date) >= 4 and plan.issue_date[:4].isdigit():
        first = int(plan.issue_date[:4])
    else:
        basis = [int(f.doc_date[:4]) for f in own if f.kind == "legal_basis" and f.doc_date[:4].isdigit()]
        first = max(basis) if basis else None
    years = [y for f in own for y in (f.year, f.end_year) if y]
    horizon = max(years) if years else None
    return first, horizon


def read_time_frame(text: str) -> tuple[date | None, str]:
    """(due date, how it was read) of a task's time frame as written; None when the words give no date."""
    folded = fold(text or "").strip().rstrip(".")
    if not folded:
        return None, ""
    match = _RANGE_RE.match(folded)
    if match:
        return date(int(match.group(2)), 12, 31), f"hết kỳ {match.group(1)}-{match.group(2)}"
    match = _YEAR_RE.match(folded)
    if match:
        return date(int(match.group(1)), 12, 31), f"hết năm {match.group(1)}"
    match = _DATE_RE.search(folded)
    if match:
        day, month, year = (int(match.group(k)) for k in (1, 2, 3))
        if 1 <= month <= 12 and 1 <= day <= _months.monthrange(year, month)[1]:
            return date(year, month, day), "ngày ghi trong kế hoạch"
    matches = list(_QUARTER_RE.finditer(folded))
    if matches:
        last = max(matches, key=lambda m: (int(m.group(2)), QUARTERS[m.group(1)]))
        quarter, year = QUARTERS[last.group(1)], int(last.group(2))
        month = quarter * 3
        return date(year, month, _months.monthrange(year, month)[1]), f"hết quý {quarter}/{year}"
    matches = list(_MONTH_RE.finditer(folded))
    if matches:
        last = max(matches, key=lambda m: (int(m.group(2)), int(m.group(1))))
        month, year = int(last.group(1)), int(last.group(2))
        if 1 <= month <= 12:
            return date(year, month, _months.monthrange(year, month)[1]), f"hết tháng {month}/{year}"
    return None, ""


def _task_item(fact: Fact) -> CalendarItem:
    when = " ".join(fact.time_frame.split()) or UNDATED_WORDS.get(fact.time_frame_kind, NO_TIME)
    due, note = read_time_frame(fact.time_frame)
    title = f"Nhiệm vụ {fact.number}: {_short(fact.content)}" if fact.number else _short(fact.content)
    return CalendarItem(
        uid=fact.id,
        kind="task",
        plan_id=fact.plan_id,
        province=fact.province,
        title=title,
        units=tuple(fact.lead_units),
        when=when,
        due=due,
        note=note,
        source=Source.of(fact),
    )


def _report_item(fact: Fact, first: int | None, horizon: int | None) -> CalendarItem:
    when = f"Trước ngày {fact.day:02d}/{fact.month:02d}" if fact.day and fact.month else NO_TIME
    if fact.recurrence:
        when += f" {fact.recurrence}"
    title = f"Hạn báo cáo: {fact.reporter} gửi {fact.recipient}" + (f" (qua {fact.via})" if fact.via else "")
    due, until, note = None, None, ""
    if fact.day and fact.month and fact.recurrence and first is not None:
        due = _safe_date(first, fact.month, fact.day)
        if horizon is not None and horizon >= first:
            until = date(horizon, 12, 31)
            note = f"lặp lại hằng năm từ {first} đến {horizon} (năm ban hành kế hoạch đến năm cuối của kế hoạch)"
        else:
            note = f"lặp lại hằng năm từ {first}"
    return CalendarItem(
        uid=fact.id,
        kind="report",
        plan_id=fact.plan_id,
        province=fact.province,
        title=title,
        units=tuple(u for u in (fact.reporter, fact.recipient, fact.via) if u),
        when=when,
        due=due,
        recurrence="yearly" if due else "",
        until=until,
        note=note,
        source=Source.of(fact),
    )


def _safe_date(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, _months.monthrange(year, month)[1]))


def _short(text: str, limit: int = 140) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"
