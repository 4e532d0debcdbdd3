"""The answer contract: pydantic models shared by the engine, the CLI, the HTTP API and the chat page."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Citation(BaseModel):
    """A numbered source: an exact quote of a plan's text and where it is."""

    n: int = Field(description="The [n] marker used in the answer text.")
    plan_id: str
    province: str
    section: str
    quote: str = Field(description="Exact substring of the plan's text (Plan.text[start:end]).")
    start: int
    end: int


class Claim(BaseModel):
    """A checkable statement in the answer text (a number, year, date, unit name or document number)."""

    text: str
    kind: Literal["percent", "number", "year", "date", "unit", "document"]
    verified: bool
    fact_id: str | None = None
    citation: int | None = None


class Verification(BaseModel):
    """Grounded (every claim backed by a used fact or a cited quote) and addressed (the answer states what was
    asked, for the asked subject and scope). ``verified`` means both; a refusal is ``not_addressed``; sentences
    chosen from the plans' prose are grounded but not confirmed against the facts table: ``unconfirmed``."""

    status: Literal["verified", "partially_verified", "not_verified", "no_claims", "not_addressed", "unconfirmed"]
    claims: list[Claim] = Field(default_factory=list)
    addressed: bool = Field(default=False, description="The answer states the asked attribute for the asked subject.")
    unmet: list[str] = Field(
        default_factory=list,
        description='What the draft did not honour, e.g. "attribute:time_frame", "unit:Công an tỉnh".',
    )


class Answer(BaseModel):
    """What the assistant answers; ``answer`` carries [n] markers that point into ``citations``."""

    question: str
    answer: str
    status: Literal["answered", "not_found"]
    language: Literal["vi", "en"]
    province: str | None = None
    route: Literal["facts", "passages", "none"]
    route_detail: str = Field(default="", description="The answer route that wrote the answer (e.g. targets, tasks).")
    citations: list[Citation] = Field(default_factory=list)
    facts: list[dict[str, Any]] = Field(default_factory=list)
    verification: Verification = Field(default_factory=lambda: Verification(status="no_claims"))
    timings_ms: dict[str, float] = Field(default_factory=dict)
