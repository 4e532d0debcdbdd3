"""The API's errors: the exceptions routes raise, the one JSON shape they become, and how OpenAPI documents them.

Every error is ``{"error": {"code": "...", "message": "<one Vietnamese sentence>"}}``, never a stack trace
(:mod:`assistant.serving.handlers` turns exceptions into that shape).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from assistant.errors import AssistantError


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


ERROR_DESCRIPTIONS = {
    400: "Malformed request",
    401: "Missing or invalid API key (only when API keys are configured)",
    404: "Not found",
    413: "Request body too large",
    422: "Invalid input (validation error)",
    429: "Rate limit exceeded, or too many failed key attempts; see Retry-After",
    500: "Internal error",
    503: "The engine is not loaded yet (or failed to load), or too many questions are waiting; see Retry-After",
}
V1_ERRORS = (401, 413, 422, 429, 500, 503)  # what any /v1 route may answer
POST_ERRORS = (400, *V1_ERRORS)  # and a route that reads a JSON body


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route's OpenAPI entry for these error statuses."""
    return {s: {"model": ErrorResponse, "description": ERROR_DESCRIPTIONS[s]} for s in statuses}


def short(value: Any, limit: int = 40) -> str:
    """A value quoted in an error message: as text, cut to ``limit`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
