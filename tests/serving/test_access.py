"""The server's one door: keys for the API and the chat page alike, login, shared rate limits, throttled failures,
no uploads, protected metrics, overload shedding, and provinces that must exist."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import WebSocket
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from assistant.config import ApiConfig
from assistant.serving.access import SESSION_COOKIE, Door, RateLimiter
from assistant.serving.server import create_app
from tests.serving.conftest import TARGET_QUESTION, api_app, api_client, assert_error, page_client

KEY = "khoa-bi-mat-1"
OTHER_KEY = "khoa-bi-mat-2"
QUESTION = "Ai chủ trì nhiệm vụ 5.1 ở Lai Châu?"
CHAT_INPUTS = [QUESTION, [], [], "Tất cả các tỉnh", {}]  # question, chat, history, province, answers of respond()


def _keyed(**overrides) -> ApiConfig:
    return ApiConfig(**{"api_keys": frozenset({KEY, OTHER_KEY}), "rate_limit": 0, **overrides})


@pytest.fixture(scope="module")
def page_app(engine):
    """The whole server (API and chat page) with keys configured."""
    return create_app(engine=engine, config=_keyed(rate_limit=1000, auth_failures=3))


@pytest.fixture()
def page(page_app) -> Iterator[TestClient]:
    with page_client(page_app) as client:  # a fresh client: no cookie yet
        yield client


def _login(client: TestClient, key: str = KEY) -> httpx.Response:
    return client.post("/login", data={"key": key, "next": "/"}, follow_redirects=False)


def _gradio_answer(client: TestClient, inputs: list) -> str:
    """Ask through Gradio's own API (what a script would do): POST the call, then read its event stream."""
    started = client.post("/gradio_api/call/respond", json={"data": inputs})
    assert started.status_code == 200, started.text
    stream = client.get(f"/gradio_api/call/respond/{started.json()['event_id']}")
    assert stream.status_code == 200
    data = [json.loads(line[6:]) for line in stream.text.splitlines() if line.startswith("data: ")]
    return json.dumps(data, ensure_ascii=False)


