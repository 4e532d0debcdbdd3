"""The chat page at / served once built: 503 with Retry-After (a self-reloading Vietnamese page for a browser, the
JSON error otherwise) until then; the API ready before it; built once; a page that cannot be built leaves the API."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse
from starlette.routing import Route

import assistant.serving.server as server
from assistant.config import ApiConfig
from assistant.serving.deferred_page import RETRY_AFTER_S, STARTING, DeferredPage
from assistant.serving.server import create_app

WAIT_S = 120.0


def _host(text: str = "trang") -> FastAPI:
    """What a build returns: an app whose routes are the page's (here one plain route at / and one below)."""

    async def page(request) -> PlainTextResponse:
        return PlainTextResponse(f"{text} {request.url.path}")

    holder = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    holder.mount("/", app=FastAPI(routes=[Route("/", page), Route("/config", page)], openapi_url=None))
    return holder


def _app_with(page: DeferredPage) -> FastAPI:
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async with page.running():
            yield

    app = FastAPI(lifespan=lifespan)
    app.mount("/", page)
    return app


def _assert_starting(client: TestClient) -> None:
    browser = client.get("/", headers={"accept": "text/html"})
    assert browser.status_code == 503 and browser.headers["Retry-After"] == str(RETRY_AFTER_S)
    assert "text/html" in browser.headers["content-type"]
    assert STARTING in browser.text and "đang khởi động" in browser.text and 'http-equiv="refresh"' in browser.text
    assert '<html lang="vi">' in browser.text
    script = client.get("/config")
    assert script.status_code == 503 and script.headers["Retry-After"] == str(RETRY_AFTER_S)
    assert script.json() == {"error": {"code": "page_starting", "message": STARTING}}


def test_starting_until_built_then_the_page() -> None:
    release = threading.Event()
    builds = []

    def build() -> FastAPI:
        builds.append(1)
        assert release.wait(WAIT_S)
        return _host()

    page = DeferredPage(build)
    with TestClient(_app_with(page)) as client:
        _assert_starting(client)
        assert not page.ready and not page.wait(0.1) and page.routes == []
        release.set()
        assert page.wait(WAIT_S) and page.ready
        assert client.get("/").text == "trang /" and client.get("/config").text == "trang /config"
        assert [r.path for r in page.routes][:2] == ["/", "/config"]
    assert not page.ready  # stopped with the server
    with TestClient(_app_with(page)) as again:  # a second start serves the page built the first time
        assert page.wait(WAIT_S) and again.get("/").status_code == 200
    assert builds == [1]


def test_a_page_that_cannot_be_built_leaves_the_api() -> None:
    def build() -> FastAPI:
        raise RuntimeError("no gradio here")

    page = DeferredPage(build)
    with TestClient(_app_with(page)) as client:
        assert not page.wait(WAIT_S) and page.failed
        to_docs = client.get("/", follow_redirects=False)
        assert to_docs.status_code == 307 and to_docs.headers["location"] == "/docs"
        missing = client.get("/config")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_a_server_stopped_while_building_stops_cleanly() -> None:
    release = threading.Event()
    page = DeferredPage(lambda: (release.wait(WAIT_S), _host())[1])
    with TestClient(_app_with(page)) as client:
        _assert_starting(client)
    release.set()  # the build finishes in its thread after the server stopped; nothing is served
    time.sleep(0.1)
    assert not page.ready


@pytest.fixture()
def held_page(monkeypatch: pytest.MonkeyPatch):
    """The server's real page builder, held until the test releases it."""
    release = threading.Event()
    build = server._build_page

    def held(*args, **kwargs):
        assert release.wait(WAIT_S)
        return build(*args, **kwargs)

    monkeypatch.setattr(server, "_build_page", held)
    return release


def test_the_api_is_ready_before_the_page(engine, held_page: threading.Event) -> None:
    app = create_app(engine=engine, config=ApiConfig(rate_limit=0))
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200
        assert client.post("/v1/answer", json={"question": "Ai chủ trì nhiệm vụ 5.1 ở Lai Châu?"}).status_code == 200
        _assert_starting(client)
        starting = client.get("/")
        assert starting.headers["X-Request-ID"]  # through the server's own layers
        held_page.set()
        assert app.state.page.wait(WAIT_S)
        page = client.get("/", headers={"accept": "text/html"})
        assert page.status_code == 200 and "gradio" in page.text.lower()
        assert client.get("/config").status_code == 200


def test_the_page_waits_for_the_engine(engine) -> None:
    """The page is built once the engine is loaded (both need the CPU), so / is the starting page meanwhile."""
    release = threading.Event()

    def slow_load():
        assert release.wait(WAIT_S)
        return engine

    app = create_app(load=slow_load, config=ApiConfig(rate_limit=0), self_test=False)
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 503
        time.sleep(0.5)
        _assert_starting(client)
        release.set()
        assert app.state.page.wait(WAIT_S)
        assert client.get("/readyz").status_code == 200 and client.get("/").status_code == 200
