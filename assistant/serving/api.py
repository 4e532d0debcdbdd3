"""HTTP API of the assistant: answers (JSON or SSE), OpenAI-compatible chat, plans, facts, health and metrics.

``create_api(get_engine, settings)`` builds the FastAPI app (OpenAPI at ``/docs`` and ``/openapi.json``).
``get_engine()`` must return the loaded :class:`~assistant.engine.AnswerEngine` at once or raise
:class:`EngineUnavailable` (answered as 503). Routes, one router per capability:

| route                                    | what                                                              |
|------------------------------------------|-------------------------------------------------------------------|
| POST /v1/answer                          | the Answer JSON; with ``"stream": true`` SSE events delta,        |
|                                          | citations, verification, done (the full Answer)                   |
| POST /v1/chat/completions, GET /v1/models | OpenAI-compatible chat (JSON or ``chat.completion.chunk`` SSE)   |
| GET /v1/plans, /v1/plans/{id}            | plan metadata (and the full text)                                 |
| GET /v1/plans/{id}/text?start=&end=      | a quoted span with ~300 characters of context and its section     |
| GET /v1/facts                            | the facts table, filtered; ``?format=csv`` for CSV                |
| GET /v1/units, /v1/units/{unit}/duties   | duty sheets (routers.duties)                                      |
| GET /v1/calendar, /v1/calendar.ics       | the deadline calendar (routers.calendar)                          |
| GET /v1/targets/matrix                   | targets compared (routers.targets)                                |
| POST /v1/feedback                        | 👍 / 👎 on an answer (routers.feedback)                            |
| GET /healthz, /readyz, /metrics          | liveness, readiness (503 until the engine is loaded and has       |
|                                          | passed its self-test; 200 lists skipped plans and notes),         |
|                                          | Prometheus                                                        |

Every error is ``{"error": {"code": "...", "message": "<one Vietnamese sentence>"}}``, never a stack trace;
each response carries ``X-Request-ID`` and each request writes one JSON line to the ``assistant.serving.access`` logger.

The server's ``ASSISTANT_*`` variables (keys, rate limit, body size, CORS, metrics) are read once, when the app
is created (:func:`assistant.config.load_api_config`). Keys, limits and the chat page's login are the door's job
(:mod:`assistant.serving.access`); answers beyond the engine's queue get 503 with ``Retry-After``; a ``province`` that
names no province is a 422 naming it.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import AbstractAsyncContextManager
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.admission import Overloaded
from assistant.config import ApiConfig, Settings, load_api_config
from assistant.domain.indicators import BY_CODE
from assistant.domain.normalize import fold
from assistant.domain.provinces import exact_province, province_spellings
from assistant.errors import AssistantError
from assistant.facts.model import Fact
from assistant.facts.store import export_facts
from assistant.schema import Answer, Citation, Verification
from assistant.serving.access import Door, DoorMiddleware, error_response, login_routes
from assistant.serving.upload import install_plan_upload

if TYPE_CHECKING:
    from assistant.engine import AnswerEngine
    from assistant.ingest.corpus import Plan

log = logging.getLogger(__name__)
access_log = logging.getLogger("assistant.serving.access")

MAX_QUESTION_CHARS = 2000  # the engine's limit (assistant.engine.MAX_QUESTION_CHARS; importing it loads the engine)
CONTEXT_CHARS = 300
MODEL_ID = "assistant"
FactKind = Literal["target", "task", "reporting_deadline", "responsibility", "funding", "legal_basis"]
IndicatorCode = Enum("IndicatorCode", {code: code for code in sorted(BY_CODE)}, type=str)  # type: ignore[misc]
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_PIECE_SPLIT_RE = re.compile(r"(?<=\n)|(?<=[.!?…] )")


# -- errors ------------------------------------------------------------------------------------------
class EngineUnavailable(AssistantError):
    """The answer engine is still loading (code ``not_ready``) or failed to load (code ``engine_failed``)."""

    def __init__(self, message: str, code: str = "not_ready") -> None:
        super().__init__(message)
        self.code = code


class ApiError(Exception):
    """An error answered with the stable JSON error shape."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. invalid_question, plan_not_found.")
    message: str = Field(description="One Vietnamese sentence: what was wrong and what to do.")


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


