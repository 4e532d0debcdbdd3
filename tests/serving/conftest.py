"""What the serving tests share: a client of the whole server (API and chat page) over the real engine, clients
that show no traceback, apps made from ``ASSISTANT_*`` variables, the error shape, and SSE parsing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.config import ApiConfig
from assistant.serving.server import create_app

PAGE_TIMEOUT_S = 120.0
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


@contextmanager
def page_client(app: Any, **kwargs: Any) -> Iterator[TestClient]:
    """A started :class:`TestClient` of ``app`` once its chat page (built in the background) is served."""
    with TestClient(app, **kwargs) as client:
        assert app.state.page.wait(PAGE_TIMEOUT_S), "the chat page was not served"
        yield client


def _no_traceback(response: httpx.Response) -> None:
    response.read()
    assert "Traceback" not in response.text, response.text


def api_client(app: Any, **kwargs: Any) -> TestClient:
    """A test client that fails any response showing a traceback."""
    client = TestClient(app, **kwargs)
    client.event_hooks = {"request": [], "response": [_no_traceback]}
    return client


def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in API_ENV:
        monkeypatch.delenv(name, raising=False)


def api_app(monkeypatch: pytest.MonkeyPatch, engine: Any, **env: str) -> Any:
    """An app without the chat page, created with these ASSISTANT_* variables set (others cleared)."""
    clean_env(monkeypatch)
    for name, value in env.items():
        monkeypatch.setenv(f"ASSISTANT_{name}", value)
    return create_app(engine=engine, ui=False)


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    """The response is the API's error shape with this status (and code), its message one Vietnamese sentence."""
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


@pytest.fixture(scope="session")
def app(engine):
    """The whole server (API and chat page) over the real engine, without rate limit."""
    return create_app(engine=engine, config=UNLIMITED)


@pytest.fixture(scope="session")
def client(app) -> Iterator[TestClient]:
    """A started client of :func:`app`, once its chat page is served."""
    with api_client(app) as test_client:
        assert app.state.page.wait(PAGE_TIMEOUT_S), "the chat page was not served"
        yield test_client
