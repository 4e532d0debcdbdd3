"""Routes of the plans: their metadata and texts, a quoted span with its context, and a maintainer's upload.

- ``GET /v1/plans``, ``/v1/plans/{id}``: metadata (and the full text); ``GET /v1/plans/{id}/text?start=&end=``:
  the quote ``text[start:end]`` with ~300 characters of context and its section — what a citation points at.
- ``POST /v1/plans``: a maintainer uploads a plan file (multipart) and it is added like ``assistant corpus add``.
  Enabled only when ``ASSISTANT_ADMIN_KEYS`` is set; the request must carry one of those keys as
  ``Authorization: Bearer <key>``. The file may be as large as ``ASSISTANT_UPLOAD_MAX_BYTES`` (413 beyond). Form
  fields: ``file`` (required), ``province``, ``id``, ``ocr`` (auto|force|off), ``replace`` (true|false). Answers
  201 with the ingestion report, or ``{"error": {"code", "message"}}``: 401 without a valid admin key, 413 for a
  file too large, 422 for a file that cannot be added (one sentence naming the file), 409 while another change of
  the corpus runs. With uploads disabled the API answers as before (405). Plans added this way are answered after
  the server reloads its engine (the response says ``"reload_required": true``).

The upload is an ASGI layer in front of the door (whose body limit is for questions, not files), installed by
:func:`install_plan_upload`; the reading routes are the APIRouter :data:`router`.
"""

from __future__ import annotations

import hmac
import logging
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi import Path as PathParam
from starlette.responses import JSONResponse

from assistant.config import Settings, load_settings
from assistant.serving.errors import V1_ERRORS, ApiError, error_responses, short
from assistant.serving.schemas import CONTEXT_CHARS, PlanDetail, PlanSpan, PlanSummary
from assistant.serving.state import ApiState, get_state

if TYPE_CHECKING:
    from assistant.engine import AnswerEngine
    from assistant.ingest.corpus import Plan

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["plans"])
UPLOAD_PATH = "/v1/plans"
_FILENAME_RE = re.compile(r"[^\w.-]+")
PlanId = PathParam(max_length=100, description="A plan id from GET /v1/plans, e.g. quang-tri.")


# -- reading -------------------------------------------------------------------------------------------
def find_plan(engine: AnswerEngine, plan_id: str) -> Plan:
    """The loaded plan with this id; a 404 naming it otherwise."""
    for plan in engine.corpus.plans:
        if plan.id == plan_id:
            return plan
    raise ApiError(
        404, "plan_not_found", f"Không có kế hoạch mã '{short(plan_id)}'; hãy xem danh sách mã tại /v1/plans."
    )


def section_at(plan: Plan, offset: int) -> str | None:
    """Section path of the block that holds ``offset`` (the last block starting at or before it)."""
    section = None
    for block in plan.structure.blocks:
        if block.start > offset:
            break
        section = block.section or None
    return section


def _summary(plan: Plan) -> PlanSummary:
    m = plan.meta
    return PlanSummary(
        id=plan.id,
        province=plan.province,
        title=m.title,
        plan_number=m.plan_number,
        issue_date=m.issue_date,
        signer=m.signer,
    )


@router.get("/plans", response_model=list[PlanSummary], responses=error_responses(*V1_ERRORS), summary="The plans")
def list_plans(state: ApiState = Depends(get_state)) -> list[PlanSummary]:
    return [_summary(plan) for plan in state.engine().corpus.plans]


@router.get(
    "/plans/{plan_id}",
    response_model=PlanDetail,
    responses=error_responses(404, *V1_ERRORS),
    summary="A plan and its text",
)
def get_plan(plan_id: str = PlanId, state: ApiState = Depends(get_state)) -> PlanDetail:
    plan = find_plan(state.engine(), plan_id)
    m = plan.meta
    return PlanDetail(
        **_summary(plan).model_dump(),
        issuing_body=m.issuing_body,
        legal_basis=list(m.legal_basis),
        notes=m.notes,
        ocr=m.ocr,
        length=len(plan.text),
        text=plan.text,
    )


@router.get(
    "/plans/{plan_id}/text",
    response_model=PlanSpan,
    responses=error_responses(404, *V1_ERRORS),
    summary="A span of a plan's text with context",
    description="The quote `text[start:end]` (0 ≤ start < end ≤ length), ~300 characters of context on each side "
    "(cut at a space) and the section path when known — what a citation points at.",
)
def get_plan_span(
    plan_id: str = PlanId,
    start: int = Query(ge=0, description="Start offset (inclusive) into the plan's text."),
    end: int = Query(ge=1, description="End offset (exclusive)."),
    state: ApiState = Depends(get_state),
) -> PlanSpan:
    plan = find_plan(state.engine(), plan_id)
    text = plan.text
    if not start < end <= len(text):
        raise ApiError(
            422,
            "invalid_span",
            f"Đoạn [{start}, {end}) không hợp lệ cho kế hoạch '{plan.id}' dài {len(text)} ký tự; "
            f"hãy chọn 0 ≤ start < end ≤ {len(text)}.",
        )
    context_start = max(0, start - CONTEXT_CHARS)
    if context_start > 0:
        space = text.find(" ", context_start, start)
        context_start = space + 1 if space != -1 else context_start
    context_end = min(len(text), end + CONTEXT_CHARS)
    if context_end < len(text):
        space = text.rfind(" ", end, context_end)
        context_end = space if space != -1 else context_end
    return PlanSpan(
        plan_id=plan.id,
        province=plan.province,
        start=start,
        end=end,
        quote=text[start:end],
        before=text[context_start:start],
        after=text[end:context_end],
        context_start=context_start,
        context_end=context_end,
        section=section_at(plan, start),
    )


# -- upload --------------------------------------------------------------------------------------------
def _json(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _admin_key(headers: Any, keys: frozenset[str]) -> bool:
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return False
    found = False
    for key in keys:
        found |= hmac.compare_digest(token.encode(), key.encode())
    return found


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        self.size = size


def _too_large(size: int, limit: int) -> JSONResponse:
    return _error(
        413,
        "file_too_large",
        f"Tệp tải lên lớn hơn giới hạn {limit} byte (nhận {size} byte); hãy nén tệp hoặc tách bản quét.",
    )


class PlanUpload:
    """ASGI layer answering ``POST /v1/plans``; every other request goes on to the app."""

    def __init__(self, app: Any, settings: Settings | None = None) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") != UPLOAD_PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        if not (self.settings or load_settings()).admin_keys:
            await self.app(scope, receive, send)  # uploads off: the API answers as for any other method (405)
            return
        response = await self._handle(scope, receive)
        await response(scope, receive, send)

    async def _handle(self, scope: Any, receive: Any) -> JSONResponse:
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

        async def counted() -> Any:
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


def install_plan_upload(app: FastAPI, settings: Settings | None = None) -> None:
    """Put ``POST /v1/plans`` in front of the door (one call in :func:`assistant.serving.api.create_api`)."""
    app.add_middleware(PlanUpload, settings=settings)
