"""Duty sheets on hand-built facts: aliases, groups, a plan's own units, empty and unknown units."""

from __future__ import annotations

import pytest

from assistant.views.duty_sheet import DutyIndex, UnknownUnit
from tests.views.facts import PLANS, facts


@pytest.fixture(scope="module")
def index() -> DutyIndex:
    return DutyIndex(facts(), PLANS)


def test_an_alias_names_the_unit_and_every_line_cites_its_span(index: DutyIndex) -> None:
    sheet = index.sheet("Sở TTTT")
    assert sheet.unit == "Sở Thông tin và Truyền thông"
    assert [(i.role, i.number) for i in sheet.items] == [
        ("lead", "2"),
        ("lead", "3"),
        ("lead", "4"),
        ("coordinate", "1"),
        ("duty", ""),
        ("report_received", ""),
    ]
    assert [i.time_frame for i in sheet.items][:3] == ["Quý III/2024", "Thường xuyên", "Khi có yêu cầu"]
    assert sheet.items[-1].time_frame == "Trước ngày 20/11 hằng năm"
    for item in sheet.items:
        assert item.source is not None and item.source.quote and item.source.end > item.source.start
    assert [p.id for p in sheet.plans] == ["nghe-an"]


def test_a_press_agency_gets_what_its_group_is_given_in_its_own_plan_only(index: DutyIndex) -> None:
    sheet = index.sheet("báo nghệ an")
    roles = [(i.role, i.via_group) for i in sheet.items]
    assert roles == [("lead", False), ("coordinate", True), ("duty", True), ("report_owed", True)]
    assert sheet.items[2].named_as == "Các cơ quan báo chí của tỉnh"
    assert {i.plan_id for i in sheet.items} == {"nghe-an"}  # Phú Yên's groups are not Báo Nghệ An's


def test_reports_owed_and_received(index: DutyIndex) -> None:
    owed = index.sheet("Báo Phú Yên").items
    assert [(i.role, i.time_frame, i.others) for i in owed] == [
        ("report_owed", "Trước ngày 15/12", ("Ủy ban nhân dân tỉnh",))
    ]
    received = index.sheet("UBND tỉnh").items
    assert [(i.role, i.plan_id) for i in received] == [("report_received", "phu-yen")]


def test_province_filter_and_empty_sheets_say_so(index: DutyIndex) -> None:
    assert [i.plan_id for i in index.sheet("Sở Tài chính", "Phú Yên").items] == ["phu-yen"]
    empty = index.sheet("Sở TTTT", "phu yen")
    assert empty.items == [] and "không giao" in empty.message and "Sở Thông tin và Truyền thông" in empty.message
    elsewhere = index.sheet("Sở TTTT", "Hà Nội")
    assert elsewhere.items == [] and "chưa có kế hoạch của Hà Nội" in elsewhere.message
    silent = index.sheet("Công an tỉnh")  # a body every province has, given nothing here
    assert silent.items == [] and silent.message


@pytest.mark.parametrize("text", ["xyz", "", "   ", "Atlantis Corp"])
def test_a_name_that_is_no_unit_is_refused_in_one_sentence(index: DutyIndex, text: str) -> None:
    with pytest.raises(UnknownUnit, match=r"^Không có đơn vị nào tên .*/v1/units\.$"):
        index.sheet(text)


def test_units_lists_agencies_then_groups_with_counts(index: DutyIndex) -> None:
    units = {u["name"]: u for u in index.units()}
    assert units["Sở Thông tin và Truyền thông"]["items"] == 6
    assert units["Báo Nghệ An"]["provinces"] == ["Nghệ An"]
    assert units["Các cơ quan báo chí"]["group"] is True
    assert not any(name.startswith("Các cơ quan, đơn vị") for name in units)