_ERROR_DESCRIPTIONS = {
    400: "Malformed request",
    401: "Missing or invalid API key (only when API keys are configured)",
    404: "Not found",
    413: "Request body too large",
    422: "Invalid input (validation error)",
    429: "Rate limit exceeded, or too many failed key attempts; see Retry-After",
    500: "Internal error",
    503: "The engine is not loaded yet (or failed to load), or too many questions are waiting; see Retry-After",
}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ErrorResponse, "description": _ERROR_DESCRIPTIONS[s]} for s in statuses}


_V1_ERRORS = (401, 413, 422, 429, 500, 503)
_POST_ERRORS = (400, *_V1_ERRORS)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in ("body", "query", "path", "header", "cookie") else []
    return ".".join(parts)


def _short(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def validation_message(errors: list[dict[str, Any]]) -> tuple[str, str]:
    """(code, one Vietnamese sentence) for FastAPI's validation errors; the first error decides."""
    if not errors:
        return "validation_error", "Yêu cầu không hợp lệ; hãy đối chiếu với tài liệu API tại /docs."
    error = errors[0]
    kind, loc, ctx = error.get("type", ""), tuple(error.get("loc", ())), error.get("ctx") or {}
    field = _field(loc)
    where = "tham số" if loc and loc[0] in ("query", "path") else "trường"
    name = f"{where} '{field}'"
    if kind == "json_invalid":
        return "invalid_json", "Nội dung yêu cầu không phải JSON hợp lệ; hãy gửi một đối tượng JSON đúng cú pháp."
    if kind == "no_user_message":
        return "invalid_question", NO_USER_MESSAGE
    if field == "question" or (field.startswith("messages.") and field.endswith(".content")):
        if kind in ("string_pattern_mismatch", "string_too_short"):
            return "invalid_question", "Câu hỏi trống; hãy nhập một câu hỏi về kế hoạch chuyển đổi số báo chí."
        if kind == "string_too_long":
            length = len(error["input"]) if isinstance(error.get("input"), str) else "hơn " + str(MAX_QUESTION_CHARS)
            return (
                "invalid_question",
                f"Câu hỏi dài {length} ký tự, vượt giới hạn {MAX_QUESTION_CHARS}; hãy rút gọn câu hỏi.",
            )
    if kind == "missing":
        if not field:
            return "validation_error", 'Yêu cầu thiếu nội dung JSON; hãy gửi một đối tượng, ví dụ {"question": "…"}.'
        return "validation_error", f"Thiếu {name}; hãy bổ sung rồi gửi lại."
    if not field and kind in ("model_attributes_type", "dict_type", "model_type"):
        return "validation_error", 'Nội dung yêu cầu phải là một đối tượng JSON; hãy gửi ví dụ {"question": "…"}.'
    messages = {
        "string_type": f"{name} phải là một chuỗi ký tự",
        "int_type": f"{name} phải là một số nguyên",
        "int_parsing": f"{name} phải là một số nguyên",
        "int_from_float": f"{name} phải là một số nguyên",
        "bool_type": f"{name} phải là true hoặc false",
        "bool_parsing": f"{name} phải là true hoặc false",
        "list_type": f"{name} phải là một danh sách",
        "model_attributes_type": f"{name} phải là một đối tượng JSON",
        "dict_type": f"{name} phải là một đối tượng JSON",
        "model_type": f"{name} phải là một đối tượng JSON",
        "string_too_short": f"{name} không được để trống",
        "string_too_long": f"{name} dài quá {ctx.get('max_length')} ký tự",
        "too_short": f"{name} cần ít nhất {ctx.get('min_length')} phần tử",
        "too_long": f"{name} có quá nhiều phần tử (tối đa {ctx.get('max_length')})",
        "greater_than_equal": f"{name} phải lớn hơn hoặc bằng {ctx.get('ge')}",
        "greater_than": f"{name} phải lớn hơn {ctx.get('gt')}",
        "less_than_equal": f"{name} phải nhỏ hơn hoặc bằng {ctx.get('le')}",
        "less_than": f"{name} phải nhỏ hơn {ctx.get('lt')}",
        "string_pattern_mismatch": f"{name} không được để trống",
    }
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return (
            "validation_error",
            f"Giá trị '{_short(error.get('input'))}' của {name} không hợp lệ; hãy dùng một trong: {expected}.",
        )
    if kind in messages:
        return "validation_error", f"{messages[kind][0].upper()}{messages[kind][1:]}; hãy sửa theo tài liệu tại /docs."
    return "validation_error", f"Giá trị của {name or 'yêu cầu'} không hợp lệ; hãy sửa theo tài liệu tại /docs."


_HTTP_MESSAGES = {
    400: ("bad_request", "Nội dung yêu cầu không đọc được (không phải JSON mã hóa UTF-8); hãy gửi lại JSON hợp lệ."),
    404: ("not_found", "Không có đường dẫn {path}; hãy xem danh sách API tại /docs."),
    405: ("method_not_allowed", "Phương thức {method} không dùng được với {path}; hãy xem tài liệu tại /docs."),
}


# -- request and response bodies ---------------------------------------------------------------------
# Provinces are matched in any spelling ("Quảng Trị", "quang tri", "QT"); the schema lists the usual two.
ProvinceName = Annotated[str, Field(max_length=100, json_schema_extra={"enum": province_spellings()})]


def resolve_province(value: str | None) -> str | None:
    """The province ``value`` names (None when empty); a 422 naming it when it names no province."""
    text = (value or "").strip()
    if not text:
        return None
    name = exact_province(text)
    if name is None:
        raise ApiError(
            422,
            "unknown_province",
            f"Không có tỉnh, thành phố nào tên '{_short(text)}'; hãy viết tên một tỉnh, ví dụ 'Quảng Trị'.",
        )
    return name


class HistoryTurn(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: str = Field(description="What was said in that turn.")


class AnswerRequest(BaseModel):
    """A question, with the conversation so far and an optional province chosen by the user."""

    question: str = Field(
        min_length=1,
        max_length=MAX_QUESTION_CHARS,
        pattern=r"\S",
        description="The question (Vietnamese or English), 1–2000 characters, not only spaces.",
        examples=["Mục tiêu năm 2025 của Quảng Trị về tòa soạn hội tụ là bao nhiêu?"],
    )
    history: list[HistoryTurn] = Field(default_factory=list, max_length=100, description="Earlier turns, oldest first.")
    province: ProvinceName | None = Field(
        default=None, description="Restrict the answer to this province (any spelling; an unknown name is a 422)."
    )
    stream: bool = Field(
        default=False, strict=True, description="Answer as Server-Sent Events instead of one JSON object."
    )


class ContentPart(BaseModel):
    """An OpenAI content part; only ``text`` parts are read."""

    type: str = "text"
    text: str = ""


class ChatMessage(BaseModel):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content if part.type == "text")
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    """OpenAI-style request: the last user message is the question, earlier messages are the history."""

    model: str = Field(default=MODEL_ID, max_length=200)
    messages: list[ChatMessage] = Field(
        min_length=1,
        max_length=100,
        description="At least one message has role user; the last one is the question (1–2000 characters).",
        json_schema_extra={
            "contains": {"type": "object", "properties": {"role": {"const": "user"}}, "required": ["role"]}
        },
    )
    stream: bool = Field(default=False, strict=True)
    province: ProvinceName | None = Field(default=None, description="Extension: restrict to one province.")

    @field_validator("messages")
    @classmethod
    def _has_user_message(cls, messages: list[ChatMessage]) -> list[ChatMessage]:
        if not any(m.role == "user" for m in messages):
            raise PydanticCustomError("no_user_message", "At least one message must have role 'user'.")
        return messages


class ChatResponseMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatResponseMessage
    finish_reason: Literal["stop"] = "stop"


class ChatUsage(BaseModel):
    """Token counts; always zero (no language model is involved)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class AssistantExtra(BaseModel):
    """Extension of the OpenAI shape: the structured parts of the answer."""

    status: Literal["answered", "not_found"]
    citations: list[Citation]
    verification: Verification
    facts: list[dict[str, Any]]


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: ChatUsage = Field(default_factory=ChatUsage)
    assistant: AssistantExtra = Field(description="Extension: citations, verification, status and facts.")


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "assistant"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class PlanSummary(BaseModel):
    id: str
    province: str
    title: str
    plan_number: str
    issue_date: str
    signer: str


class PlanDetail(PlanSummary):
    issuing_body: str
    legal_basis: list[str]
    notes: str
    ocr: bool
    length: int = Field(description="Characters in text; spans [start, end) index into it.")
    text: str = Field(description="The cleaned text that is indexed and quoted.")


class PlanSpan(BaseModel):
    plan_id: str
    province: str
    start: int
    end: int
    quote: str = Field(description="text[start:end]")
    before: str = Field(description=f"Up to ~{CONTEXT_CHARS} characters before the quote.")
    after: str = Field(description=f"Up to ~{CONTEXT_CHARS} characters after the quote.")
    context_start: int
    context_end: int
    section: str | None = Field(description="Section path of the quote's start, when known.")


class HealthStatus(BaseModel):
    status: Literal["ok"] = "ok"


class ReadyStatus(BaseModel):
    status: Literal["ready"] = "ready"
    plans: int
    facts: int
    skipped: dict[str, str] = Field(
        default_factory=dict, description="Plans of the manifest left out, each with one sentence saying why."
    )
    notes: list[str] = Field(default_factory=list, description="What an operator should know (e.g. a build is needed).")


# -- metrics -----------------------------------------------------------------------------------------
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Metrics:
    """Counters and histograms rendered in the Prometheus text format (version 0.0.4)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started = time.time()
        self.requests: Counter[tuple[str, str, str]] = Counter()
        self.request_seconds: dict[tuple[str, str], list[float]] = {}
        self.answers: Counter[str] = Counter()
        self.latency_buckets = [0] * len(LATENCY_BUCKETS)
        self.latency_sum = 0.0
        self.latency_count = 0

    def record_request(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(route, method, str(status))] += 1
            total = self.request_seconds.setdefault((route, method), [0.0, 0])
            total[0] += seconds
            total[1] += 1

    def record_answer(self, status: str, seconds: float | None) -> None:
        with self._lock:
            self.answers[status] += 1
            if seconds is None:
                return
            self.latency_sum += seconds
            self.latency_count += 1
            for i, bound in enumerate(LATENCY_BUCKETS):
                if seconds <= bound:
                    self.latency_buckets[i] += 1

    def render(self) -> str:
        with self._lock:
            lines = [
                "# HELP assistant_http_requests_total HTTP requests by route template, method and status.",
                "# TYPE assistant_http_requests_total counter",
            ]
            for (route, method, status), n in sorted(self.requests.items()):
                lines.append(
                    f'assistant_http_requests_total{{route="{_label(route)}",method="{method}",status="{status}"}} {n}'
                )
            lines += [
                "# HELP assistant_http_request_duration_seconds Time to handle HTTP requests.",
                "# TYPE assistant_http_request_duration_seconds summary",
            ]
            for (route, method), (total, count) in sorted(self.request_seconds.items()):
                labels = f'route="{_label(route)}",method="{method}"'
                lines.append(f"assistant_http_request_duration_seconds_sum{{{labels}}} {total:.6f}")
                lines.append(f"assistant_http_request_duration_seconds_count{{{labels}}} {int(count)}")
            lines += [
                "# HELP assistant_answer_latency_seconds Time the engine took to answer a question.",
                "# TYPE assistant_answer_latency_seconds histogram",
            ]
            for bound, n in zip(LATENCY_BUCKETS, self.latency_buckets, strict=True):
                lines.append(f'assistant_answer_latency_seconds_bucket{{le="{bound}"}} {n}')
            lines.append(f'assistant_answer_latency_seconds_bucket{{le="+Inf"}} {self.latency_count}')
            lines.append(f"assistant_answer_latency_seconds_sum {self.latency_sum:.6f}")
            lines.append(f"assistant_answer_latency_seconds_count {self.latency_count}")
            lines += [
                "# HELP assistant_answers_total Questions handled, by answer status (rejected: invalid question).",
                "# TYPE assistant_answers_total counter",
            ]
            for status in sorted({"answered", "not_found", "rejected", "error", *self.answers}):
                lines.append(f'assistant_answers_total{{status="{_label(status)}"}} {self.answers[status]}')
            lines += [
                "# HELP assistant_start_time_seconds Unix time the API was created.",
                "# TYPE assistant_start_time_seconds gauge",
                f"assistant_start_time_seconds {self.started:.3f}",
            ]
        return "\n".join(lines) + "\n"


# -- shared state and answering ----------------------------------------------------------------------
class ApiState:
    """What the routes share: the engine getter, config, metrics, and the door (keys and rate limits)."""

    def __init__(self, get_engine: Callable[[], AnswerEngine], settings: Settings | None, config: ApiConfig) -> None:
        self.get_engine = get_engine
        self.settings = settings
        self.config = config
        self.metrics = Metrics()
        self.door = Door(config)

    def gate_full(self) -> bool:
        """True when the loaded engine would refuse a new answer at once (False while it loads)."""
        try:
            engine = self.get_engine()
        except Exception:  # noqa: BLE001 - not loaded: the route answers 503 itself
            return False
        gate = getattr(engine, "gate", None)
        return bool(gate is not None and gate.full)

    def engine(self) -> AnswerEngine:
        try:
            return self.get_engine()
        except EngineUnavailable as error:
            raise ApiError(503, error.code, str(error), {"Retry-After": "5"}) from error
        except AssistantError as error:
            raise ApiError(503, "engine_failed", str(error)) from error
        except Exception as error:
            log.exception("The answer engine is unavailable")
            raise ApiError(
                503, "engine_failed", "Trợ lý chưa nạp được dữ liệu; hãy xem nhật ký máy chủ rồi khởi động lại."
            ) from error

    def answer(self, question: str, history: list[dict[str, str]] | None, province: str | None) -> Answer:
        engine = self.engine()
        from assistant.engine import QuestionError

        started = time.perf_counter()
        try:
            result = engine.answer(question, history=history or None, province=province or None)
        except QuestionError as error:
            self.metrics.record_answer("rejected", None)
            raise ApiError(422, "invalid_question", str(error)) from error
        except Overloaded as error:
            self.metrics.record_answer("overloaded", None)
            raise ApiError(503, "overloaded", str(error), {"Retry-After": str(error.retry_after)}) from error
        except AssistantError as error:
            self.metrics.record_answer("error", None)
            raise ApiError(500, "answer_failed", str(error)) from error
        except Exception:
            self.metrics.record_answer("error", None)
            raise
        self.metrics.record_answer(result.status, time.perf_counter() - started)
        return result


def get_state(request: Request) -> ApiState:
    return request.app.state.assistant


def _plan(engine: AnswerEngine, plan_id: str) -> Plan:
    for plan in engine.corpus.plans:
        if plan.id == plan_id:
            return plan
    raise ApiError(
        404, "plan_not_found", f"Không có kế hoạch mã '{_short(plan_id)}'; hãy xem danh sách mã tại /v1/plans."
    )


def split_pieces(text: str) -> list[str]:
    """The answer text cut after line breaks and sentence ends; the pieces join back to ``text``."""
    return [piece for piece in _PIECE_SPLIT_RE.split(text) if piece]


def sse(data: str, event: str | None = None) -> str:
    head = f"event: {event}\n" if event else ""
    return head + "".join(f"data: {line}\n" for line in data.split("\n")) + "\n"


_SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _sse_doc(events: list[str] | None, data: str) -> dict[str, Any]:
    """OpenAPI 3.1 media type of an SSE response: ``schema`` describes one event (as schemathesis reads it)."""
    properties: dict[str, Any] = {"data": {"type": "string", "description": data}}
    if events:
        properties["event"] = {"type": "string", "enum": events}
    return {"text/event-stream": {"schema": {"type": "object", "required": ["data"], "properties": properties}}}


_ANSWER_SSE = _sse_doc(
    ["delta", "citations", "verification", "done"],
    'JSON: {"text": piece} (delta), the citations list, the verification, the full Answer (done).',
)
_CHAT_SSE = _sse_doc(None, "A chat.completion.chunk JSON object, then the literal [DONE].")


def _answer_events(answer: Answer) -> Iterator[str]:
    for piece in split_pieces(answer.answer):
        yield sse(json.dumps({"text": piece}, ensure_ascii=False), "delta")
    citations = [c.model_dump() for c in answer.citations]
    yield sse(json.dumps(citations, ensure_ascii=False), "citations")
    yield sse(answer.verification.model_dump_json(), "verification")
    yield sse(answer.model_dump_json(), "done")


def sources_text(answer: Answer) -> str:
    """The "Nguồn:" block appended to chat answers ("Sources:" for English answers); empty without citations."""
    if not answer.citations:
        return ""
    heading = "Sources:" if answer.language == "en" else "Nguồn:"
    lines = []
    for c in answer.citations:
        quote = " ".join(c.quote.split())
        quote = quote if len(quote) <= 200 else quote[:199] + "…"
        lines.append(f"[{c.n}] {c.province} — {c.section}: “{quote}”")
    return f"\n\n{heading}\n" + "\n".join(lines)


NO_USER_MESSAGE = "Không có tin nhắn nào của người dùng; hãy thêm một tin nhắn có role 'user' chứa câu hỏi."


def _chat_question(messages: list[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
    if last_user is None:
        raise ApiError(422, "invalid_question", NO_USER_MESSAGE)
    history = [{"role": m.role, "content": m.text()} for m in messages[:last_user] if m.role in ("user", "assistant")]
    return messages[last_user].text(), history


def _assistant_extra(answer: Answer) -> AssistantExtra:
    return AssistantExtra(
        status=answer.status, citations=answer.citations, verification=answer.verification, facts=answer.facts
    )


def _chat_chunks(answer: Answer, completion_id: str, created: int, model: str) -> Iterator[str]:
    def chunk(delta: dict[str, Any], finish: str | None = None, extra: AssistantExtra | None = None) -> str:
        body: dict[str, Any] = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        if extra is not None:
            body["assistant"] = extra.model_dump()
        return sse(json.dumps(body, ensure_ascii=False))

    yield chunk({"role": "assistant", "content": ""})
    for piece in split_pieces(answer.answer):
        yield chunk({"content": piece})
    sources = sources_text(answer)
    if sources:
        yield chunk({"content": sources})
    yield chunk({}, "stop", _assistant_extra(answer))
    yield sse("[DONE]")


# -- routers -----------------------------------------------------------------------------------------
health_router = APIRouter(tags=["health"])
answer_router = APIRouter(prefix="/v1", tags=["answer"])
chat_router = APIRouter(prefix="/v1", tags=["chat (OpenAI-compatible)"])
plans_router = APIRouter(prefix="/v1", tags=["plans"])
facts_router = APIRouter(prefix="/v1", tags=["facts"])


@health_router.get("/healthz", response_model=HealthStatus, summary="Liveness: 200 whenever the process runs")
def healthz() -> HealthStatus:
    return HealthStatus()


@health_router.get(
    "/readyz",
    response_model=ReadyStatus,
    responses=_errors(503),
    summary="Readiness: 200 once the engine is loaded and its self-test over the loaded data passed",
)
def readyz(state: ApiState = Depends(get_state)) -> ReadyStatus:
    engine = state.engine()
    return ReadyStatus(
        plans=len(engine.corpus.plans),
        facts=len(engine.facts),
        skipped=dict(engine.corpus.errors),
        notes=list(getattr(engine, "notes", [])),
    )


@health_router.get(
    "/metrics",
    response_class=PlainTextResponse,
    summary="Prometheus metrics (text format 0.0.4); needs a key when keys are set, unless ASSISTANT_METRICS_PUBLIC",
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}, **_errors(401)},
)
def metrics(state: ApiState = Depends(get_state)) -> PlainTextResponse:
    return PlainTextResponse(state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


@answer_router.post(
    "/answer",
    response_model=Answer,
    responses={
        200: {"content": _ANSWER_SSE, "description": "The answer"},
        **_errors(*_POST_ERRORS),
    },
    summary="Answer a question with citations and verification",
    description=(
        "Returns the Answer JSON. With `stream: true` the response is `text/event-stream`: `event: delta` "
        'events (`{"text": "…"}`, pieces of the answer split at line breaks and sentence ends, joining back to '
        "the answer text), then `event: citations` (JSON list), `event: verification` (JSON) and `event: done` "
        "(the full Answer JSON)."
    ),
)
def post_answer(body: AnswerRequest, state: ApiState = Depends(get_state)) -> Answer | StreamingResponse:
    history = [turn.model_dump() for turn in body.history]
    answer = state.answer(body.question, history, resolve_province(body.province))
    if body.stream:
        return StreamingResponse(_answer_events(answer), media_type="text/event-stream", headers=_SSE_HEADERS)
    return answer


@chat_router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={
        200: {"content": _CHAT_SSE, "description": "The completion"},
        **_errors(*_POST_ERRORS),
    },
    summary="OpenAI-compatible chat completion",
    description=(
        "The last `user` message is the question; earlier user/assistant messages are the history. The reply's "
        "content is the answer text followed by a “Nguồn:” list of the citations (“Sources:” for English "
        "answers); the extra field `assistant` holds citations, verification, status and facts. With "
        "`stream: true`: `chat.completion.chunk` lines `data: {…}` (the last one has `finish_reason` and the "
        "`assistant` field), then `data: [DONE]`."
    ),
)
def chat_completions(body: ChatCompletionRequest, state: ApiState = Depends(get_state)) -> Any:
    question, history = _chat_question(body.messages)
    answer = state.answer(question, history, resolve_province(body.province))
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    if body.stream:
        chunks = _chat_chunks(answer, completion_id, created, body.model)
        return StreamingResponse(chunks, media_type="text/event-stream", headers=_SSE_HEADERS)
    return ChatCompletion(
        id=completion_id,
        created=created,
        model=body.model,
        choices=[ChatChoice(message=ChatResponseMessage(content=answer.answer + sources_text(answer)))],
        assistant=_assistant_extra(answer),
    )


@chat_router.get("/models", response_model=ModelList, responses=_errors(401, 429, 500), summary="OpenAI model list")
def list_models() -> ModelList:
    return ModelList(data=[ModelCard(id=MODEL_ID)])


@plans_router.get("/plans", response_model=list[PlanSummary], responses=_errors(*_V1_ERRORS), summary="The plans")
def list_plans(state: ApiState = Depends(get_state)) -> list[PlanSummary]:
    return [_summary(plan) for plan in state.engine().corpus.plans]


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


PlanId = PathParam(max_length=100, description="A plan id from GET /v1/plans, e.g. quang-tri.")


@plans_router.get(
    "/plans/{plan_id}", response_model=PlanDetail, responses=_errors(404, *_V1_ERRORS), summary="A plan and its text"
)
def get_plan(plan_id: str = PlanId, state: ApiState = Depends(get_state)) -> PlanDetail:
    plan = _plan(state.engine(), plan_id)
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


@plans_router.get(
    "/plans/{plan_id}/text",
    response_model=PlanSpan,
    responses=_errors(404, *_V1_ERRORS),
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
    plan = _plan(state.engine(), plan_id)
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


def section_at(plan: Plan, offset: int) -> str | None:
    """Section path of the block that holds ``offset`` (the last block starting at or before it)."""
    section = None
    for block in plan.structure.blocks:
        if block.start > offset:
            break
        section = block.section or None
    return section


@facts_router.get(
    "/facts",
    response_model=list[Fact],
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The matching facts"},
        **_errors(*_V1_ERRORS),
    },
    summary="The facts table, filtered",
    description="Rows of the facts table matching every filter given (province without regard to diacritics "
    "or case; a province without a plan or an unknown plan id matches nothing; a name that is no province is a "
    "422). `format=csv` returns text/csv with the columns of `assistant facts export`.",
)
def list_facts(
    province: str | None = Query(
        None,
        max_length=100,
        description="Province, e.g. 'Quảng Trị' or 'quang tri' (a name that is no province is a 422).",
        json_schema_extra={"enum": province_spellings()},
    ),
    kind: FactKind | None = Query(None, description="Fact kind."),
    indicator: IndicatorCode | None = Query(None, description="Indicator code (target facts)."),
    year: int | None = Query(None, ge=1900, le=2100, description="Target year."),
    plan_id: str | None = Query(None, max_length=100, description="Plan id (an unknown id matches nothing)."),
    fmt: Literal["json", "csv"] = Query("json", alias="format", description="json (default) or csv."),
    state: ApiState = Depends(get_state),
) -> Any:
    named = resolve_province(province)
    engine = state.engine()
    facts: list[Fact] = list(engine.facts)
    code = indicator.value if indicator is not None else None
    wanted = fold(named) if named else None
    facts = [
        f
        for f in facts
        if (kind is None or f.kind == kind)
        and (code is None or f.indicator == code)
        and (year is None or f.year == year)
        and (plan_id is None or f.plan_id == plan_id)
        and (wanted is None or fold(f.province) == wanted)
    ]
    if fmt == "csv":
        return Response(
            export_facts(facts, "csv"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="facts.csv"'},
        )
    return facts


_V1_ROUTERS = (answer_router, chat_router, plans_router, facts_router)
_ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "QUERY")
_HEALTH_PATHS = ("/healthz", "/readyz", "/metrics")


def _v1_fallback(request: Request) -> JSONResponse:
    """Unknown /v1 paths, and methods a health route does not take, get the API's 404 (or 405) instead of falling
    through to the chat page."""
    path = request.url.path
    allowed = sorted(
        {
            method
            for router in (*_V1_ROUTERS, health_router, *getattr(request.app.state, "view_routers", ()))
            for route in router.routes
            if isinstance(route, APIRoute) and route.path_regex.match(path)
            for method in route.methods
        }
    )
    if allowed:
        code, template = _HTTP_MESSAGES[405]
        message = template.format(method=request.method, path=path)
        return error_response(405, code, message, {"Allow": ", ".join(allowed)})
    code, template = _HTTP_MESSAGES[404]
    return error_response(404, code, template.format(path=path))


# -- middleware --------------------------------------------------------------------------------------
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _is_v1(path: str) -> bool:
    return path == "/v1" or path.startswith("/v1/")


class RequestContextMiddleware:
    """Request id (``X-Request-ID``), one JSON access-log line, request metrics, and a JSON 500 for crashes."""

    def __init__(self, app: ASGIApp, state: ApiState) -> None:
        self.app = app
        self.state = state

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
            self.state.metrics.record_request(label, scope["method"], status, seconds)
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


# -- the app -----------------------------------------------------------------------------------------
async def _api_error_handler(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return error_response(error.status, error.code, error.message, error.headers)


async def _validation_handler(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    code, message = validation_message(list(error.errors()))
    return error_response(422, code, message)


async def _http_error_handler(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code, template = _HTTP_MESSAGES.get(
        error.status_code, ("http_error", "Yêu cầu không thực hiện được ({status}); hãy xem tài liệu tại /docs.")
    )
    message = template.format(path=request.url.path, method=request.method, status=error.status_code)
    return error_response(error.status_code, code, message, dict(error.headers or {}))


def create_api(
    get_engine: Callable[[], AnswerEngine],
    settings: Settings | None = None,
    config: ApiConfig | None = None,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
) -> FastAPI:
    """The API app; ``config`` defaults to :func:`load_api_config` (the ``ASSISTANT_*`` variables, read now)."""
    config = config or load_api_config()
    state = ApiState(get_engine, settings, config)
    app = FastAPI(
        title="Trợ lý kế hoạch chuyển đổi số báo chí",
        description=(
            "Hỏi đáp có trích dẫn về các kế hoạch chuyển đổi số báo chí cấp tỉnh (QĐ 348/QĐ-TTg). Errors are "
            '`{"error": {"code", "message"}}`. When API keys are configured, /v1 needs `Authorization: Bearer <key>` '
            "(and the chat page a login with the same key)."
        ),
        version="1.0",
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.assistant = state
    app.state.settings = settings
    bearer = [Depends(HTTPBearer(auto_error=False))] if config.auth_enabled else []
    app.include_router(health_router)
    for router in _V1_ROUTERS:
        app.include_router(router, dependencies=bearer)
    from assistant.serving.routers import calendar, duties, feedback, targets  # they import this module's helpers

    app.state.view_routers = (duties.router, calendar.router, targets.router, feedback.router)
    for router in app.state.view_routers:
        app.include_router(router, dependencies=bearer)
    for path in ("/v1", "/v1/{rest:path}"):
        app.add_api_route(path, _v1_fallback, methods=list(_ALL_METHODS), include_in_schema=False)
    for path in _HEALTH_PATHS:  # GET (and HEAD) are the routes above; any other method is a 405 here
        app.add_api_route(path, _v1_fallback, methods=list(_ALL_METHODS), include_in_schema=False)
    for path, endpoint, methods in login_routes(state.door):
        app.add_route(path, endpoint, methods=methods, include_in_schema=False)
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_error_handler)
    app.add_middleware(DoorMiddleware, door=state.door, gate_full=state.gate_full)
    install_plan_upload(app, settings)  # POST /v1/plans (assistant/serving/upload.py), in front of the door
    if config.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(config.cors_origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    app.add_middleware(RequestContextMiddleware, state=state)
    return app
