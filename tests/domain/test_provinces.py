"""Province mentions: names with or without marks, short forms, and upper-case initials that are unambiguous."""

from __future__ import annotations

import pytest

from assistant.domain.provinces import PROVINCES, ProvinceMatcher, _acronyms


@pytest.fixture(scope="module")
def matcher() -> ProvinceMatcher:
    return ProvinceMatcher()


@pytest.mark.parametrize(
    ("question", "provinces"),
    [
        ("muc tieu 2025 cua quang tri", ["Quảng Trị"]),
        ("chi tieu tang doanh thu cua TB so voi nam nao", ["Thái Bình"]),
        ("KH của QT và TTH", ["Quảng Trị", "Thừa Thiên Huế"]),
        ("Thông báo 12/TB-UBND", []),  # initials inside a document number are not a province
        ("muc tieu cua tb", ["Thái Bình"]),  # initials typed in lower case, where they cannot be a syllable
        ("nv 4 lc ai chu tri", []),  # Lai Châu and Lào Cai share "LC": ambiguous without a corpus to prefer
        ("thông báo 12/tb-ubnd", []),  # inside a document number, in lower case too
        ("thời gian TG thực hiện", []),  # TG is "thời gian" in chat, not Tiền Giang
    ],
)
def test_finds_provinces(matcher, question, provinces) -> None:
    assert matcher.find(question) == provinces


def test_shared_initials_resolve_to_the_only_province_with_a_plan() -> None:
    matcher = ProvinceMatcher(preferred=["Lai Châu", "Quảng Trị"])
    assert matcher.find("nv 4 lc ai chu tri") == ["Lai Châu"]
    assert matcher.find("LC 2025") == ["Lai Châu"]
    assert ProvinceMatcher(preferred=["Lai Châu", "Lào Cai"]).find("nv 4 lc") == []
    assert ProvinceMatcher(preferred=["Quảng Trị"]).find("an toan cap do 3") == []  # syllables are words


def test_ambiguous_initials_are_not_used() -> None:
    acronyms = _acronyms(PROVINCES)
    assert "LC" not in acronyms  # Lai Châu and Lào Cai
    assert "QN" not in acronyms  # Quảng Nam, Quảng Ngãi, Quảng Ninh
    assert acronyms["QT"] == "Quảng Trị"


def test_initials_that_are_also_shorthand_name_a_province_only_with_a_plan() -> None:
    from assistant.domain.provinces import ProvinceMatcher

    with_plan = ProvinceMatcher(preferred=["Tuyên Quang", "Quảng Trị"])
    assert [m.province for m in with_plan.mentions("tq nam 2027 ty le")] == ["Tuyên Quang"]
    assert [m.province for m in with_plan.mentions("kế hoạch TQ")] == ["Tuyên Quang"]
    assert ProvinceMatcher(preferred=["Quảng Trị"]).mentions("tq nam 2027 ty le") == []
