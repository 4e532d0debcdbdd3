"""One door for every route of the server: API keys, the chat page's login, rate limits, failed-key throttling,
body limits, and no uploads.

- **Keys.** When API keys are configured, every route except health (/healthz, /readyz), the API docs, the login
  page and, when public, /metrics needs a key: ``Authorization: Bearer <key>``, or the session cookie that the
  login form (/login) sets after checking a key. The chat page and all of Gradio's routes (``/gradio_api/…``,
  ``/config``, assets) are behind the same door; a browser that asks for a page without a session is sent to
  /login. Gradio also gets :meth:`Door.identity` as its ``auth_dependency``.
- **Rate limit.** One token bucket per key (per client address without keys): every /v1 request and every POST
  of the chat page (each Gradio call) takes a token, so the API and the page share one limit (429 + Retry-After).
- **Failed keys.** Each wrong key (header or login form) costs the client address a token of a second bucket;
  when it is empty, key attempts from that address get 429 without being checked.
- **Overload.** A new answer while the engine's queue is full is refused at once (503 + Retry-After), before it
  takes a thread.
- **Bodies and uploads.** /v1 bodies are capped at ``ASSISTANT_MAX_BODY_BYTES`` (413), the page's calls at
  :data:`PAGE_MAX_BODY_BYTES`; Gradio's upload routes are closed (the page has no upload), so nothing uploaded is
  stored or echoed back with its server path.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from assistant.config import ApiConfig

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SESSION_COOKIE = "assistant_session"
SESSION_SECONDS = 12 * 3600
PAGE_MAX_BODY_BYTES = 2 * 1024 * 1024  # a chat page call carries the conversation shown so far
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/docs", "/docs/oauth2-redirect", "/openapi.json"})
LOGIN_PATHS = frozenset({"/login", "/logout"})
ANSWER_PATHS = frozenset({"/v1/answer", "/v1/chat/completions"})
UPLOAD_SUFFIXES = ("/gradio_api/upload", "/gradio_api/upload_progress", "/upload", "/upload_progress")

MISSING_KEY = "Yêu cầu thiếu khóa API; hãy gửi tiêu đề 'Authorization: Bearer <khóa API>'."
MISSING_SESSION = "Trang hỏi đáp cần đăng nhập; hãy mở /login và nhập khóa truy cập."
INVALID_KEY = "Khóa API không hợp lệ; hãy kiểm tra lại khóa hoặc xin quản trị viên cấp khóa mới."
THROTTLED = "Đã nhập sai khóa quá nhiều lần từ địa chỉ này; hãy thử lại sau {seconds} giây."
RATE_LIMITED = "Đã vượt giới hạn {limit} yêu cầu mỗi phút cho {who}; hãy thử lại sau {seconds} giây."
NO_UPLOADS = "Trang hỏi đáp không nhận tệp tải lên; hãy đặt câu hỏi bằng văn bản."
BAD_LENGTH = "Tiêu đề Content-Length không hợp lệ; hãy gửi lại yêu cầu với độ dài nội dung đúng."
AUTH_HEADERS = {"WWW-Authenticate": "Bearer"}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The server's error shape: ``{"error": {"code", "message"}}``."""
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def too_large(size: int, limit: int) -> str:
    return (
        f"Nội dung yêu cầu dài hơn giới hạn {limit} byte (nhận {size} byte); "
        "hãy rút gọn câu hỏi hoặc lịch sử hội thoại."
    )


class RateLimiter:
    """Token bucket per key: ``per_minute`` tokens, refilled continuously; 0 means unlimited."""

    MAX_KEYS = 10_000

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.refill = per_minute / 60.0
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def acquire(self, key: str) -> float:
        """Take one token: 0.0 when allowed, else the seconds until a token is available."""
        return self._take(key, consume=True)

    def wait(self, key: str) -> float:
        """Seconds until ``key`` has a token (0.0: it has one now); takes nothing."""
        return self._take(key, consume=False)

    def _take(self, key: str, consume: bool) -> float:
        if self.capacity <= 0:
            return 0.0
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.refill)
            if len(self._buckets) >= self.MAX_KEYS and key not in self._buckets:
                self._prune(now)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0 if consume else tokens, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.refill

    def _prune(self, now: float) -> None:
        full = [
            k for k, (tokens, last) in self._buckets.items() if tokens + (now - last) * self.refill >= self.capacity
        ]
        for key in full:
            del self._buckets[key]


