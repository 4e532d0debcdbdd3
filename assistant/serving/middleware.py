"""The outermost layer of every HTTP request: its id, its access-log line, its metrics, and a JSON 500 for a crash.

Each response carries ``X-Request-ID`` (the client's, when it is a short token, else a new one); each request
writes one JSON line to the ``assistant.serving.access`` logger.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders

from assistant.serving.access import ASGIApp, Message, Receive, Scope, Send, error_response
from assistant.serving.metrics import Metrics

log = logging.getLogger(__name__)
access_log = logging.getLogger("assistant.serving.access")

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def _is_v1(path: str) -> bool:
    return path == "/v1" or path.startswith("/v1/")


class RequestContextMiddleware:
    """Request id (``X-Request-ID``), one JSON access-log line, request metrics, and a JSON 500 for crashes."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("Unhandled error in %s %s (request %s)", scope["method"], scope["path"], request_id)
            if not response_started:
                message = (
                    f"Lỗi nội bộ khi xử lý yêu cầu (mã {request_id}); hãy thử lại, nếu vẫn lỗi hãy báo quản trị viên "
                    "kèm mã này."
                )
                await error_response(500, "internal_error", message)(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("route")
            label = getattr(route, "path", None) or ("/v1/*" if _is_v1(scope["path"]) else "other")
            self.metrics.record_request(label, scope["method"], status, seconds)
            if access_log.isEnabledFor(logging.INFO):  # the line is built only to be written
                _log_access(scope, request_id, label, status, seconds)


def _log_access(scope: Scope, request_id: str, label: str, status: int, seconds: float) -> None:
    """One JSON line of the access log for a finished request."""
    client = scope.get("client")
    access_log.info(
        json.dumps(
            {
                "request_id": request_id,
                "method": scope["method"],
                "path": scope["path"],
                "route": label,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "client": client[0] if client else None,
                "api_key": scope.get("state", {}).get("api_key"),
            },
            ensure_ascii=False,
        )
    )
