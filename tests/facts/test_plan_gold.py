"""The new-plan gold comparison: national codes, indicators a plan adds (by label, year, value), units."""

from __future__ import annotations

from assistant.facts.model import Fact
from assistant.facts.plan_gold import UnitNames, label_overlap, score_plan


def _target(**fields) -> Fact:
    base = dict(id="p:target:1", plan_id="p", province="Tỉnh", kind="target", section="", origin="body")
    return Fact(start=0, end=1, quote="x", **(base | fields))


GOLD = {
    "province": "Phú Yên",
    "targets": [
        {
            "label": "cơ quan báo chí đưa nội dung lên nền tảng số",
            "national": "digital_platform_content",
            "year": 2025,
            "value": 80,
            "unit": "%",
            "origin": "body",
        },
        {
            "label": "số video ngắn do các cơ quan báo chí sản xuất",
            "national": None,
            "year": 2030,
            "value": 500,
            "unit": "video",
            "origin": "body",
        },
    ],
}


def test_plan_added_indicators_match_by_label_year_and_value() -> None:
    facts = [
        _target(indicator="digital_platform_content", year=2025, value=80, unit="%"),
        _target(
            indicator="plan_video_ngan",
            wording="500 video ngắn do các cơ quan báo chí sản xuất",
            year=2030,
            value=500,
            unit="video",
        ),
    ]
    scores = score_plan(GOLD, facts, None)
    assert scores["target"].true_positives == 2 and not scores["target"].extra
    wrong_year = [
        facts[0],
        _target(indicator="plan_video_ngan", wording=facts[1].wording, year=2025, value=500, unit="video"),
    ]
    assert score_plan(GOLD, wrong_year, None)["target"].true_positives == 1


def test_a_national_code_is_not_matched_by_a_derived_one() -> None:
    facts = [_target(indicator="plan_noi_dung", wording="đưa nội dung lên nền tảng số", year=2025, value=80, unit="%")]
    assert score_plan(GOLD, facts, None)["target"].true_positives == 0


def test_units_compare_through_aliases_declared_abbreviations_and_the_province() -> None:
    units = UnitNames("Phú Yên", "Đài Phát thanh và Truyền hình Phú Yên (sau đây viết tắt là Đài PT-TH)")
    assert units.key("Đài PT-TH") == units.key("Đài Phát thanh và Truyền hình tỉnh")
    assert units.key("Sở TT&TT") == units.key("Sở Thông tin và Truyền thông")
    assert units.listed("UBND tỉnh và Bộ Thông tin và Truyền thông") == units.listed("Ủy ban nhân dân tỉnh, Bộ TTTT")
    assert label_overlap("video ngắn", "Số video ngắn") == 1.0
