"""The outermost layer: the request id returned and logged as one JSON line, a crash answered as a JSON 500
without its detail."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from assistant.serving.server import create_app
from tests.serving.conftest import (
    UNLIMITED,
    api_client,
    assert_error,
)


def test_request_id_is_returned_and_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="assistant.serving.access"):
        response = client.get("/v1/plans", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "assistant.serving.access"]
    line = next(item for item in lines if item["request_id"] == "abc-123")
    assert line["status"] == 200 and line["route"] == "/v1/plans" and line["method"] == "GET"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"]
    assert generated != "bad id with spaces" and len(generated) == 32


def test_unhandled_error_is_a_json_500(engine) -> None:
    class Broken:
        corpus = engine.corpus
        facts = engine.facts

        def answer(self, question: str, history=None, province=None):
            raise RuntimeError("secret internal detail")

    with api_client(create_app(engine=Broken(), config=UNLIMITED, ui=False, self_test=False)) as broken:
        response = broken.post("/v1/answer", json={"question": "Mục tiêu?"})
        error = assert_error(response, 500, "internal_error")
        assert "secret" not in response.text and response.headers["X-Request-ID"] in error["message"]
        assert 'assistant_answers_total{status="error"} 1' in broken.get("/metrics").text
