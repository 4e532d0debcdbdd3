"""The request and response bodies: provinces in any spelling (an unknown one a 422 naming it), the fact kinds and
the question limit agreeing with the engine's, and a body serialized once giving FastAPI's own bytes."""

from __future__ import annotations

import asyncio
from typing import get_args

import pytest
from fastapi.routing import serialize_response

from assistant.facts.kinds import FACT_KINDS
from assistant.schema import Answer, Citation, Verification
from assistant.serving.api import FactKind
from assistant.serving.errors import ApiError
from assistant.serving.routers.answers import router as answers
from assistant.serving.schemas import MAX_QUESTION_CHARS, json_body, resolve_province


def test_fact_kinds_match_the_facts_table() -> None:
    assert set(get_args(FactKind)) == set(FACT_KINDS)


def test_question_limit_matches_the_engine() -> None:
    from assistant.engine import MAX_QUESTION_CHARS as ENGINE_LIMIT

    assert MAX_QUESTION_CHARS == ENGINE_LIMIT


def test_provinces_in_any_spelling() -> None:
    assert resolve_province("Quảng Trị") == resolve_province("quang tri") == "Quảng Trị"
    assert resolve_province(None) is None and resolve_province("   ") is None
    with pytest.raises(ApiError) as refused:
        resolve_province("Atlantis")
    assert refused.value.status == 422 and refused.value.code == "unknown_province"
    assert "'Atlantis'" in refused.value.message


def _answer() -> Answer:
    quote = "80% cơ quan báo chí của tỉnh hoạt động theo mô hình tòa soạn hội tụ"
    return Answer(
        question="Mục tiêu 2025 của Quảng Trị về tòa soạn hội tụ?",
        answer="Đến năm 2025, 80% cơ quan báo chí … [1]",
        status="answered",
        language="vi",
        province="Quảng Trị",
        route="facts",
        route_detail="targets",
        facts=[{"id": "quang-tri-target-1", "value": 80.0}],
        citations=[
            Citation(n=1, plan_id="quang-tri", province="Quảng Trị", section="II › 1", quote=quote, start=10, end=75)
        ],
        verification=Verification(status="verified"),
        timings_ms={"total": 12.5},
    )


def test_a_body_serialized_once_is_what_fastapi_would_send() -> None:
    route = next(r for r in answers.routes if r.path == "/v1/answer")
    answer = _answer()
    expected = asyncio.run(
        serialize_response(field=route.response_field, response_content=answer, is_coroutine=False, dump_json=True)
    )
    response = json_body(answer)
    assert response.body == expected and response.media_type == "application/json"
