"""Route of answer feedback: POST a 👍 / 👎 with an optional comment about one answer; it is stored as text."""

from __future__ import annotations

import threading
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from assistant.config import load_settings
from assistant.feedback.store import FeedbackRecord, FeedbackStore, FeedbackUnavailable
from assistant.serving.errors import POST_ERRORS, ApiError, error_responses
from assistant.serving.schemas import HistoryTurn, ProvinceName, resolve_province
from assistant.serving.state import ApiState, get_state

router = APIRouter(prefix="/v1", tags=["feedback"])
MAX_COMMENT_CHARS = 2000
MAX_ANSWER_CHARS = 20_000
_stores: dict[str, FeedbackStore] = {}
_stores_lock = threading.Lock()


_STRICT = ConfigDict(extra="forbid", strict=True)


class CitationIn(BaseModel):
    """A citation of the answer, as the Answer gives it."""

    model_config = _STRICT
    n: int
    plan_id: str = Field(max_length=100)
    province: str = Field(max_length=100)
    section: str = Field(max_length=1000)
    quote: str = Field(max_length=10_000)
    start: int
    end: int


class ClaimIn(BaseModel):
    model_config = _STRICT
    text: str = Field(max_length=1000)
    kind: str = Field(max_length=20)
    verified: bool
    fact_id: str | None = Field(default=None, max_length=200)
    citation: int | None = None


class VerificationIn(BaseModel):
    """The answer's verification, as the Answer gives it."""

    model_config = _STRICT
    status: Literal["verified", "partially_verified", "not_verified", "no_claims", "not_addressed", "unconfirmed"]
    claims: list[ClaimIn] = Field(default_factory=list, max_length=200)
    addressed: bool = False
    unmet: list[str] = Field(default_factory=list, max_length=50)


class FeedbackRequest(BaseModel):
    """What was asked and answered, and the user's verdict. The comment is kept as plain text (HTML is not run)."""

    model_config = _STRICT

    rating: Literal["up", "down"] = Field(description="up (👍) or down (👎).")
    question: str = Field(min_length=1, max_length=2000, pattern=r"\S", description="The question answered.")
    answer: str = Field(default="", max_length=MAX_ANSWER_CHARS, description="The answer text given.")
    comment: str = Field(default="", max_length=MAX_COMMENT_CHARS, description="Optional comment (plain text).")
    province: ProvinceName | None = Field(default=None, description="The province filter the answer had, if any.")
    history: list[HistoryTurn] = Field(default_factory=list, max_length=100)
    citations: list[CitationIn] = Field(default_factory=list, max_length=50)
    status: Literal["answered", "not_found", ""] = ""
    language: Literal["vi", "en", ""] = ""
    route: str = Field(default="", max_length=40)
    route_detail: str = Field(default="", max_length=80)
    verification: VerificationIn | None = None


class FeedbackStored(BaseModel):
    id: int
    created_at: str
    message: str


def store_for(state: ApiState) -> FeedbackStore:
    path = (state.settings or load_settings()).feedback_db
    with _stores_lock:
        return _stores.setdefault(str(path), FeedbackStore(path))


@router.post(
    "/feedback",
    status_code=201,
    response_model=FeedbackStored,
    responses=error_responses(*POST_ERRORS),
    summary="Store a 👍 / 👎 about one answer",
    description="The question, the answer, its citations, route and verification, and an optional comment "
    f"(at most {MAX_COMMENT_CHARS} characters, kept as plain text). No personal data is stored. A malformed or "
    "oversized body is a 4xx with one sentence.",
)
def post_feedback(body: FeedbackRequest, state: ApiState = Depends(get_state)) -> Any:
    record = FeedbackRecord(
        rating=body.rating,
        question=body.question,
        answer=body.answer,
        comment=body.comment,
        status=body.status,
        language=body.language,
        province=resolve_province(body.province),
        history=[t.model_dump() for t in body.history],
        citations=[c.model_dump() for c in body.citations],
        route=body.route,
        route_detail=body.route_detail,
        verification=body.verification.model_dump() if body.verification else {},
        source="api",
    )
    try:
        stored = store_for(state).add(record)
    except FeedbackUnavailable as error:
        raise ApiError(503, "feedback_unavailable", str(error), {"Retry-After": "5"}) from error
    return {"id": stored.id, "created_at": stored.created_at, "message": "Đã ghi nhận góp ý, xin cảm ơn."}
