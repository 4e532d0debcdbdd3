"""Routes of the server's health: liveness (/healthz), readiness (/readyz) and Prometheus metrics (/metrics)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse

from assistant.serving.errors import error_responses
from assistant.serving.schemas import HealthStatus, ReadyStatus
from assistant.serving.state import ApiState, get_state

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthStatus, summary="Liveness: 200 whenever the process runs")
def healthz() -> HealthStatus:
    return HealthStatus()


@router.get(
    "/readyz",
    response_model=ReadyStatus,
    responses=error_responses(503),
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


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    summary="Prometheus metrics (text format 0.0.4); needs a key when keys are set, unless ASSISTANT_METRICS_PUBLIC",
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}, **error_responses(401)},
)
def metrics(state: ApiState = Depends(get_state)) -> PlainTextResponse:
    return PlainTextResponse(state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
