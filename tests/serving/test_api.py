"""The HTTP API and server: every endpoint, SSE, the OpenAI shape, errors, auth, limits, metrics, readiness."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any, get_args

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.config import ApiConfig, load_api_config
from assistant.errors import AssistantError, ConfigError
from assistant.facts.extract import FACT_KINDS
from assistant.schema import Answer
from assistant.serving.access import RateLimiter
from assistant.serving.api import FactKind
from assistant.serving.schemas import MAX_QUESTION_CHARS
from assistant.serving.server import create_app
from assistant.serving.sse import split_pieces

API_ENV = (
    "ASSISTANT_API_KEYS",
    "ASSISTANT_API_KEYS_FILE",
    "ASSISTANT_RATE_LIMIT",
    "ASSISTANT_MAX_BODY_BYTES",
    "ASSISTANT_CORS_ORIGINS",
    "ASSISTANT_AUTH_FAILURES",
    "ASSISTANT_METRICS_PUBLIC",
)
UNLIMITED = ApiConfig(rate_limit=0)  # the functional tests send more than a client may in a minute
TARGET_QUESTION = "Đến năm 2025, bao nhiêu phần trăm cơ quan báo chí Quảng Trị phải đưa nội dung lên các nền tảng số?"
TASK_QUESTION = "Ai chủ trì nhiệm vụ 5.1 ở Lai Châu?"
FOLLOW_UP_HISTORY = [
    {"role": "user", "content": "Mục tiêu 2025 của Quảng Trị về tòa soạn hội tụ?"},
    {
        "role": "assistant",
        "content": "Đến năm 2025, 80% cơ quan báo chí của tỉnh Quảng Trị hoạt động, vận hành mô hình.",
    },
]


def _no_traceback(response: httpx.Response) -> None:
    response.read()
    assert "Traceback" not in response.text, response.text


def _client(app, **kwargs: Any) -> TestClient:
    client = TestClient(app, **kwargs)
    client.event_hooks = {"request": [], "response": [_no_traceback]}
    return client


def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in API_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def app(engine):
    return create_app(engine=engine, config=UNLIMITED)


@pytest.fixture(scope="module")
def client(app) -> Iterator[TestClient]:
    with _client(app) as test_client:
        assert app.state.page.wait(120), "the chat page was not served"
        yield test_client


def _api_app(monkeypatch: pytest.MonkeyPatch, engine, **env: str):
    """An app without the chat page, created with these ASSISTANT_* variables set (others cleared)."""
    _clean_env(monkeypatch)
    for name, value in env.items():
        monkeypatch.setenv(f"ASSISTANT_{name}", value)
    return create_app(engine=engine, ui=False)


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    message = body["error"]["message"]
    assert message.endswith(".") and any(ord(ch) > 127 for ch in message), message  # one Vietnamese sentence
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def parse_sse(text: str) -> list[tuple[str | None, str]]:
    """(event, data) for each Server-Sent Event of a response body."""
    events = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        event, data = None, []
        for line in block.split("\n"):
            if line.startswith("event: "):
                event = line[len("event: ") :]
            elif line.startswith("data: "):
                data.append(line[len("data: ") :])
        events.append((event, "\n".join(data)))
    return events


# -- health ------------------------------------------------------------------------------------------
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


def test_request_id_is_returned_and_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="assistant.serving.access"):
        response = client.get("/v1/plans", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "assistant.serving.access"]
    line = next(item for item in lines if item["request_id"] == "abc-123")
    assert line["status"] == 200 and line["route"] == "/v1/plans" and line["method"] == "GET"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"]
    assert generated != "bad id with spaces" and len(generated) == 32


# -- answers -----------------------------------------------------------------------------------------
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


def test_split_pieces_join_back() -> None:
    text = "Chỉ tiêu:\n- Năm 2025: 75% [1]. Năm 2030: 100% [2].\nHãy đối chiếu. Xong"
    pieces = split_pieces(text)
    assert "".join(pieces) == text and len(pieces) == 5
    assert split_pieces("") == []


# -- OpenAI-compatible chat --------------------------------------------------------------------------
def test_chat_completion_shape(client: TestClient) -> None:
    request = {
        "model": "tro-ly",
        "messages": [{"role": "system", "content": "Trả lời ngắn."}, {"role": "user", "content": TASK_QUESTION}],
    }
    response = client.post("/v1/chat/completions", json=request)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "chat.completion" and body["model"] == "tro-ly"
    assert body["id"].startswith("chatcmpl-") and isinstance(body["created"], int)
    choice = body["choices"][0]
    assert choice["index"] == 0 and choice["finish_reason"] == "stop" and choice["message"]["role"] == "assistant"
    assert body["usage"] == {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    extra = body["assistant"]
    assert set(extra) == {"citations", "verification", "status", "facts"} and extra["status"] == "answered"
    content = choice["message"]["content"]
    assert "Sở Thông tin và Truyền thông" in content and "\n\nNguồn:\n[1] Lai Châu — " in content
    assert len(extra["citations"]) >= 1 and extra["verification"]["status"]


def test_chat_history_from_messages_and_content_parts(client: TestClient) -> None:
    messages = [*FOLLOW_UP_HISTORY, {"role": "user", "content": [{"type": "text", "text": "còn năm 2030 thì sao?"}]}]
    body = client.post("/v1/chat/completions", json={"model": "x", "messages": messages}).json()
    assert body["assistant"]["status"] == "answered"
    assert "100%" in body["choices"][0]["message"]["content"]


def test_chat_stream(client: TestClient) -> None:
    request = {"model": "tro-ly", "messages": [{"role": "user", "content": TASK_QUESTION}]}
    expected = client.post("/v1/chat/completions", json=request).json()
    with client.stream("POST", "/v1/chat/completions", json={**request, "stream": True}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.read().decode().split("\n") if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[len("data: ") :]) for line in lines[:-1]]
    assert len({c["id"] for c in chunks}) == 1 and all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-1])
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["choices"][0]["delta"] == {}
    content = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert content == expected["choices"][0]["message"]["content"]
    assert chunks[-1]["assistant"]["citations"] == expected["assistant"]["citations"]


def test_chat_errors(client: TestClient) -> None:
    only_system = {"model": "x", "messages": [{"role": "system", "content": "hi"}]}
    assert_error(client.post("/v1/chat/completions", json=only_system), 422, "invalid_question")
    empty = {"model": "x", "messages": [{"role": "user", "content": "  "}]}
    assert_error(client.post("/v1/chat/completions", json=empty), 422, "invalid_question")
    assert_error(client.post("/v1/chat/completions", json={"model": "x", "messages": []}), 422)
    too_long = {"messages": [{"role": "user", "content": "a" * (MAX_QUESTION_CHARS + 1)}]}
    assert_error(client.post("/v1/chat/completions", json=too_long), 422, "invalid_question")


def test_models(client: TestClient) -> None:
    body = client.get("/v1/models").json()
    assert body["object"] == "list" and body["data"][0]["object"] == "model"


# -- plans -------------------------------------------------------------------------------------------
def test_plans(client: TestClient, engine) -> None:
    plans = client.get("/v1/plans").json()
    assert [p["id"] for p in plans] == [p.id for p in engine.corpus.plans]
    assert set(plans[0]) == {"id", "province", "title", "plan_number", "issue_date", "signer"}
    hue = next(p for p in plans if p["id"] == "thua-thien-hue")
    assert hue["plan_number"] == "270/KH-UBND" and hue["province"] == "Thừa Thiên Huế"
    detail = client.get("/v1/plans/thua-thien-hue").json()
    plan = next(p for p in engine.corpus.plans if p.id == "thua-thien-hue")
    assert detail["text"] == plan.text and detail["length"] == len(plan.text)
    assert detail["issuing_body"] == plan.meta.issuing_body and isinstance(detail["legal_basis"], list)
    assert_error(client.get("/v1/plans/khong-co"), 404, "plan_not_found")
    assert_error(client.get("/v1/plans/khong-co/text", params={"start": 0, "end": 5}), 404, "plan_not_found")


def test_plan_span_of_a_citation(client: TestClient, engine) -> None:
    citation = client.post("/v1/answer", json={"question": TARGET_QUESTION}).json()["citations"][0]
    span = client.get(
        f"/v1/plans/{citation['plan_id']}/text", params={"start": citation["start"], "end": citation["end"]}
    ).json()
    assert span["quote"] == citation["quote"]
    assert span["section"] and span["section"].startswith("II. MỤC TIÊU")
    text = next(p for p in engine.corpus.plans if p.id == citation["plan_id"]).text
    assert text[span["context_start"] : span["context_end"]] == span["before"] + span["quote"] + span["after"]
    assert 0 < len(span["before"]) <= 300 and 0 < len(span["after"]) <= 300


def test_plan_span_validation(client: TestClient, engine) -> None:
    length = len(next(p for p in engine.corpus.plans if p.id == "quang-tri").text)
    whole = client.get("/v1/plans/quang-tri/text", params={"start": 0, "end": length}).json()
    assert whole["before"] == "" and whole["after"] == "" and len(whole["quote"]) == length
    for params in ({"start": 5, "end": 5}, {"start": 9, "end": 3}, {"start": 0, "end": length + 1}):
        assert_error(client.get("/v1/plans/quang-tri/text", params=params), 422, "invalid_span")
    for params in ({"start": -1, "end": 3}, {"start": "a", "end": 3}, {"end": 3}):
        assert_error(client.get("/v1/plans/quang-tri/text", params=params), 422, "validation_error")


# -- facts -------------------------------------------------------------------------------------------
def test_facts_filters(client: TestClient, engine) -> None:
    every = client.get("/v1/facts").json()
    assert len(every) == len(engine.facts)
    folded = client.get("/v1/facts", params={"province": "lai chau", "kind": "target", "year": 2025}).json()
    accented = client.get("/v1/facts", params={"province": "Lai Châu", "kind": "target", "year": 2025}).json()
    assert folded == accented and folded
    assert all(f["province"] == "Lai Châu" and f["kind"] == "target" and f["year"] == 2025 for f in folded)
    revenue = client.get("/v1/facts", params={"indicator": "revenue_growth", "plan_id": "thai-binh"}).json()
    assert revenue and {f["indicator"] for f in revenue} == {"revenue_growth"}
    assert client.get("/v1/facts", params={"province": "Hà Nội"}).json() == []


def test_facts_csv(client: TestClient) -> None:
    response = client.get("/v1/facts", params={"kind": "task", "province": "Lai Châu", "format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0].startswith("id,plan_id,province,kind") and len(lines) > 2 and "lai-chau:task:" in lines[1]


def test_facts_invalid_filters(client: TestClient) -> None:
    for params in ({"kind": "bogus"}, {"year": "abc"}, {"year": 1200}, {"format": "xml"}):
        assert_error(client.get("/v1/facts", params=params), 422, "validation_error")
    error = assert_error(client.get("/v1/facts", params={"indicator": "no_such"}), 422, "validation_error")
    assert "revenue_growth" in error["message"]
    assert client.get("/v1/facts", params={"plan_id": "no-such"}).json() == []


def test_fact_kinds_match_the_facts_table() -> None:
    assert set(get_args(FactKind)) == set(FACT_KINDS)


# -- input errors ------------------------------------------------------------------------------------
def test_invalid_answer_requests(client: TestClient) -> None:
    post = client.post
    assert_error(
        post("/v1/answer", content=b'{"question": ', headers={"content-type": "application/json"}), 422, "invalid_json"
    )
    assert_error(post("/v1/answer", json=["a question"]), 422, "validation_error")
    assert_error(post("/v1/answer", json={}), 422, "validation_error")
    assert_error(post("/v1/answer", json={"question": 42}), 422, "validation_error")
    assert_error(post("/v1/answer", json={"question": "hi", "stream": "maybe"}), 422, "validation_error")
    assert_error(post("/v1/answer", json={"question": "hi", "stream": 0}), 422, "validation_error")
    assert_error(post("/v1/answer", json={"question": "hi", "history": "none"}), 422, "validation_error")
    assert_error(post("/v1/answer", json={"question": "hi", "history": [{"role": "bot", "content": "x"}]}), 422)
    for question in ("", "   \n\t "):
        error = assert_error(post("/v1/answer", json={"question": question}), 422, "invalid_question")
        assert "Câu hỏi trống" in error["message"]
    error = assert_error(post("/v1/answer", json={"question": "a" * (MAX_QUESTION_CHARS + 1)}), 422, "invalid_question")
    assert str(MAX_QUESTION_CHARS) in error["message"]
    assert client.post("/v1/answer", json={"question": "a" * MAX_QUESTION_CHARS}).status_code == 200


def test_question_limit_matches_the_engine() -> None:
    from assistant.engine import MAX_QUESTION_CHARS as ENGINE_LIMIT

    assert MAX_QUESTION_CHARS == ENGINE_LIMIT


def test_unknown_paths_and_methods(client: TestClient) -> None:
    assert_error(client.get("/v1/nothing-here"), 404, "not_found")
    error = client.post("/v1/plans")
    assert_error(error, 405, "method_not_allowed")
    assert "GET" in error.headers["Allow"]
    for method, path in (("TRACE", "/healthz"), ("POST", "/readyz"), ("QUERY", "/metrics"), ("QUERY", "/v1/plans")):
        refused = client.request(method, path)  # not a fall-through to the chat page's 404
        assert_error(refused, 405, "method_not_allowed")
        assert refused.headers["Allow"] == "GET"


def test_body_too_large(client: TestClient) -> None:
    big = {"question": "Mục tiêu?", "history": [{"role": "user", "content": "x" * (70 * 1024)}]}
    assert_error(client.post("/v1/answer", json=big), 413, "body_too_large")

    def chunked() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(100):
            yield b"a" * 1024
        yield b'"}'

    response = client.post("/v1/answer", content=chunked(), headers={"content-type": "application/json"})
    assert_error(response, 413, "body_too_large")


def test_body_limit_from_env(monkeypatch: pytest.MonkeyPatch, engine) -> None:
    with _client(_api_app(monkeypatch, engine, MAX_BODY_BYTES="200")) as small:
        assert small.post("/v1/answer", json={"question": "Mục tiêu của Quảng Trị?"}).status_code == 200
        assert_error(small.post("/v1/answer", json={"question": "a" * 300}), 413, "body_too_large")


def test_unhandled_error_is_a_json_500(engine) -> None:
    class Broken:
        corpus = engine.corpus
        facts = engine.facts

        def answer(self, question: str, history=None, province=None):
            raise RuntimeError("secret internal detail")

    with _client(create_app(engine=Broken(), config=UNLIMITED, ui=False, self_test=False)) as broken:
        response = broken.post("/v1/answer", json={"question": "Mục tiêu?"})
        error = assert_error(response, 500, "internal_error")
        assert "secret" not in response.text and response.headers["X-Request-ID"] in error["message"]
        assert 'assistant_answers_total{status="error"} 1' in broken.get("/metrics").text


# -- API keys, rate limit, CORS ----------------------------------------------------------------------
def test_api_keys(monkeypatch: pytest.MonkeyPatch, engine) -> None:
    with _client(_api_app(monkeypatch, engine, API_KEYS="key-one, key-two")) as keyed:
        missing = keyed.get("/v1/plans")
        assert_error(missing, 401, "missing_api_key")
        assert missing.headers["WWW-Authenticate"] == "Bearer"
        assert_error(keyed.get("/v1/plans", headers={"Authorization": "Bearer wrong"}), 401, "invalid_api_key")
        assert_error(keyed.get("/v1/plans", headers={"Authorization": "key-one"}), 401, "missing_api_key")
        assert keyed.get("/v1/plans", headers={"Authorization": "Bearer key-one"}).status_code == 200
        ok = keyed.post("/v1/answer", json={"question": TARGET_QUESTION}, headers={"Authorization": "bearer key-two"})
        assert ok.status_code == 200
        assert keyed.get("/healthz").status_code == 200 and keyed.get("/readyz").status_code == 200
        schema = keyed.get("/openapi.json").json()
        assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_api_keys_file(monkeypatch: pytest.MonkeyPatch, engine, tmp_path) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text("# comment\nfile-key\n\n", encoding="utf-8")
    with _client(_api_app(monkeypatch, engine, API_KEYS_FILE=str(keys))) as keyed:
        assert keyed.get("/v1/plans", headers={"Authorization": "Bearer file-key"}).status_code == 200
        assert_error(keyed.get("/v1/plans", headers={"Authorization": "Bearer # comment"}), 401)


def test_rate_limit(monkeypatch: pytest.MonkeyPatch, engine) -> None:
    with _client(_api_app(monkeypatch, engine, API_KEYS="a,b", RATE_LIMIT="3")) as limited:
        first = {"Authorization": "Bearer a"}
        assert [limited.get("/v1/plans", headers=first).status_code for _ in range(3)] == [200, 200, 200]
        response = limited.get("/v1/plans", headers=first)
        assert_error(response, 429, "rate_limited")
        assert int(response.headers["Retry-After"]) >= 1
        assert limited.get("/v1/plans", headers={"Authorization": "Bearer b"}).status_code == 200
        assert limited.get("/healthz").status_code == 200


def test_token_bucket_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.acquire("k") == 0.0 for _ in range(60))
    assert limiter.acquire("k") == pytest.approx(1.0)
    now[0] += 1.0
    assert limiter.acquire("k") == 0.0
    assert RateLimiter(0).acquire("k") == 0.0


def test_cors(monkeypatch: pytest.MonkeyPatch, engine, client: TestClient) -> None:
    preflight = {"Origin": "https://bao.example.vn", "Access-Control-Request-Method": "POST"}
    with _client(_api_app(monkeypatch, engine, CORS_ORIGINS="https://bao.example.vn")) as cors:
        response = cors.options("/v1/answer", headers=preflight)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://bao.example.vn"
        simple = cors.get("/v1/plans", headers={"Origin": "https://bao.example.vn"})
        assert simple.headers["access-control-allow-origin"] == "https://bao.example.vn"
    assert "access-control-allow-origin" not in client.get("/v1/plans", headers={"Origin": "https://x.org"}).headers


def test_config_errors(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    _clean_env(monkeypatch)
    assert load_api_config() == ApiConfig()
    monkeypatch.setenv("ASSISTANT_RATE_LIMIT", "many")
    with pytest.raises(ConfigError, match="ASSISTANT_RATE_LIMIT"):
        load_api_config()
    monkeypatch.setenv("ASSISTANT_RATE_LIMIT", "0")
    monkeypatch.setenv("ASSISTANT_API_KEYS_FILE", str(tmp_path / "absent.txt"))
    with pytest.raises(ConfigError, match="ASSISTANT_API_KEYS_FILE"):
        load_api_config()
    empty = tmp_path / "keys.txt"
    empty.write_text("# no key yet\n\n", encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_API_KEYS_FILE", str(empty))
    with pytest.raises(ConfigError, match="không có khóa nào"):  # an empty keys file must not turn auth off
        load_api_config()
    monkeypatch.delenv("ASSISTANT_API_KEYS_FILE")
    monkeypatch.setenv("ASSISTANT_METRICS_PUBLIC", "maybe")
    with pytest.raises(ConfigError, match="ASSISTANT_METRICS_PUBLIC"):
        load_api_config()


# -- metrics and readiness ---------------------------------------------------------------------------
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


def test_readyz_before_the_engine_is_loaded(engine) -> None:
    release = threading.Event()

    def slow_load():
        assert release.wait(30)
        return engine

    app = create_app(load=slow_load, config=ApiConfig(), ui=False)
    with _client(app) as starting:
        assert starting.get("/healthz").status_code == 200
        response = starting.get("/readyz")
        assert_error(response, 503, "not_ready")
        assert response.headers["Retry-After"]
        assert_error(starting.post("/v1/answer", json={"question": TARGET_QUESTION}), 503, "not_ready")
        assert_error(starting.get("/v1/plans"), 503, "not_ready")
        release.set()
        deadline = time.monotonic() + 10
        while starting.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "the engine never became ready"
            time.sleep(0.05)
        assert starting.post("/v1/answer", json={"question": TARGET_QUESTION}).status_code == 200


def test_readyz_after_a_failed_load() -> None:
    def failing_load():
        raise AssistantError("Không tìm thấy tệp manifest.toml; hãy tạo tệp mô tả các kế hoạch.")

    with _client(create_app(load=failing_load, config=ApiConfig(), ui=False)) as failed:
        deadline = time.monotonic() + 10
        while (response := failed.get("/readyz")).json()["error"]["code"] == "not_ready":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        error = assert_error(response, 503, "engine_failed")
        assert "manifest.toml" in error["message"]
        assert failed.get("/healthz").status_code == 200


# -- the page and the schema -------------------------------------------------------------------------
def test_root_serves_the_page_or_the_docs(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]


def test_openapi_documents_every_route(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/v1/answer",
        "/v1/chat/completions",
        "/v1/models",
        "/v1/plans",
        "/v1/plans/{plan_id}",
        "/v1/plans/{plan_id}/text",
        "/v1/facts",
        "/healthz",
        "/readyz",
        "/metrics",
    } <= paths
    answer = schema["paths"]["/v1/answer"]["post"]["responses"]
    assert answer["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
    assert "text/event-stream" in answer["200"]["content"]
    assert client.get("/docs").status_code == 200
