"""Province mentions: names with or without marks, short forms, and upper-case initials that are unambiguous."""

from __future__ import annotations

import pytest

from assistant.provinces import PROVINCES, ProvinceMatcher, _acronyms


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
        ("muc tieu cua tb", []),  # lower case is a word, not initials
        ("thời gian TG thực hiện", []),  # TG is "thời gian" in chat, not Tiền Giang
    ],
)
def test_finds_provinces(matcher, question, provinces) -> None:
    assert matcher.find(question) == provinces


def test_ambiguous_initials_are_not_used() -> None:
    acronyms = _acronyms(PROVINCES)
    assert "LC" not in acronyms  # Lai Châu and Lào Cai
    assert "QN" not in acronyms  # Quảng Nam, Quảng Ngãi, Quảng Ninh
    assert acronyms["QT"] == "Quảng Trị"
