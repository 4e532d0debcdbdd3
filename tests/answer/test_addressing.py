"""The "addresses the question" gate on hand-built drafts: the asked attribute, agencies, quantities, scope,
the national level and arithmetic; and the refusal that replaces a draft answering a neighbouring question."""

from __future__ import annotations

import pytest

from assistant.answer import addressing
from assistant.answer.draft import Draft
from assistant.answer.routes import reporting, targets
from assistant.understanding import QuestionReader
from tests.answer.plans import context

PROVINCES = ["Nghệ An", "Phú Yên"]


@pytest.fixture(scope="module")
def ctx():
    return context()


@pytest.fixture(scope="module")
def reader(ctx):
    return QuestionReader(PROVINCES, unit_names=ctx.unit_names)


def _targets_draft(ctx, reader, question="Mục tiêu tòa soạn hội tụ năm 2025 của Nghệ An?"):
    return targets.answer_targets(reader.run(question), ctx, ctx.citations())


def test_targets_do_not_answer_a_time_frame_question(ctx, reader) -> None:
    frame = reader.run("Thời gian thực hiện nhiệm vụ phát triển nền tảng số của Nghệ An?")
    verdict = addressing.check(frame, _targets_draft(ctx, reader), ctx)
    assert not verdict.addressed and [str(u) for u in verdict.unmet] == ["attribute:time_frame"]


def test_the_target_asked_is_addressed(ctx, reader) -> None:
    frame = reader.run("Mục tiêu tòa soạn hội tụ năm 2025 của Nghệ An?")
    assert addressing.check(frame, _targets_draft(ctx, reader), ctx).addressed


def test_a_named_agency_must_be_in_the_answer(ctx, reader) -> None:
    frame = reader.run("Sở Tài chính Nghệ An phải báo cáo trước ngày nào?")
    draft = reporting.answer_reporting(frame, ctx, ctx.citations())
    verdict = addressing.check(frame, draft, ctx)
    assert not verdict.addressed and "unit:Sở Tài chính" in [str(u) for u in verdict.unmet]


def test_a_count_of_people_is_not_answered_by_a_share(ctx, reader) -> None:
    frame = reader.run("Nghệ An có bao nhiêu người vận hành tòa soạn hội tụ năm 2025?")
    verdict = addressing.check(frame, _targets_draft(ctx, reader), ctx)
    assert not verdict.addressed and verdict.unmet[0].kind == "count"
    # a share of exactly what is counted answers "bao nhiêu …" in Vietnamese
    frame = reader.run("Nghệ An đặt bao nhiêu cơ quan báo chí vận hành tòa soạn hội tụ năm 2025?")
    assert addressing.check(frame, _targets_draft(ctx, reader), ctx).addressed


def test_the_national_strategy_is_not_answered_with_a_province(ctx, reader) -> None:
    frame = reader.run("Chiến lược quốc gia đặt mục tiêu tòa soạn hội tụ năm 2025 là bao nhiêu phần trăm?")
    assert frame.scope.level == "national"
    verdict = addressing.check(frame, _targets_draft(ctx, reader), ctx)
    assert not verdict.addressed and "level:national" in [str(u) for u in verdict.unmet]


def test_a_target_on_another_topic_is_turned_down(ctx, reader) -> None:
    frame = reader.run("Nghệ An đặt mục tiêu bao nhiêu phần trăm doanh thu từ quảng cáo trực tuyến năm 2025?")
    draft = _targets_draft(ctx, reader)
    assert not addressing.check(frame, draft, ctx).addressed


def test_a_wrong_sum_fails_the_arithmetic_check(ctx, reader) -> None:
    frame = reader.run("Chỉ tiêu tòa soạn hội tụ năm 2025 của Nghệ An cao hơn Phú Yên bao nhiêu?")
    facts = [f for f in ctx.facts if f.kind == "target" and f.year == 2025]
    wrong = Draft("Chênh 25 điểm phần trăm.", "answered", "facts", [], facts)
    wrong.computed.append(("difference", 25.0, facts))
    verdict = addressing.check(frame, wrong, ctx)
    assert "arithmetic:difference" in [str(u) for u in verdict.unmet]


def test_the_refusal_says_what_is_missing_and_labels_the_related_facts(ctx, reader) -> None:
    frame = reader.run("Thời gian thực hiện nhiệm vụ phát triển nền tảng số của Nghệ An?")
    draft = _targets_draft(ctx, reader)
    refused = addressing.refuse(frame, draft, addressing.check(frame, draft, ctx), ctx)
    assert refused.status == "not_found"
    lines = refused.text.split("\n")
    assert "thời gian thực hiện" in lines[0] and lines[1] == "Thông tin liên quan (không phải câu trả lời):"
    assert [c.n for c in refused.citations] == list(range(1, len(refused.citations) + 1))


def test_a_refusal_addresses_nothing(ctx, reader) -> None:
    frame = reader.run("Mục tiêu tòa soạn hội tụ năm 2025 của Nghệ An?")
    assert not addressing.check(frame, Draft("Không có.", "not_found", "none"), ctx).addressed