def fingerprint(key: str) -> str:
    """What logs and buckets name a key by (never the key itself)."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


class Door:
    """Who may come in: keys, sessions, and the buckets (see the module docstring)."""

    def __init__(self, config: ApiConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.limiter = RateLimiter(config.rate_limit, clock)
        self.failures = RateLimiter(config.auth_failures, clock)
        self._keys = {fingerprint(key): key for key in config.api_keys}

    @property
    def locked(self) -> bool:
        return self.config.auth_enabled

    def check_key(self, key: str) -> str | None:
        """The key's fingerprint when it is one of the configured keys (compared in constant time), else None."""
        found = None
        for name, candidate in self._keys.items():
            if hmac.compare_digest(key.encode(), candidate.encode()):
                found = name
        return found

    def session_for(self, name: str, now: float | None = None) -> str:
        """A session cookie value for the key ``name``: ``<name>.<expiry>.<HMAC keyed by the key itself>``."""
        expires = int((now or time.time()) + SESSION_SECONDS)
        return f"{name}.{expires}.{self._mac(name, expires)}"

    def check_session(self, value: str, now: float | None = None) -> str | None:
        """The key fingerprint of a valid, unexpired session cookie, else None."""
        name, _, rest = value.partition(".")
        expires, _, mac = rest.partition(".")
        if name not in self._keys or not expires.isdigit() or int(expires) < (now or time.time()):
            return None
        return name if hmac.compare_digest(mac, self._mac(name, int(expires))) else None

    def _mac(self, name: str, expires: int) -> str:
        return hmac.new(self._keys[name].encode(), f"session:{name}:{expires}".encode(), hashlib.sha256).hexdigest()

    def identity(self, request: Request) -> str | None:
        """The key fingerprint a request carries (Bearer header or session cookie), for Gradio's auth hook."""
        key = bearer(request.headers.get("authorization", ""))
        if key is not None:
            return self.check_key(key)
        return self.check_session(request.cookies.get(SESSION_COOKIE, ""))


def bearer(value: str) -> str | None:
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _cookie(headers: Headers, name: str) -> str:
    for part in headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


def _is_v1(path: str) -> bool:
    return path == "/v1" or path.startswith("/v1/")


def _wants_page(scope: Scope, headers: Headers) -> bool:
    """A browser navigating to a page (sent to the login form) rather than a script or an asset (401)."""
    return scope["method"] in ("GET", "HEAD") and "text/html" in headers.get("accept", "") and not _is_v1(scope["path"])


