"""`POST /v1/plans`: a maintainer uploads a plan file (multipart) and it is added like `assistant corpus add`.

Enabled only when ``ASSISTANT_ADMIN_KEYS`` is set; the request must carry one of those keys as
``Authorization: Bearer <key>``. The file may be as large as ``ASSISTANT_UPLOAD_MAX_BYTES`` (413 beyond).
Form fields: ``file`` (required), ``province``, ``id``, ``ocr`` (auto|force|off), ``replace`` (true|false).
Answers 201 with the ingestion report, or ``{"error": {"code", "message"}}``: 401 without a valid admin
key, 413 for a file too large, 422 for a file that cannot be added (one sentence naming the file), 409 while
another change of the corpus runs. With uploads disabled the API answers as before (405). Plans added this way
are answered after the server reloads its engine (the response says ``"reload_required": true``).

The route is an ASGI layer in front of the API's guard (whose body limit is for questions, not files),
installed by :func:`install_plan_upload`.
"""

from __future__ import annotations

import hmac
import logging
import re
import tempfile
from pathlib import Path
from typing import Any

from assistant.config import Settings, load_settings

log = logging.getLogger(__name__)

UPLOAD_PATH = "/v1/plans"
_FILENAME_RE = re.compile(r"[^\w.-]+")


def _json(status: int, body: dict[str, Any]):
    from starlette.responses import JSONResponse

    return JSONResponse(body, status_code=status)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None):
    from starlette.responses import JSONResponse

    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _admin_key(headers, keys: frozenset[str]) -> bool:
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return False
    found = False
    for key in keys:
        found |= hmac.compare_digest(token.encode(), key.encode())
    return found


class PlanUpload:
    """ASGI layer answering ``POST /v1/plans``; every other request goes on to the app."""

    def __init__(self, app, settings: Settings | None = None) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") != UPLOAD_PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        if not (self.settings or load_settings()).admin_keys:
            await self.app(scope, receive, send)  # uploads off: the API answers as for any other method (405)
            return
        response = await self._handle(scope, receive)
        await response(scope, receive, send)

    async def _handle(self, scope, receive):
        from starlette.concurrency import run_in_threadpool
        from starlette.datastructures import Headers, UploadFile
        from starlette.requests import Request

        from assistant.errors import AssistantError
        from assistant.ingest import IngestError

        settings = self.settings or load_settings()
        headers = Headers(scope=scope)
        if not _admin_key(headers, settings.admin_keys):
            return _error(
                401,
                "invalid_admin_key",
                "Cần khóa quản trị hợp lệ: gửi tiêu đề 'Authorization: Bearer <khóa quản trị>'.",
                {"WWW-Authenticate": "Bearer"},
            )
        limit = settings.upload_max_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit + 64 * 1024:
            return _too_large(int(declared), limit)
        received = 0

        async def counted():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit + 64 * 1024:
                raise _TooLarge(received)
            return message

        request = Request(scope, counted)
        try:
            form = await request.form(max_files=1, max_fields=10)
        except _TooLarge as error:
            return _too_large(error.size, limit)
        except Exception as error:  # a body that is not multipart/form-data
            return _error(
                422, "bad_upload", f"Yêu cầu phải là multipart/form-data có trường 'file' ({type(error).__name__})."
            )
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _error(422, "bad_upload", "Thiếu trường 'file' chứa tệp kế hoạch (.txt, .md, .docx, .pdf, ảnh).")
        ocr = str(form.get("ocr") or "auto")
        if ocr not in {"auto", "force", "off"}:
            return _error(422, "bad_upload", f"ocr '{ocr}' không hợp lệ; hãy dùng auto, force hoặc off.")
        replace = str(form.get("replace") or "").lower() in {"1", "true", "yes", "on"}
        name = _FILENAME_RE.sub("_", Path(upload.filename).name).strip("._") or "plan"
        with tempfile.TemporaryDirectory(prefix="assistant-upload-") as folder:
            path = Path(folder) / name
            data = await upload.read()
            if len(data) > limit:
                return _too_large(len(data), limit)
            path.write_bytes(data)
            from assistant.maintain.pipeline import Ingester

            try:
                reports = await run_in_threadpool(
                    Ingester(settings).add,
                    [path],
                    province=str(form.get("province") or "") or None,
                    plan_id=str(form.get("id") or "") or None,
                    ocr=ocr,
                    replace_existing=replace,
                )
            except IngestError as error:
                status, code = (409, "busy") if "đang chạy" in str(error) else (422, "bad_plan")
                return _error(status, code, str(error))
            except AssistantError as error:
                return _error(422, "bad_plan", str(error))
        log.info("Plan %s added over HTTP from %s", reports[0].plan_id, name)
        return _json(201, {"reports": [r.to_dict() for r in reports], "reload_required": True})


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        self.size = size


def _too_large(size: int, limit: int):
    return _error(
        413,
        "file_too_large",
        f"Tệp tải lên lớn hơn giới hạn {limit} byte (nhận {size} byte); hãy nén tệp hoặc tách bản quét.",
    )


def install_plan_upload(app, settings: Settings | None = None) -> None:
    """Put ``POST /v1/plans`` in front of the API (one call in :func:`assistant.serving.api.create_api`)."""
    app.add_middleware(PlanUpload, settings=settings)