def test_the_page_and_gradio_api_need_the_key(page: TestClient) -> None:
    to_login = page.get("/", headers={"accept": "text/html"}, follow_redirects=False)
    assert to_login.status_code == 303 and to_login.headers["location"].startswith("/login")
    for path in ("/config", "/gradio_api/info", "/gradio_api/openapi.json", "/theme.css"):
        refused = page.get(path)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "missing_api_key", path
    call = page.post("/gradio_api/call/respond", json={"data": CHAT_INPUTS})
    assert call.status_code == 401 and "event_id" not in call.text
    assert page.post("/gradio_api/queue/join", json={"data": CHAT_INPUTS, "fn_index": 2}).status_code == 401
    wrong = page.get("/config", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_api_key"


def test_login_sets_a_session_that_opens_the_page(page: TestClient, engine) -> None:
    form = page.get("/login")
    assert form.status_code == 200 and 'type="password"' in form.text and "Khóa truy cập" in form.text
    bad = _login(page, "sai")
    assert bad.status_code == 401 and "Khóa API không hợp lệ" in bad.text and SESSION_COOKIE not in bad.cookies
    good = _login(page)
    assert good.status_code == 303 and good.headers["location"] == "/"
    cookie = good.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and KEY not in cookie
    assert page.get("/", headers={"accept": "text/html"}).status_code == 200
    assert page.get("/config").status_code == 200
    assert "Sở Thông tin và Truyền thông" in _gradio_answer(page, CHAT_INPUTS)
    assert page.get("/v1/plans").status_code == 200  # the session opens the API too (same door)
    page.get("/logout")
    assert page.get("/config").status_code == 401


def test_a_bearer_key_opens_gradio_for_scripts(page: TestClient) -> None:
    page.headers["Authorization"] = f"Bearer {OTHER_KEY}"
    assert "Sở Thông tin và Truyền thông" in _gradio_answer(page, CHAT_INPUTS)


def test_next_never_leaves_the_server(page: TestClient) -> None:
    away = page.post("/login", data={"key": KEY, "next": "//evil.example/x"}, follow_redirects=False)
    assert away.headers["location"] == "/"
    form = page.get("/login", params={"next": '"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in form.text


def test_forged_or_expired_sessions_are_refused(engine) -> None:
    door = Door(_keyed())
    name = door.check_key(KEY)
    value = door.session_for(name, now=1_000_000.0)
    assert door.check_session(value, now=1_000_000.0 + 60) == name
    assert door.check_session(value, now=1_000_000.0 + 13 * 3600) is None  # expired
    fp, expires, mac = value.split(".")
    assert door.check_session(f"{fp}.{int(expires) + 10**6}.{mac}", now=1_000_000.0) is None  # expiry moved
    assert door.check_session(f"{fp}.{expires}.{'0' * 64}", now=1_000_000.0) is None
    revoked = Door(ApiConfig(api_keys=frozenset({OTHER_KEY})))
    assert revoked.check_session(value, now=1_000_000.0 + 60) is None  # the key was removed


def test_failed_keys_are_throttled(engine) -> None:
    app = create_app(engine=engine, config=_keyed(auth_failures=3), ui=False)
    with TestClient(app) as client:
        wrong = {"Authorization": "Bearer guess"}
        assert [client.get("/v1/plans", headers=wrong).status_code for _ in range(3)] == [401, 401, 401]
        throttled = client.get("/v1/plans", headers={"Authorization": f"Bearer {KEY}"})
        assert throttled.status_code == 429 and throttled.json()["error"]["code"] == "auth_throttled"
        assert int(throttled.headers["Retry-After"]) >= 1
        login = client.post("/login", data={"key": KEY}, follow_redirects=False)
        assert login.status_code == 429 and "thử lại sau" in login.text
        assert client.get("/healthz").status_code == 200


def test_api_and_page_share_one_rate_limit(engine) -> None:
    app = create_app(engine=engine, config=_keyed(rate_limit=4))
    with page_client(app) as client:
        client.headers["Authorization"] = f"Bearer {KEY}"
        assert client.post("/v1/answer", json={"question": QUESTION}).status_code == 200
        assert client.post("/gradio_api/call/respond", json={"data": CHAT_INPUTS}).status_code == 200
        assert client.get("/v1/plans").status_code == 200
        assert client.post("/gradio_api/call/respond", json={"data": CHAT_INPUTS}).status_code == 200
        for refused in (client.get("/v1/plans"), client.post("/gradio_api/call/respond", json={"data": CHAT_INPUTS})):
            assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
            assert int(refused.headers["Retry-After"]) >= 1
        other = client.get("/v1/plans", headers={"Authorization": f"Bearer {OTHER_KEY}"})
        assert other.status_code == 200  # one bucket per key


def test_clients_are_rate_limited_without_keys(engine) -> None:
    app = create_app(engine=engine, config=ApiConfig(rate_limit=3), ui=False)
    with TestClient(app) as client:
        assert [client.get("/v1/plans").status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get("/v1/plans")
        assert refused.status_code == 429 and "địa chỉ này" in refused.json()["error"]["message"]
    with TestClient(app, client=("10.0.0.9", 50000)) as elsewhere:
        assert elsewhere.get("/v1/plans").status_code == 200  # another client address has its own bucket


def test_uploads_are_refused_and_never_echo_a_path(page: TestClient) -> None:
    _login(page)
    for path in ("/gradio_api/upload", "/gradio_api/upload/"):
        response = page.post(path, files={"files": ("big.txt", b"x" * (1 << 20))})
        assert response.status_code in (403, 413), response.text
        assert "/tmp" not in response.text and "gradio" not in response.text.lower()
    assert page.get("/gradio_api/upload_progress", params={"upload_id": "x"}).status_code == 403


def test_metrics_need_a_key_unless_public(engine) -> None:
    closed = create_app(engine=engine, config=_keyed(), ui=False)
    with TestClient(closed) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
    public = create_app(engine=engine, config=_keyed(metrics_public=True), ui=False)
    with TestClient(public) as client:
        assert client.get("/metrics").status_code == 200
    with TestClient(create_app(engine=engine, config=ApiConfig(rate_limit=0), ui=False)) as client:
        assert client.get("/metrics").status_code == 200  # no keys: public by default


def test_a_full_queue_is_refused_at_once_with_retry_after(engine, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(engine=engine, config=ApiConfig(rate_limit=0), ui=False)
    with TestClient(app) as client:
        monkeypatch.setattr(type(engine.gate), "full", property(lambda self: True))
        refused = client.post("/v1/answer", json={"question": QUESTION})
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "overloaded"
        assert refused.headers["Retry-After"] == "1"
        assert client.get("/v1/plans").status_code == 200  # only answers are shed
        metrics = client.get("/metrics").text
        assert re.search(r'assistant_http_requests_total\{route="/v1/\*",method="POST",status="503"\} 1', metrics)


def test_unknown_province_is_a_422_naming_it(engine) -> None:
    with TestClient(create_app(engine=engine, config=ApiConfig(rate_limit=0), ui=False)) as client:
        for body in (
            {"question": QUESTION, "province": "Atlantis"},
            {"model": "x", "messages": [{"role": "user", "content": QUESTION}], "province": "Atlantis"},
        ):
            path = "/v1/answer" if "question" in body else "/v1/chat/completions"
            response = client.post(path, json=body)
            assert response.status_code == 422, response.text
            error = response.json()["error"]
            assert error["code"] == "unknown_province" and "'Atlantis'" in error["message"]
        facts = client.get("/v1/facts", params={"province": "Lai Châu xyz"})
        assert facts.status_code == 422 and "'Lai Châu xyz'" in facts.json()["error"]["message"]
        assert client.get("/v1/facts", params={"province": "tỉnh Lai Châu"}).json()
        assert client.get("/v1/facts", params={"province": "Hà Nội"}).json() == []  # a province, with no plan
        answer = client.post("/v1/answer", json={"question": "ai chu tri nhiem vu 5.1", "province": "lai chau"})
        assert answer.status_code == 200 and answer.json()["province"] == "Lai Châu"
        schema = client.get("/openapi.json").json()
        province = schema["components"]["schemas"]["AnswerRequest"]["properties"]["province"]
        listed = json.dumps(province, ensure_ascii=False)
        assert "Quảng Trị" in listed and "quang tri" in listed


def test_websockets_need_the_key_too(engine) -> None:
    app = create_app(engine=engine, config=_keyed(), ui=False)

    @app.websocket("/ws-probe")
    async def probe(websocket: WebSocket) -> None:  # a route the door must guard like any other
        await websocket.accept()
        await websocket.send_text("open")
        await websocket.close()

    with TestClient(app) as client:
        with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect("/ws-probe") as socket:
            socket.receive_text()
        assert closed.value.code == 1008
        with client.websocket_connect("/ws-probe", headers={"Authorization": f"Bearer {KEY}"}) as socket:
            assert socket.receive_text() == "open"


# -- keys, limits and bodies of the API -------------------------------------------------------------
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
    with api_client(api_app(monkeypatch, engine, MAX_BODY_BYTES="200")) as small:
        assert small.post("/v1/answer", json={"question": "Mục tiêu của Quảng Trị?"}).status_code == 200
        assert_error(small.post("/v1/answer", json={"question": "a" * 300}), 413, "body_too_large")


def test_api_keys(monkeypatch: pytest.MonkeyPatch, engine) -> None:
    with api_client(api_app(monkeypatch, engine, API_KEYS="key-one, key-two")) as keyed:
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
    with api_client(api_app(monkeypatch, engine, API_KEYS_FILE=str(keys))) as keyed:
        assert keyed.get("/v1/plans", headers={"Authorization": "Bearer file-key"}).status_code == 200
        assert_error(keyed.get("/v1/plans", headers={"Authorization": "Bearer # comment"}), 401)


def test_rate_limit(monkeypatch: pytest.MonkeyPatch, engine) -> None:
    with api_client(api_app(monkeypatch, engine, API_KEYS="a,b", RATE_LIMIT="3")) as limited:
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
