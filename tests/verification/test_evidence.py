"""The answer-time evidence check: quotes must be the plan text at their spans, fact values must be in their quotes."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from assistant.answer import Composer
from assistant.schema import Citation
from assistant.verification.evidence import check_citation, check_evidence, check_fact

AI_QUESTION = "Mục tiêu năm 2025 của Lai Châu về ứng dụng AI là bao nhiêu?"


def _target(facts, plan_id: str = "lai-chau"):
    return next(f for f in facts if f.plan_id == plan_id and f.kind == "target" and f.value is not None)


def _citation(plan, start: int, end: int, n: int = 1) -> Citation:
    return Citation(
        n=n, plan_id=plan.id, province=plan.province, section="", quote=plan.text[start:end], start=start, end=end
    )


def test_every_extracted_fact_holds(corpus, facts) -> None:
    assert check_evidence([], facts, corpus) == []


def test_a_citation_must_quote_its_span(corpus) -> None:
    plan = corpus.plans[0]
    good = _citation(plan, 100, 160)
    assert check_citation(good, corpus) == []
    shifted = good.model_copy(update={"start": 101, "end": 161})
    assert "differs" in str(check_citation(shifted, corpus)[0])
    edited = good.model_copy(update={"quote": good.quote.replace(good.quote[5], "#", 1)})
    assert check_citation(edited, corpus)
    outside = good.model_copy(update={"end": len(plan.text) + 5})
    assert "outside" in str(check_citation(outside, corpus)[0])
    assert "not in the loaded corpus" in str(check_citation(good.model_copy(update={"plan_id": "nowhere"}), corpus)[0])


def test_a_changed_fact_value_is_caught(corpus, facts) -> None:
    fact = _target(facts)
    assert check_fact(fact, corpus) == []
    changed = replace(fact, value=fact.value + 30)
    assert any("value" in str(p) for p in check_fact(changed, corpus))
    assert check_fact(replace(fact, value_text="97%"), corpus)
    assert check_fact(replace(fact, year=2041), corpus)
    moved = replace(fact, start=fact.start + 1, end=fact.end + 1)
    assert "quote differs" in str(check_fact(moved, corpus)[0])


def test_a_changed_task_or_deadline_is_caught(corpus, facts) -> None:
    task = next(f for f in facts if f.kind == "task" and f.lead_units_original)
    assert check_fact(replace(task, lead_units_original="Bộ Quốc phòng"), corpus)
    assert check_fact(replace(task, number="9.9"), corpus)
    deadline = next(f for f in facts if f.kind == "reporting_deadline" and f.day)
    assert check_fact(deadline, corpus) == []
    assert check_fact(replace(deadline, day=(deadline.day % 28) + 1), corpus)


def test_the_engine_marks_a_tampered_answer_not_verified(engine, caplog: pytest.LogCaptureFixture) -> None:
    honest = engine.answer(AI_QUESTION)
    assert honest.verification.status == "verified" and "67%" in honest.answer
    tampered = [
        replace(f, value=97.0, value_text="97%", quote=f.quote.replace("67%", "97%"))
        if f.id == honest.facts[0]["id"]
        else f
        for f in engine.facts
    ]
    broken = replace(engine, facts=tampered, composer=Composer(engine.corpus, tampered))
    with caplog.at_level(logging.ERROR, logger="assistant.engine"):
        answer = broken.answer(AI_QUESTION)
    assert answer.verification.status == "not_verified"  # a fact that its plan no longer backs is never verified
    assert not any(claim.verified for claim in answer.verification.claims)
    assert any("Evidence check failed" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
