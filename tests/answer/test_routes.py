"""Answer routes on hand-built plans, facts and frames (no model, no index): each route's own behaviour."""

from __future__ import annotations

import pytest

from assistant.answer import addressing, routes
from assistant.answer.draft import Draft
from assistant.answer.routes import reporting_difference, target_difference, targets, unassigned_unit
from assistant.understanding import QuestionReader
from tests.answer.plans import context

PROVINCES = ["Nghệ An", "Phú Yên"]


@pytest.fixture(scope="module")
def ctx():
    return context()


@pytest.fixture(scope="module")
def reader(ctx):
    return QuestionReader(PROVINCES, unit_names=ctx.unit_names)


def test_targets_route_answers_the_asked_year_with_its_own_clause(ctx, reader) -> None:
    frame = reader.run("Mục tiêu tòa soạn hội tụ năm 2030 của Nghệ An?")
    draft = targets.ROUTE.answer(frame, ctx, None)
    assert draft.status == "answered" and "90%" in draft.text and "60%" not in draft.text
    assert [f.year for f in draft.facts] == [2030]
    assert all(c.quote in ctx.corpus.get(c.plan_id).text for c in draft.citations)


def test_a_year_the_plan_does_not_set_is_said_so_with_what_it_sets(ctx, reader) -> None:
    draft = targets.ROUTE.answer(reader.run("Mục tiêu tòa soạn hội tụ năm 2027 của Nghệ An?"), ctx, None)
    assert draft.status == "not_found" and "2027" in draft.text and "60%" in draft.text


def test_the_difference_of_two_provinces_is_computed_from_both_facts(ctx, reader) -> None:
    frame = reader.run("Chỉ tiêu tòa soạn hội tụ năm 2025 của Nghệ An cao hơn Phú Yên bao nhiêu?")
    assert frame.aggregate == "difference"
    draft = target_difference.ROUTE.answer(frame, ctx, None)
    assert draft.status == "answered" and "20 điểm phần trăm" in draft.text
    assert draft.computed == [("difference", 20.0, draft.facts)]
    assert addressing.check(frame, draft, ctx).addressed


def test_a_difference_with_a_missing_side_is_not_computed(ctx, reader) -> None:
    frame = reader.run("chenh lech chi tieu toa soan hoi tu nam 2030 giua Nghe An va Phu Yen")
    draft = target_difference.ROUTE.answer(frame, ctx, None)
    assert draft.status == "not_found" and "Phú Yên" in draft.text


def test_days_between_reporting_dates_and_the_latest_one(ctx, reader) -> None:
    frame = reader.run("Hạn báo cáo hằng năm của Nghệ An sớm hơn Phú Yên bao nhiêu ngày?")
    draft = reporting_difference.ROUTE.answer(frame, ctx, None)
    assert "20 ngày" in draft.text and draft.computed[0][1] == 20.0
    latest = reporting_difference.ROUTE.answer(reader.run("Tỉnh nào có hạn báo cáo muộn nhất?"), ctx, None)
    assert latest.text.startswith("Muộn nhất trong năm: Phú Yên (10/12)")


def test_an_agency_no_plan_mentions_is_refused_naming_those_with_duties(ctx, reader) -> None:
    frame = reader.run("Công an tỉnh Nghệ An có nhiệm vụ gì?")
    assert unassigned_unit.ROUTE.score(frame, ctx, None) > 0.9
    draft = unassigned_unit.ROUTE.answer(frame, ctx, None)
    assert draft.status == "not_found" and "Công an tỉnh" in draft.text and "Sở Tài chính" in draft.text
    assert unassigned_unit.ROUTE.score(reader.run("Sở Tài chính Nghệ An có nhiệm vụ gì?"), ctx, None) == 0


class _Stub(routes.Route):
    def __init__(self, name: str, score: float, status: str = "answered") -> None:
        self.name, self._score, self._status = name, score, status

    def score(self, frame, ctx, search) -> float:
        return self._score

    def answer(self, frame, ctx, search):
        return Draft(f"{self.name}", self._status, "facts")


def test_the_registry_tries_the_surest_route_first_and_the_next_when_the_gate_turns_one_down(
    ctx, reader, monkeypatch
) -> None:
    monkeypatch.setattr(routes, "ROUTES", [_Stub("low", 0.2), _Stub("high", 0.9), _Stub("never", 0.0)])
    frame = reader.run("Sở Tài chính Nghệ An có nhiệm vụ gì?")
    draft, trace = routes.run(frame, ctx, None)
    assert draft.route_detail == "high" and trace.tried == ["high"]
    draft, trace = routes.run(frame, ctx, None, accept=lambda d: d.route_detail != "high")
    assert draft.route_detail == "low" and trace.turned_down == ["high"]
    draft, trace = routes.run(frame, ctx, None, accept=lambda d: False)  # all turned down: the first, to refuse
    assert draft.route_detail == "high" and trace.turned_down == ["high", "low"]


def test_a_route_refusal_ends_the_search(ctx, reader, monkeypatch) -> None:
    monkeypatch.setattr(routes, "ROUTES", [_Stub("refuses", 0.9, "not_found"), _Stub("answers", 0.5)])
    draft, trace = routes.run(reader.run("Sở Tài chính có nhiệm vụ gì?"), ctx, None)
    assert draft.route_detail == "refuses" and trace.tried == ["refuses"]


def test_a_failing_route_does_not_stop_the_others(ctx, reader, monkeypatch, caplog) -> None:
    frame = reader.run("Mục tiêu tòa soạn hội tụ năm 2030 của Nghệ An?")

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(targets.Targets, "answer", broken)
    draft, trace = routes.run(frame, ctx, None)
    assert "targets" in trace.tried and (draft is None or draft.route_detail != "targets")
    assert "Route targets failed" in caplog.text
