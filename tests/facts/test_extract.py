"""The facts table against the hand-checked gold standard, and every fact's span quoting its value."""

from __future__ import annotations

import re

import pytest

from assistant.domain.normalize import collapse_spaces
from assistant.facts.extract import FactExtractor, PlanText
from assistant.facts.gold import load_gold, score
from assistant.facts.model import Fact
from assistant.ingest.corpus import Corpus
from assistant.ingest.structure import parse_structure
from tests.conftest import REPO

GATED = ("target", "task", "reporting_deadline")


@pytest.fixture(scope="module")
def scores(facts: list[Fact]):
    return score(facts, load_gold(REPO / "evals" / "facts_gold"))


def test_every_plan_loads(corpus: Corpus) -> None:
    assert corpus.errors == {}
    assert {p.id for p in corpus.plans} == {"quang-tri", "thua-thien-hue", "lai-chau", "thai-binh"}


@pytest.mark.parametrize("kind", GATED)
def test_gated_kinds_match_gold_exactly(scores, kind: str) -> None:
    result = scores[kind]
    assert result.false_positives == [], f"{kind}: extracted but not in gold"
    assert result.false_negatives == [], f"{kind}: in gold but not extracted"
    assert result.precision == 1.0 and result.recall == 1.0


@pytest.mark.parametrize("kind", ["responsibility", "funding", "legal_basis"])
def test_other_kinds_match_gold(scores, kind: str) -> None:
    result = scores[kind]
    assert result.precision == 1.0, result.false_positives
    assert result.recall == 1.0, result.false_negatives


def _value_strings(fact: Fact) -> list[str]:
    if fact.kind == "target":
        return [fact.value_text]
    if fact.kind == "task":
        return [fact.number, fact.lead_units_original, fact.coordinating_units_original, fact.time_frame]
    if fact.kind == "responsibility":
        return [fact.unit_original]
    if fact.kind == "funding":
        return [fact.value_text]
    if fact.kind == "legal_basis":
        return [fact.doc_number]
    return []


def test_every_span_quotes_its_value(corpus: Corpus, facts: list[Fact]) -> None:
    texts = {p.id: p.text for p in corpus.plans}
    assert facts
    for fact in facts:
        quote = texts[fact.plan_id][fact.start : fact.end]
        assert quote == fact.quote, fact.id
        flat = collapse_spaces(quote)
        for value in _value_strings(fact):
            assert collapse_spaces(value) in flat, f"{fact.id}: {value!r} not in {flat!r}"
        if fact.kind == "reporting_deadline":
            if fact.day is None:
                pattern = "khi có yêu cầu"
            elif fact.month is None:
                pattern = rf"trước ngày 0?{fact.day} (?:của )?tháng cuối"
            else:
                pattern = rf"trước ngày 0?{fact.day}\s*(?:/|tháng)\s*0?{fact.month}\b"
            assert re.search(pattern, flat), f"{fact.id}: deadline not in {flat!r}"


def test_thai_binh_revenue_conflict_keeps_both_values(facts: list[Fact]) -> None:
    rows = [
        f
        for f in facts
        if f.plan_id == "thai-binh" and f.indicator == "revenue_growth" and f.year == 2030 and f.value is not None
    ]
    assert sorted(f.value for f in rows) == [50.0, 67.0]
    assert len({f.conflict_group for f in rows}) == 1 and rows[0].conflict_group
    assert {f.origin for f in rows} == {"body", "appendix"}


def test_unit_names_keep_original_wording(facts: list[Fact]) -> None:
    task = next(f for f in facts if f.plan_id == "quang-tri" and f.kind == "task" and f.number == "1")
    assert "Đài Phát thanh và Truyền hình tỉnh" in task.lead_units
    assert "Đài PT-TH" in task.lead_units_original


def test_lai_chau_sub_tasks_know_their_group(facts: list[Fact]) -> None:
    sub = {f.number: f for f in facts if f.plan_id == "lai-chau" and f.kind == "task"}
    assert sub["5.1"].parent == "5" and sub["5.2"].parent == "5"
    assert sub["5.1"].time_frame_kind == "on_request"
    assert (sub["5.2"].start_year, sub["5.2"].end_year) == (2021, 2025)
    assert sub["6"].time_frame_kind == "ongoing"


# A plan's own indicator with one value per year in one clause, and a dated one ("Đến năm 2025, …").
OWN_INDICATORS = """KẾ HOẠCH
Triển khai Chiến lược chuyển đổi số báo chí trên địa bàn tỉnh Điện Biên

I. MỤC TIÊU
1. Chỉ tiêu đặc thù của tỉnh
- Đài PT-TH làm tối thiểu 300 chương trình tiếng dân tộc thiểu số trong năm 2024 và 350 chương trình trong năm 2025.
- Đến năm 2025, Báo Điện Biên Phủ xây dựng 3 chuyên trang song ngữ trên báo điện tử.
II. TỔ CHỨC THỰC HIỆN
1. Sở Thông tin và Truyền thông
Chủ trì tổ chức thực hiện Kế hoạch.
"""


def own_targets() -> list[Fact]:
    structure = parse_structure(OWN_INDICATORS, [], None)
    facts = FactExtractor().run(PlanText("dien-bien", "Điện Biên", OWN_INDICATORS, structure))
    return [f for f in facts if f.kind == "target"]


def test_each_year_of_a_clause_quotes_its_own_value_and_year() -> None:
    by_year = {f.year: f for f in own_targets() if f.unit == "chương trình"}
    assert {year: f.value for year, f in by_year.items()} == {2024: 300, 2025: 350}
    for year, fact in by_year.items():
        assert fact.quote.endswith(f"năm {year}")
        assert OWN_INDICATORS[fact.start : fact.end] == fact.quote


def test_a_plan_indicator_is_labelled_without_its_values_and_years() -> None:
    labels = {f.qualifiers["label"] for f in own_targets()}
    assert labels == {
        "Đài PT-TH làm chương trình tiếng dân tộc thiểu số",
        "Báo Điện Biên Phủ xây dựng chuyên trang song ngữ trên báo điện tử",
    }
