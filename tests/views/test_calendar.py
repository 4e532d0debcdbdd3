"""The deadline calendar on hand-built facts: dates read only from the plan's words, recurrences, undated items."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.views.calendar import build_items, read_time_frame, select
from assistant.views.registry import Views
from tests.views.facts import PLANS, facts


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2023-2025", date(2025, 12, 31)),
        ("Năm 2024", date(2024, 12, 31)),
        ("2024", date(2024, 12, 31)),
        ("Quý III/2024", date(2024, 9, 30)),
        ("Quý I - Quý II năm 2025", date(2025, 6, 30)),
        ("quý 4/2023", date(2023, 12, 31)),
        ("Tháng 2/2024", date(2024, 2, 29)),
        ("Trước ngày 30/6/2024", date(2024, 6, 30)),
        ("Thường xuyên", None),
        ("Khi có yêu cầu từ Bộ TTTT", None),
        ("Sau khi có hướng dẫn", None),
        ("Hằng năm", None),
        ("", None),
        ("31/2/2024", None),
    ],
)
def test_time_frames_end_at_the_end_of_their_period(text: str, due: date | None) -> None:
    assert read_time_frame(text)[0] == due


def test_items_dated_and_undated() -> None:
    calendar = select(build_items(facts(), PLANS))
    dated = {i.uid: i for i in calendar.dated}
    assert dated["nghe-an:task:5"].due == date(2024, 9, 30)
    assert dated["nghe-an:task:4"].due == date(2025, 12, 31) and dated["nghe-an:task:4"].when == "2023-2025"
    report = dated["nghe-an:reporting_deadline:3"]
    # yearly from the year the plan was issued (2024-03-05) through its horizon (the tasks end in 2025)
    assert (report.due, report.recurrence, report.until) == (date(2024, 11, 20), "yearly", date(2025, 12, 31))
    undated = {i.uid: i.when for i in calendar.undated}
    assert undated == {
        "nghe-an:task:6": "Thường xuyên",
        "nghe-an:task:7": "Khi có yêu cầu",
        "phu-yen:reporting_deadline:5": "Trước ngày 15/12",  # no year, no "hằng năm": never given a year
    }
    assert all(i.due is None for i in calendar.undated)
    assert all(i.source and i.source.quote for i in [*calendar.dated, *calendar.undated])


def test_upcoming_counts_from_today() -> None:
    calendar = select(build_items(facts(), PLANS))
    upcoming = calendar.upcoming(date(2024, 10, 1))
    assert [(d, i.uid) for d, i in upcoming] == [
        (date(2024, 11, 20), "nghe-an:reporting_deadline:3"),
        (date(2025, 12, 31), "nghe-an:task:4"),
    ]
    later = calendar.upcoming(date(2024, 11, 21))
    assert later[0] == (date(2025, 11, 20), later[0][1])  # the yearly deadline's next occurrence
    assert calendar.upcoming(date(2026, 1, 1)) == []
    assert {i.uid for i in calendar.past(date(2026, 1, 1))} == {i.uid for i in calendar.dated}


def test_filters_and_empty_calendar() -> None:
    views = Views(facts(), PLANS)
    mine = views.calendar(unit="Báo Nghệ An")
    assert {i.uid for i in mine.dated} == {"nghe-an:task:4", "nghe-an:task:5", "nghe-an:reporting_deadline:3"}
    assert views.calendar(province="Phú Yên").dated == []
    nothing = views.calendar(province="Hà Nội")
    assert nothing.dated == nothing.undated == [] and nothing.message.startswith("Không có nhiệm vụ")
