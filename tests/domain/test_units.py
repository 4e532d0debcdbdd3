"""Unit aliasing and the splitting of unit lists in table cells."""

from __future__ import annotations

import pytest

from assistant.domain.units import canonical_unit, split_units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sở TTTT", "Sở Thông tin và Truyền thông"),
        ("Đài PT-TH tỉnh", "Đài Phát thanh và Truyền hình tỉnh"),
        ("Đài Phát thanh – Truyền hình tỉnh", "Đài Phát thanh và Truyền hình tỉnh"),
        ("UBND tỉnh", "Ủy ban nhân dân tỉnh"),
        ("Bộ TTTT", "Bộ Thông tin và Truyền thông"),
    ],
)
def test_aliases(text: str, expected: str) -> None:
    assert canonical_unit(text) == expected


def test_named_units_split_but_generic_groups_stay_whole() -> None:
    names = [u.name for u in split_units("Báo Quảng Trị, Đài PT-TH tỉnh, Tạp chí Cửa Việt")]
    assert names == ["Báo Quảng Trị", "Đài Phát thanh và Truyền hình tỉnh", "Tạp chí Cửa Việt"]
    assert [u.name for u in split_units("Các sở, ban, ngành, địa phương")] == ["Các sở, ban, ngành, địa phương"]
    names = [u.name for u in split_units("Cục Báo chí; các cơ quan báo chí và các đơn vị có liên quan")]
    assert names == ["Cục Báo chí", "Các cơ quan báo chí", "Các đơn vị có liên quan"]


def test_role_note_is_separated_from_the_name() -> None:
    (unit,) = split_units("Sở TTTT đôn đốc, theo dõi")
    assert unit.name == "Sở Thông tin và Truyền thông"
    assert unit.note == "đôn đốc, theo dõi"
    assert unit.original == "Sở TTTT đôn đốc, theo dõi"


def test_the_unit_matcher_names_agencies_however_they_are_typed() -> None:
    from assistant.domain.units import UnitMatcher

    matcher = UnitMatcher(["Báo Quảng Trị", "Tạp chí Văn nghệ Lai Châu", "Các cơ quan báo chí"])
    assert matcher.named("Sở TTTT Lai Châu có nhiệm vụ gì?") == ["Sở Thông tin và Truyền thông"]
    assert matcher.named("cong an tinh lai chau phai lam gi") == ["Công an tỉnh"]
    assert matcher.named("so noi vu co trach nhiem gi") == ["Sở Nội vụ"]
    assert matcher.named("bo tttt") == ["Bộ Thông tin và Truyền thông"]
    assert matcher.named("Tạp chí Sông Hương làm gì") == ["Tạp chí Sông Hương"]  # an outlet no plan names
    assert matcher.named("còn Ban Tuyên giáo?") == ["Ban Tuyên giáo Tỉnh ủy"]  # the seat left out
    assert matcher.named("kiem tra thanh tra hoat dong bao chi") == []  # "thanh tra" the activity
    assert matcher.named("co quan bao chi quang tri dung nen tang") == ["Các cơ quan báo chí"]  # not Báo Quảng Trị


def test_groups_hold_their_members_unless_they_list_them() -> None:
    from assistant.domain.units import UnitMatcher

    matcher = UnitMatcher()
    assert matcher.member_of("Báo Lai Châu", "Các cơ quan báo chí tỉnh")
    assert not matcher.member_of("Sở Tài chính", "Các cơ quan báo chí tỉnh")
    assert matcher.group_in("cac co quan bao chi tinh toi uu hoa nguon thu", "Tạp chí Văn nghệ Lai Châu")
    assert not matcher.group_in("02 co quan bao chi (bao lai chau, dai)", "Tạp chí Văn nghệ Lai Châu")
    assert matcher.mentions_loosely("cac so: tai chinh, ke hoach va dau tu", "Sở Kế hoạch và Đầu tư")


def test_abbreviations_a_plan_declares() -> None:
    from assistant.domain.units import canonical_unit, declared_aliases

    text = "Đài Phát thanh và Truyền hình Phú Yên (sau đây viết tắt là Đài PT-TH tỉnh) và Sở Nội vụ (SNV)."
    declared = declared_aliases(text)
    assert canonical_unit("Đài PT-TH tỉnh", declared) == "Đài Phát thanh và Truyền hình Phú Yên"
    assert "snv" in declared


def test_two_units_printed_on_one_line_are_told_apart() -> None:
    from assistant.domain.units import is_unit_name, unit_starts

    assert unit_starts("Sở TT&TT Báo tỉnh; Đài tỉnh") == [9]
    assert unit_starts("Văn phòng UBND tỉnh") == [] and unit_starts("Ban Tuyên giáo Tỉnh ủy") == []
    assert is_unit_name("Báo tỉnh") and not is_unit_name("Báo cáo kết quả")


def test_a_district_or_commune_body_is_not_the_provinces_own() -> None:
    from assistant.domain.units import UnitMatcher

    matcher = UnitMatcher([])
    for text in ["Ủy ban nhân dân các huyện, thành phố", "UBND cấp huyện", "UBND các xã", "UBND thị xã Vĩnh Châu"]:
        assert not matcher.mentions(text, "Ủy ban nhân dân tỉnh"), text
    for text in ["UBND tỉnh", "Ủy ban nhân dân tỉnh, các huyện", "UBND tỉnh Kon Tum"]:
        assert matcher.mentions(text, "Ủy ban nhân dân tỉnh"), text
    assert not matcher.mentions("Đài Truyền thanh các huyện", "Đài Phát thanh và Truyền hình tỉnh")
