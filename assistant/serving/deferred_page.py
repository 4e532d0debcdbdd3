"""The chat page mounted at / as soon as the app exists, and served once it is built: the API answers first.

Importing Gradio and building the page take seconds of a small machine's CPU; done before the server listens, they
held ``/readyz`` back by as much (and slowed the engine loading beside them, both needing the one interpreter
lock). :class:`DeferredPage` stands at / from the start. While the page is built (in a background thread, started
with the server) it answers 503 with ``Retry-After``: a browser gets a short Vietnamese page that reloads itself,
anything else the API's JSON error. Once built, the page is started on the server's event loop (Gradio's queue)
and takes every request at /. A page that cannot be built leaves the API alone: / then sends a browser to /docs.
"""

from __future__ import annotations

import asyncio
import html
import logging
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import BaseRoute, Mount

from assistant.serving.access import ASGIApp, Receive, Scope, Send, error_response

log = logging.getLogger(__name__)

RETRY_AFTER_S = 2
STARTING = "Trang hỏi đáp đang khởi động, hãy thử lại sau vài giây."
STARTING_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{seconds}">
<title>Đang khởi động · Trợ lý kế hoạch chuyển đổi số báo chí</title>
<style>
body {{ font-family: "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; background: #f1f5f9; margin: 0;
  display: flex; min-height: 100vh; align-items: center; justify-content: center; color: #0f172a; }}
main {{ background: #fff; padding: 28px 30px; border-radius: 14px; box-shadow: 0 6px 24px rgba(15,23,42,.12);
  max-width: 420px; margin: 16px; }}
h1 {{ font-size: 1.2rem; margin: 0 0 10px; }}
p {{ margin: 0; line-height: 1.5; color: #334155; }}
</style></head>
<body><main role="status"><h1>Trợ lý kế hoạch chuyển đổi số báo chí</h1>
<p>{message} Trang sẽ tự tải lại.</p></main></body></html>
"""
NO_PAGE = "Không có đường dẫn {path}; hãy xem danh sách API tại /docs."


def _wants_html(scope: Scope) -> bool:
    return scope["method"] in ("GET", "HEAD") and (
        scope["path"] in ("", "/") or "text/html" in Headers(scope=scope).get("accept", "")
    )


async def _starting(scope: Scope, receive: Receive, send: Send) -> None:
    """503 with Retry-After: the self-reloading page for a browser, the JSON error otherwise."""
    headers = {"Retry-After": str(RETRY_AFTER_S), "Cache-Control": "no-store"}
    if _wants_html(scope):
        body = STARTING_PAGE.format(seconds=RETRY_AFTER_S, message=html.escape(STARTING))
        response: Any = HTMLResponse(body, status_code=503, headers=headers)
    else:
        response = error_response(503, "page_starting", STARTING, headers)
    await response(scope, receive, send)


async def _no_page(scope: Scope, receive: Receive, send: Send) -> None:
    """What / answers when the page could not be built: a browser goes to the API docs, anything else is a 404."""
    if scope["method"] in ("GET", "HEAD") and scope["path"] in ("", "/"):
        response: Any = RedirectResponse("/docs")
    else:
        response = error_response(404, "not_found", NO_PAGE.format(path=scope["path"]))
    await response(scope, receive, send)


class DeferredPage:
    """An ASGI app for /: :func:`_starting` until ``build()`` has returned the page and it is started, then the page.

    ``build()`` runs once, in a daemon thread started by the first :meth:`running`; it returns an ASGI app whose
    ``router.lifespan_context`` starts the page (a FastAPI app with the Gradio page mounted at /)."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._built: Future[Any] | None = None
        self._serving: ASGIApp | None = None
        self._settled = threading.Event()  # set once this run serves the page (or knows there is none)
        self.failed = False

    @property
    def ready(self) -> bool:
        """True while the page is served."""
        return self._serving is not None and not self.failed

    @property
    def routes(self) -> list[BaseRoute]:
        """The page's own routes once it is served (none before)."""
        return list(getattr(self._serving, "routes", None) or [])

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the page is served (True) or known not to be (False); False also when ``timeout`` ran out."""
        return self._settled.wait(timeout) and not self.failed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        serving = self._serving
        if serving is None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1013})  # try again later
                return
            await _starting(scope, receive, send)
            return
        await serving(scope, receive, send)

    def _start_build(self) -> Future[Any]:
        with self._lock:
            if self._built is None:
                built: Future[Any] = Future()
                built.set_running_or_notify_cancel()  # from now on, no waiter's cancellation cancels the build
                self._built = built

                def run() -> None:
                    try:
                        built.set_result(self._build())
                    except BaseException as error:  # noqa: BLE001 - reported when the page is awaited
                        built.set_exception(error)

                threading.Thread(target=run, name="page-builder", daemon=True).start()
            return self._built

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """For the server's lifespan: build the page in the background (once), start it when built, stop it at the
        end. The server answers meanwhile."""
        stack = AsyncExitStack()
        task = asyncio.create_task(self._open(stack), name="chat-page")
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            self._serving = None
            self._settled.clear()
            await stack.aclose()

    async def _open(self, stack: AsyncExitStack) -> None:
        try:
            holder = await asyncio.wrap_future(self._start_build())
            await stack.enter_async_context(holder.router.lifespan_context(holder))
            page = next(route.app for route in holder.routes if isinstance(route, Mount))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("The chat page could not be built; serving the API only")
            self.failed = True
            self._serving = _no_page
        else:
            self.failed = False
            self._serving = page
            log.info("Chat page mounted at /")
        self._settled.set()
