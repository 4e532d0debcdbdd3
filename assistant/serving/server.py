"""One server for the assistant: the HTTP API (/v1, /docs, health, metrics) and the Gradio chat page at /.

``create_app()`` returns the app at once and loads the answer engine in a background thread at startup, so
``/healthz`` answers immediately and ``/readyz`` turns 200 when the engine is ready: loaded (stale or damaged
data rebuilt first, :mod:`assistant.healing`) and through its self-test
(:mod:`assistant.serving.selftest`). The chat page is built after that, in another background thread, and served
at / once built (:mod:`assistant.serving.deferred_page`; until then / answers 503 with ``Retry-After``), so that
importing Gradio does not hold the API back. ``serve()`` runs it with uvicorn. The server's ``ASSISTANT_*``
variables are read when the app is created; an unusable one (an empty or unreadable keys file among them) stops
``serve()`` with one sentence before anything listens.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from assistant.config import ApiConfig, Settings, load_api_config, load_settings
from assistant.errors import AssistantError
from assistant.serving.errors import EngineUnavailable

if TYPE_CHECKING:  # the web stack is imported by create_app, after the engine has started loading
    from fastapi import FastAPI
    from fastapi.responses import RedirectResponse

    from assistant.engine import AnswerEngine
    from assistant.serving.deferred_page import DeferredPage

log = logging.getLogger(__name__)

NOT_READY = "Trợ lý đang nạp kế hoạch, bảng dữ liệu và mô hình; hãy thử lại sau ít giây."
SELF_TEST_FAILED = (
    "Trợ lý không vượt qua bài tự kiểm tra trên dữ liệu đã nạp; hãy xem nhật ký máy chủ rồi khởi động lại."
)


class SelfTestFailed(AssistantError):
    """A given engine did not pass its self-test."""


UI_WAIT_SECONDS = 600.0
PAGE_AFTER_ENGINE_S = 15.0  # the page is built once the engine is ready, or after this long if it is not yet
_PAGE_BUILDS = threading.Lock()  # Gradio keeps the page being built in globals: one build at a time per process


class EngineLoader:
    """Loads the engine once in a background thread; :meth:`get` never blocks, :meth:`wait` does.

    A given ``engine`` is ready at once, after ``check`` (a self-test: a list of problems, empty when it passes)."""

    def __init__(
        self,
        load: Callable[[], AnswerEngine],
        engine: AnswerEngine | None = None,
        check: Callable[[AnswerEngine], list[str]] | None = None,
    ) -> None:
        self._load = load
        self._engine: AnswerEngine | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        if engine is not None:
            problems = check(engine) if check else []
            if problems:
                log.error("The given engine failed its self-test: %s", "; ".join(problems))
                self._error = SelfTestFailed(SELF_TEST_FAILED)
            else:
                self._engine = engine
            self._done.set()

    @property
    def ready(self) -> bool:
        return self._engine is not None

    def start(self) -> None:
        """Start loading in a daemon thread (once; nothing to do when an engine was given)."""
        with self._lock:
            if self._done.is_set() or self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="engine-loader", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            self._engine = self._load()
            log.info("Engine loaded in the background in %.1f s", time.perf_counter() - started)
        except Exception as error:
            self._error = error
            log.exception("The answer engine failed to load")
        finally:
            self._done.set()

    def get(self) -> AnswerEngine:
        """The engine, or :class:`EngineUnavailable` (code not_ready while loading, engine_failed after a failure)."""
        if self._engine is not None:
            return self._engine
        if self._error is not None:
            if isinstance(self._error, AssistantError):
                raise EngineUnavailable(str(self._error), code="engine_failed")
            raise EngineUnavailable(
                f"Không nạp được trợ lý ({type(self._error).__name__}); hãy xem nhật ký máy chủ rồi khởi động lại.",
                code="engine_failed",
            )
        raise EngineUnavailable(NOT_READY)

    def wait(self, timeout: float | None = UI_WAIT_SECONDS) -> AnswerEngine:
        """Block until the engine is loaded (starting the load if needed), then :meth:`get`."""
        self.start()
        self._done.wait(timeout)
        return self.get()

    def settled(self, timeout: float | None = None) -> bool:
        """Block until loading has ended, loaded or failed (True), or ``timeout`` ran out (False); starts nothing."""
        return self._done.wait(timeout)


def _load_engine(settings: Settings) -> AnswerEngine:
    from assistant.serving.selftest import load_ready_engine

    return load_ready_engine(settings)


def create_app(
    settings: Settings | None = None,
    engine: AnswerEngine | None = None,
    *,
    load: Callable[[], AnswerEngine] | None = None,
    config: ApiConfig | None = None,
    ui: bool = True,
    preload: bool = False,
    self_test: bool = True,
) -> FastAPI:
    """The API with the chat page at / (unless ``ui`` is false: then / redirects to /docs).

    ``engine``: use this engine (ready at once once it passes the self-test, unless ``self_test`` is false);
    otherwise ``load`` (default: load, self-test, rebuild once if needed, see
    :func:`assistant.serving.selftest.load_ready_engine`) runs in a background thread when the app starts, or at once
    with ``preload``. The chat page is built in the background when the app starts, once the engine is ready
    (``app.state.page``, a :class:`~assistant.serving.deferred_page.DeferredPage`; ``app.state.page.wait()`` blocks
    until it is served). ``config`` overrides the ``ASSISTANT_*`` server variables.
    """
    from assistant.serving.selftest import self_test as run_self_test

    settings = settings or load_settings()
    config = config or load_api_config()
    loader = EngineLoader(load or (lambda: _load_engine(settings)), engine, check=run_self_test if self_test else None)
    if preload:
        loader.start()  # before the web stack below is imported: loading starts at once
    from assistant.serving.api import create_api
    from assistant.serving.deferred_page import DeferredPage

    page: DeferredPage | None = None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loader.start()
        if page is None:
            yield
            return
        async with page.running():
            yield

    app = create_api(loader.get, settings, config=config, lifespan=lifespan)
    app.state.engine_loader = loader
    if ui:
        page = DeferredPage(lambda: _build_page(app, loader, settings))
        app.mount("/", page)
    else:
        app.add_api_route("/", _to_docs, methods=["GET"], include_in_schema=False)
    app.state.page = page
    return app


def _to_docs() -> RedirectResponse:
    from fastapi.responses import RedirectResponse

    return RedirectResponse("/docs")


def _build_page(app: FastAPI, loader: EngineLoader, settings: Settings) -> FastAPI:
    """The chat page of :mod:`assistant.serving.ui` mounted at / of an app of its own (what
    :class:`~assistant.serving.deferred_page.DeferredPage` serves); built once the engine is ready, or after
    :data:`PAGE_AFTER_ENGINE_S`, so that both do not compete for the CPU."""
    loader.settled(PAGE_AFTER_ENGINE_S)
    started = time.perf_counter()
    from fastapi import FastAPI

    from assistant.serving import ui

    holder = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    holder.user_middleware = app.user_middleware  # Gradio leaves CORS to the server when the server sets it
    door = app.state.assistant.door
    with _PAGE_BUILDS:
        ui.mount_ui(holder, loader.wait, settings, path="/", auth_dependency=door.identity if door.locked else None)
    log.info("Chat page built in %.1f s", time.perf_counter() - started)
    return holder


def serve(host: str = "127.0.0.1", port: int = 7860) -> None:
    """Run the app with uvicorn (our access log replaces uvicorn's)."""
    import uvicorn

    settings = load_settings()
    config = load_api_config()  # an unusable value stops here, before the engine loads or anything listens
    logging.basicConfig(
        level=getattr(logging, settings.log_level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not config.auth_enabled:
        log.warning("No API keys are configured: the API and the chat page are open to every client that can connect")
    app = create_app(settings, preload=True, config=config)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    log.info("Assistant at http://%s:%d/ (chat page), API docs at http://%s:%d/docs", shown, port, shown, port)
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(), access_log=False)
