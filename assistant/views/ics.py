"""The deadline calendar as an iCalendar file (RFC 5545), written with the ``icalendar`` library.

A dated item is an all-day VEVENT on its due date (DTEND the next day), a yearly deadline with
``RRULE:FREQ=YEARLY;UNTIL=…``; an undated item ("Thường xuyên", "Khi có yêu cầu") is a VTODO with neither DUE nor
DTSTART, so calendar programs list it as a task without a date. Every component's DESCRIPTION carries the plan,
the section, the span and the quote it is read from.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar as ICalendar
from icalendar import Event, Todo, vRecur

from assistant.views.calendar import Calendar, CalendarItem

PRODID = "-//Tro ly ke hoach chuyen doi so bao chi//Lich han//VI"
UID_DOMAIN = "tro-ly-chuyen-doi-so-bao-chi"


def to_ics(
    calendar: Calendar, name: str = "Lịch hạn kế hoạch chuyển đổi số báo chí", stamp: datetime | None = None
) -> bytes:
    """The calendar as the bytes of an .ics file (CRLF lines, folded at 75 octets, UTF-8)."""
    stamp = stamp or datetime.now(UTC).replace(microsecond=0)
    cal = ICalendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    for item in calendar.dated:
        cal.add_component(_event(item, stamp))
    for item in calendar.undated:
        cal.add_component(_todo(item, stamp))
    return cal.to_ical()


def _event(item: CalendarItem, stamp: datetime) -> Event:
    assert item.due is not None
    event = Event()
    event.add("uid", f"{item.uid}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", item.due)
    event.add("dtend", item.due + timedelta(days=1))
    event.add("summary", f"[{item.province}] {item.title}")
    event.add("description", description(item))
    event.add("categories", [item.province, "Báo cáo" if item.kind == "report" else "Nhiệm vụ"])
    event.add("transp", "TRANSPARENT")
    if item.recurrence == "yearly":
        rule = {"freq": "yearly"}
        if item.until is not None:
            rule["until"] = item.until
        event.add("rrule", vRecur(rule))
    return event


def _todo(item: CalendarItem, stamp: datetime) -> Todo:
    todo = Todo()
    todo.add("uid", f"{item.uid}@{UID_DOMAIN}")
    todo.add("dtstamp", stamp)
    todo.add("summary", f"[{item.province}] {item.title} — {item.when}")
    todo.add("description", description(item))
    todo.add("categories", [item.province, "Không có ngày"])
    todo.add("status", "NEEDS-ACTION")
    return todo


def description(item: CalendarItem) -> str:
    """What the item is, who, when as written, how the date was read, and the quoted source."""
    lines = [item.title, f"Thời gian: {item.when}"]
    if item.units:
        lines.append("Đơn vị: " + "; ".join(item.units))
    if item.note:
        lines.append(f"Cách đọc ngày: {item.note}")
    if item.source is not None:
        source = item.source
        lines.append(
            f"Nguồn: kế hoạch {source.plan_id} ({source.province}), {source.section} [{source.start}:{source.end}]"
        )
        lines.append("Trích: “" + " ".join(source.quote.split()) + "”")
    return "\n".join(lines)
