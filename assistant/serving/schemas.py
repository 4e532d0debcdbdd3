"""The API's request and response bodies (pydantic models, as OpenAPI shows them), and the values they accept.

A ``province`` is matched in any spelling ("Quảng Trị", "quang tri", "QT"); one that names no province is a 422
naming it (:func:`resolve_province`).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError
from starlette.responses import Response

from assistant.domain.indicators import BY_CODE
from assistant.domain.provinces import exact_province, province_spellings
from assistant.facts.kinds import FactKindName
from assistant.schema import Citation, Verification
from assistant.serving.errors import ApiError, short

MAX_QUESTION_CHARS = 2000  # the engine's limit (assistant.engine.MAX_QUESTION_CHARS; importing it loads the engine)
CONTEXT_CHARS = 300  # plan text on each side of a quoted span (GET /v1/plans/{id}/text)
MODEL_ID = "assistant"  # the one model of the OpenAI-compatible routes
FactKind = FactKindName  # the kinds /v1/facts filters on: the registry's (assistant.facts.kinds)
IndicatorCode = Enum("IndicatorCode", {code: code for code in sorted(BY_CODE)}, type=str)  # type: ignore[misc]
NO_USER_MESSAGE = "Không có tin nhắn nào của người dùng; hãy thêm một tin nhắn có role 'user' chứa câu hỏi."

# Provinces are matched in any spelling ("Quảng Trị", "quang tri", "QT"); the schema lists the usual two.
ProvinceName = Annotated[str, Field(max_length=100, json_schema_extra={"enum": province_spellings()})]


def json_body(model: BaseModel) -> Response:
    """``model`` as the JSON response, serialized once: the bytes FastAPI would send for its ``response_model``,
    without dumping it to a dict, validating that again and serializing the result (5× the time for an Answer)."""
    return Response(model.model_dump_json(), media_type="application/json")


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
            f"Không có tỉnh, thành phố nào tên '{short(text)}'; hãy viết tên một tỉnh, ví dụ 'Quảng Trị'.",
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
