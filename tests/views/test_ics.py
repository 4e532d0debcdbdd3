"""The .ics file parsed back with icalendar and checked item by item."""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar

from assistant.views.calendar import build_items, select
from assistant.views.ics import to_ics
from tests.views.facts import PLANS, facts


def test_the_ics_holds_every_item_as_written() -> None:
    calendar = select(build_items(facts(), PLANS))
    body = to_ics(calendar)
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.rstrip().endswith(b"END:VCALENDAR")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))  # folded at 75 octets (RFC 5545 3.1)
    parsed = Calendar.from_ical(body)
    assert parsed["VERSION"] == "2.0" and parsed["PRODID"]
    events = {str(e["UID"]).split("@")[0]: e for e in parsed.walk("VEVENT")}
    todos = {str(t["UID"]).split("@")[0]: t for t in parsed.walk("VTODO")}
    assert set(events) == {i.uid for i in calendar.dated}
    assert set(todos) == {i.uid for i in calendar.undated}
    for item in calendar.dated:
        event = events[item.uid]
        assert event.decoded("DTSTART") == item.due
        assert event.decoded("DTEND") == item.due + timedelta(days=1)
        assert item.title in str(event["SUMMARY"])
        assert " ".join(item.source.quote.split()) in str(event["DESCRIPTION"])
        assert "DTSTAMP" in event
    report = events["nghe-an:reporting_deadline:3"]
    rule = report["RRULE"]
    assert rule["FREQ"] == ["YEARLY"] and rule["UNTIL"] == [date(2025, 12, 31)]
    assert "RRULE" not in events["nghe-an:task:4"]
    for uid, todo in todos.items():
        assert "DUE" not in todo and "DTSTART" not in todo, uid  # never an invented date
    assert "Thường xuyên" in str(todos["nghe-an:task:6"]["SUMMARY"])


def test_an_empty_calendar_is_still_a_valid_file() -> None:
    parsed = Calendar.from_ical(to_ics(select([], province="Hà Nội")))
    assert list(parsed.walk("VEVENT")) == [] and parsed["VERSION"] == "2.0"
