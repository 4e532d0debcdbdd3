"""One server for the assistant: the HTTP API (/v1, /docs, health, metrics) and the Gradio chat page at /.

``create_app()`` returns the app at once and loads the answer engine in a background thread at startup, so
``/healthz`` answers immediately and ``/readyz`` turns 200 when the engine is ready. ``serve()`` runs it
with uvicorn. The API reads its ``ASSISTANT_*`` variables when the app is created (see :mod:`assistant.api`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from assistant.api import ApiConfig, EngineUnavailable, create_api
from assistant.config import Settings, load_settings
from assistant.errors import AssistantError

if TYPE_CHECKING:
    from assistant.engine import AnswerEngine

log = logging.getLogger(__name__)

NOT_READY = "Trợ lý đang nạp kế hoạch, bảng dữ liệu và mô hình; hãy thử lại sau ít giây."
UI_WAIT_SECONDS = 600.0


class EngineLoader:
    """Loads the engine once in a background thread; :meth:`get` never blocks, :meth:`wait` does."""

    def __init__(self, load: Callable[[], AnswerEngine], engine: AnswerEngine | None = None) -> None:
        self._load = load
        self._engine = engine
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        if engine is not None:
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


def _load_engine(settings: Settings) -> AnswerEngine:
    from assistant.engine import AnswerEngine

    return AnswerEngine.load(settings)


def create_app(
    settings: Settings | None = None,
    engine: AnswerEngine | None = None,
    *,
    load: Callable[[], AnswerEngine] | None = None,
    config: ApiConfig | None = None,
    ui: bool = True,
    preload: bool = False,
) -> FastAPI:
    """The API with the chat page mounted at / (unless ``ui`` is false).

    ``engine``: use this engine (ready at once); otherwise ``load`` (default ``AnswerEngine.load(settings)``)
    runs in a background thread when the app starts, or at once with ``preload`` (so that loading overlaps
    building the chat page). ``config`` overrides the ``ASSISTANT_*`` API variables.
    """
    settings = settings or load_settings()
    loader = EngineLoader(load or (lambda: _load_engine(settings)), engine)
    if preload:
        loader.start()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loader.start()
        yield

    app = create_api(loader.get, settings, config=config, lifespan=lifespan)
    app.state.engine_loader = loader
    if not (ui and mount_ui(app, loader.wait, settings)):
        app.add_api_route("/", _to_docs, methods=["GET"], include_in_schema=False)
    return app


def _to_docs() -> RedirectResponse:
    return RedirectResponse("/docs")


def mount_ui(app: FastAPI, get_engine: Callable[[], AnswerEngine], settings: Settings) -> bool:
    """Mount the chat page of :mod:`assistant.ui` at /; False (API only) when it cannot be built."""
    try:
        from assistant import ui

        ui.mount_ui(app, get_engine, settings, path="/")
    except Exception:
        log.exception("The chat page could not be built; serving the API only")
        return False
    log.info("Chat page mounted at /")
    return True


def serve(host: str = "127.0.0.1", port: int = 7860) -> None:
    """Run the app with uvicorn (our access log replaces uvicorn's)."""
    import uvicorn

    settings = load_settings()
    logging.basicConfig(
        level=getattr(logging, settings.log_level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    app = create_app(settings, preload=True)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    log.info("Assistant at http://%s:%d/ (chat page), API docs at http://%s:%d/docs", shown, port, shown, port)
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(), access_log=False)
