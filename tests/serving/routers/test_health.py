"""Routes of health: liveness, readiness (with the engine's plans, facts, skipped plans and notes), and the
Prometheus metrics of requests and answers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.serving.conftest import (
    TARGET_QUESTION,
)


def test_health_and_readiness(client: TestClient, engine) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "plans": len(engine.corpus.plans),
        "facts": len(engine.facts),
        "skipped": {},
        "notes": [],
    }


def test_metrics(client: TestClient) -> None:
    client.post("/v1/answer", json={"question": TARGET_QUESTION})
    client.post("/v1/answer", json={"question": " "})
    text = client.get("/metrics").text
    assert client.get("/metrics").headers["content-type"].startswith("text/plain")
    assert "# TYPE assistant_http_requests_total counter" in text
    assert 'assistant_http_requests_total{route="/v1/answer",method="POST",status="200"}' in text
    assert 'assistant_http_requests_total{route="/v1/answer",method="POST",status="422"}' in text
    assert "# TYPE assistant_answer_latency_seconds histogram" in text
    assert 'assistant_answer_latency_seconds_bucket{le="+Inf"}' in text
    assert "assistant_answer_latency_seconds_count" in text
    values = dict(line.rsplit(" ", 1) for line in text.splitlines() if line and not line.startswith("#"))
    assert float(values['assistant_answers_total{status="answered"}']) >= 1
    assert float(values['assistant_answers_total{status="rejected"}']) >= 1
    assert float(values["assistant_answer_latency_seconds_count"]) >= 1
