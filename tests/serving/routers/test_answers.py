"""POST /v1/answer: the Answer JSON with cited, verified values; a follow-up with history and province; not found is
a 200; the SSE stream whose pieces join back to the answer."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from assistant.schema import Answer
from tests.serving.conftest import (
    FOLLOW_UP_HISTORY,
    TARGET_QUESTION,
    parse_sse,
)


def test_answer_json(client: TestClient, engine) -> None:
    response = client.post("/v1/answer", json={"question": TARGET_QUESTION})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == set(Answer.model_fields)
    answer = Answer.model_validate(body)
    assert answer.status == "answered" and answer.route == "facts" and answer.province == "Quảng Trị"
    assert "75%" in answer.answer and answer.citations and answer.facts
    assert answer.verification.status in ("verified", "partially_verified")
    plans = {p.id: p for p in engine.corpus.plans}
    for citation in answer.citations:
        assert plans[citation.plan_id].text[citation.start : citation.end] == citation.quote


def test_answer_history_and_province(client: TestClient) -> None:
    body = {"question": "còn năm 2030 thì sao?", "history": FOLLOW_UP_HISTORY, "province": "Quảng Trị"}
    answer = client.post("/v1/answer", json=body).json()
    assert answer["status"] == "answered" and "100%" in answer["answer"], answer["answer"]


def test_answer_not_found_is_200(client: TestClient) -> None:
    answer = client.post("/v1/answer", json={"question": "thời tiết hôm nay thế nào?"}).json()
    assert answer["status"] == "not_found" and answer["citations"] == []


def test_answer_stream(client: TestClient) -> None:
    with client.stream("POST", "/v1/answer", json={"question": TARGET_QUESTION, "stream": True}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = response.read().decode()
    events = parse_sse(text)
    names = [name for name, _ in events]
    deltas = names.count("delta")
    assert deltas >= 1 and names == ["delta"] * deltas + ["citations", "verification", "done"]
    done = Answer.model_validate_json(events[-1][1])
    assert "".join(json.loads(data)["text"] for name, data in events if name == "delta") == done.answer
    assert json.loads(events[-3][1]) == [c.model_dump() for c in done.citations]
    assert json.loads(events[-2][1]) == done.verification.model_dump()
    assert done.status == "answered" and "75%" in done.answer
