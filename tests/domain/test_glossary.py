"""Chat shorthand spelled out before a question is read; domain abbreviations and plan numbers left alone."""

from __future__ import annotations

import pytest

from assistant.domain.glossary import expand_shorthand


@pytest.mark.parametrize(
    ("typed", "expanded"),
    [
        ("So KHCN quang tri co nv gi trong kh nay?", "So KHCN quang tri co nhiệm vụ gi trong kế hoạch nay?"),
        ("muc tieu CĐS cua Hue", "muc tieu chuyển đổi số cua Hue"),
        ("tăng dthu bao nhiêu", "tăng doanh thu bao nhiêu"),
        ("KH 270/KH-UBND của Huế", "kế hoạch 270/KH-UBND của Huế"),
    ],
)
def test_shorthand_is_spelled_out(typed: str, expanded: str) -> None:
    assert expand_shorthand(typed) == expanded


@pytest.mark.parametrize("typed", ["Sở KH&CN có nhiệm vụ gì", "Sở KH và ĐT Huế", "khi nào", "hạn nộp BC"])
def test_department_names_and_words_are_kept(typed: str) -> None:
    assert expand_shorthand(typed) == typed