class DoorMiddleware:
    """ASGI middleware applying :class:`Door` to every HTTP request (see the module docstring)."""

    def __init__(self, app: ASGIApp, door: Door, gate_full: Callable[[], bool] = lambda: False) -> None:
        self.app = app
        self.door = door
        self.gate_full = gate_full

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and self.door.locked and not self._known(Headers(scope=scope)):
            await send({"type": "websocket.close", "code": 1008})  # policy violation: no key (nothing uses one yet)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rejection = self._check(scope, Headers(scope=scope))
        if rejection is not None:
            await rejection(scope, receive, send)
            return
        await self._limit_body(scope, receive, send)

    def _known(self, headers: Headers) -> bool:
        key = bearer(headers.get("authorization", ""))
        if key is not None:
            return self.door.check_key(key) is not None
        return self.door.check_session(_cookie(headers, SESSION_COOKIE)) is not None

    def _check(self, scope: Scope, headers: Headers) -> Response | None:
        path, method = scope["path"], scope["method"]
        door, config = self.door, self.door.config
        client = _client(scope)
        public = path in PUBLIC_PATHS or path in LOGIN_PATHS or (path == "/metrics" and config.metrics_open)
        identity = None
        if door.locked and not public:
            throttled = door.failures.wait(client)
            key = bearer(headers.get("authorization", ""))
            if throttled > 0 and key is not None:
                return _throttled(throttled)
            if key is not None:
                identity = door.check_key(key)
                if identity is None:
                    door.failures.acquire(client)
                    log.warning("Invalid API key from %s for %s %s", client, method, path)
                    return error_response(401, "invalid_api_key", INVALID_KEY, AUTH_HEADERS)
            else:
                identity = door.check_session(_cookie(headers, SESSION_COOKIE))
                if identity is None:
                    if _wants_page(scope, headers):
                        return RedirectResponse(f"/login?next={quote(path, safe='/')}", status_code=303)
                    message = MISSING_KEY if _is_v1(path) or path == "/metrics" else MISSING_SESSION
                    return error_response(401, "missing_api_key", message, AUTH_HEADERS)
            scope.setdefault("state", {})["api_key"] = identity
        if method in ("POST", "PUT", "GET") and path.rstrip("/").endswith(UPLOAD_SUFFIXES) and not _is_v1(path):
            return error_response(403, "uploads_disabled", NO_UPLOADS)
        if _is_v1(path) or (method == "POST" and path not in LOGIN_PATHS):
            wait = door.limiter.acquire(identity or f"client:{client}")
            if wait > 0:
                seconds = max(1, math.ceil(wait))
                who = "khóa API này" if identity else "địa chỉ này"
                message = RATE_LIMITED.format(limit=config.rate_limit, who=who, seconds=seconds)
                return error_response(429, "rate_limited", message, {"Retry-After": str(seconds)})
        if method == "POST" and path in ANSWER_PATHS and self.gate_full():
            from assistant.admission import BUSY, RETRY_AFTER_S

            message = BUSY.format(seconds=RETRY_AFTER_S)
            return error_response(503, "overloaded", message, {"Retry-After": str(RETRY_AFTER_S)})
        return None

    async def _limit_body(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.door.config.max_body_bytes if _is_v1(scope["path"]) else PAGE_MAX_BODY_BYTES
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await error_response(400, "bad_request", BAD_LENGTH)(scope, receive, send)
                return
            if int(declared) > limit:
                await error_response(413, "body_too_large", too_large(int(declared), limit))(scope, receive, send)
                return
        if scope["method"] not in ("POST", "PUT", "PATCH") and declared is None:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await error_response(413, "body_too_large", too_large(size, limit))(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _throttled(wait: float) -> JSONResponse:
    seconds = max(1, math.ceil(wait))
    return error_response(429, "auth_throttled", THROTTLED.format(seconds=seconds), {"Retry-After": str(seconds)})


# -- the login page ------------------------------------------------------------------------------------
LOGIN_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đăng nhập · Trợ lý kế hoạch chuyển đổi số báo chí</title>
<style>
body {{ font-family: "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; background: #f1f5f9; margin: 0;
  display: flex; min-height: 100vh; align-items: center; justify-content: center; color: #0f172a; }}
main {{ background: #fff; padding: 28px 30px; border-radius: 14px; box-shadow: 0 6px 24px rgba(15,23,42,.12);
  width: min(420px, 92vw); }}
h1 {{ font-size: 1.25rem; margin: 0 0 6px; }} p {{ margin: 0 0 16px; line-height: 1.5; }}
label {{ display: block; font-weight: 600; margin-bottom: 6px; }}
input {{ width: 100%; box-sizing: border-box; padding: 10px 12px; font-size: 1rem; border: 1px solid #cbd5e1;
  border-radius: 8px; }}
button {{ margin-top: 14px; width: 100%; padding: 10px; font-size: 1rem; font-weight: 600; color: #fff;
  background: #1d4ed8; border: 0; border-radius: 8px; cursor: pointer; }}
.err {{ color: #b91c1c; font-weight: 500; }}
</style></head>
<body><main>
<h1>Trợ lý kế hoạch chuyển đổi số báo chí</h1>
<p>Trang này cần khóa truy cập (khóa API do quản trị viên cấp).</p>
{error}
<form method="post" action="/login">
<label for="key">Khóa truy cập</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="{next}">
<button type="submit">Đăng nhập</button>
</form>
</main></body></html>
"""


def _safe_next(value: str) -> str:
    """Only a path of this server (no scheme, no other host) is a place to go back to after login."""
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


def _login_page(next_path: str, error: str = "", status: int = 200, headers: dict | None = None) -> HTMLResponse:
    note = f'<p class="err" role="alert">{html.escape(error)}</p>' if error else ""
    body = LOGIN_PAGE.format(error=note, next=html.escape(_safe_next(next_path), quote=True))
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})})


def login_routes(door: Door) -> list[tuple[str, Callable[[Request], Awaitable[Response]], list[str]]]:
    """(path, endpoint, methods) of /login and /logout for ``door``."""

    async def show(request: Request) -> Response:
        if not door.locked:
            return RedirectResponse("/", status_code=303)
        return _login_page(request.query_params.get("next", "/"))

    async def submit(request: Request) -> Response:
        if not door.locked:
            return RedirectResponse("/", status_code=303)
        client = request.client.host if request.client else "unknown"
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        next_path = _safe_next((form.get("next") or ["/"])[0])
        wait = door.failures.wait(client)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            return _login_page(next_path, THROTTLED.format(seconds=seconds), 429, {"Retry-After": str(seconds)})
        name = door.check_key((form.get("key") or [""])[0].strip())
        if name is None:
            door.failures.acquire(client)
            log.warning("Failed login from %s", client)
            return _login_page(next_path, INVALID_KEY, 401)
        response = RedirectResponse(next_path, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            door.session_for(name),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response

    async def logout(request: Request) -> Response:
        response = RedirectResponse("/login" if door.locked else "/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    return [("/login", show, ["GET"]), ("/login", submit, ["POST"]), ("/logout", logout, ["GET"])]
