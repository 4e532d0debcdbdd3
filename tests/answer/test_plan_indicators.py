"""Targets a plan adds beyond the national indicators, extracted from a small plan and answered by the routes."""

from __future__ import annotations

import pytest

from assistant.answer import addressing
from assistant.answer.context import AnswerContext
from assistant.answer.routes import targets
from assistant.facts.extract import FactExtractor, PlanText
from assistant.ingest.corpus import Corpus
from assistant.ingest.structure import parse_structure
from assistant.understanding import QuestionReader
from tests.answer.plans import plan

DIEN_BIEN = """KẾ HOẠCH
Triển khai Chiến lược chuyển đổi số báo chí trên địa bàn tỉnh Điện Biên

I. MỤC TIÊU
1. Chỉ tiêu đặc thù của tỉnh
- Đài PT-TH làm tối thiểu 300 chương trình tiếng dân tộc thiểu số trong năm 2024 và 350 chương trình trong năm 2025.
- Đến năm 2025, Báo Điện Biên Phủ xây dựng 3 chuyên trang song ngữ trên báo điện tử.
- Đến năm 2025, 60% cơ quan báo chí của tỉnh hoạt động, vận hành mô hình tòa soạn hội tụ.
II. TỔ CHỨC THỰC HIỆN
1. Sở Thông tin và Truyền thông
Chủ trì tổ chức thực hiện Kế hoạch.
"""


@pytest.fixture(scope="module")
def ctx() -> AnswerContext:
    facts = FactExtractor().run(PlanText("dien-bien", "Điện Biên", DIEN_BIEN, parse_structure(DIEN_BIEN, [], None)))
    return AnswerContext(Corpus([plan("dien-bien", "Điện Biên", DIEN_BIEN)], {}), facts)


@pytest.fixture(scope="module")
def reader(ctx):
    return QuestionReader(["Điện Biên"], unit_names=ctx.unit_names, plan_indicators=ctx.plan_indicators)


def test_the_years_value_of_a_clause_with_several_is_stated_alone(ctx, reader) -> None:
    frame = reader.run("Năm 2025 Điện Biên làm bao nhiêu chương trình tiếng dân tộc thiểu số?")
    draft = targets.ROUTE.answer(frame, ctx, None)
    assert draft.status == "answered" and addressing.check(frame, draft, ctx).addressed
    assert "350 chương trình" in draft.text and "300" not in draft.text
    assert [f.value for f in draft.facts] == [350]


def test_an_english_how_many_is_answered_by_a_count_in_the_plans_own_unit(ctx, reader) -> None:
    # Without the embedding no word names the indicator: the year's targets are listed, each a count.
    frame = reader.run("How many ethnic-minority-language programmes must Dien Bien's broadcaster produce in 2025?")
    draft = targets.ROUTE.answer(frame, ctx, None)
    assert draft.status == "answered" and addressing.check(frame, draft, ctx).addressed
    assert "2025: 350 chương trình" in draft.text and "300" not in draft.text


def test_an_english_how_many_is_not_answered_by_a_share(ctx, reader) -> None:
    frame = reader.run("How many press agencies in Dien Bien run a converged newsroom in 2025?")
    draft = targets.ROUTE.answer(frame, ctx, None)
    assert draft.status == "not_found" and "60%" in draft.text and "350" not in draft.text
