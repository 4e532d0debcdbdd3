"""The HTTP API assembled: one router per capability, the error handlers, and the layers every request crosses.

``create_api(get_engine, settings)`` builds the FastAPI app (OpenAPI at ``/docs`` and ``/openapi.json``).
``get_engine()`` must return the loaded :class:`~assistant.engine.AnswerEngine` at once or raise
:class:`~assistant.serving.errors.EngineUnavailable` (answered as 503). Routes, one router per capability
(:mod:`assistant.serving.routers`):

| route                                     | router    | what                                                   |
|-------------------------------------------|-----------|--------------------------------------------------------|
| POST /v1/answer                           | answers   | the Answer JSON; with ``"stream": true`` SSE events    |
|                                           |           | delta, citations, verification, done (the full Answer) |
| POST /v1/chat/completions, GET /v1/models | chat      | OpenAI-compatible chat (JSON or                        |
|                                           |           | ``chat.completion.chunk`` SSE)                         |
| GET /v1/plans, /v1/plans/{id}             | plans     | plan metadata (and the full text)                      |
| GET /v1/plans/{id}/text?start=&end=       | plans     | a quoted span with ~300 characters of context          |
| POST /v1/plans                            | plans     | a maintainer's upload (with ``ASSISTANT_ADMIN_KEYS``)  |
| GET /v1/facts                             | facts     | the facts table, filtered; ``?format=csv`` for CSV     |
| GET /v1/units, /v1/units/{unit}/duties    | duties    | duty sheets                                            |
| GET /v1/calendar, /v1/calendar.ics        | calendar  | the deadline calendar                                  |
| GET /v1/targets/matrix                    | targets   | targets compared                                       |
| POST /v1/feedback                         | feedback  | 👍 / 👎 on an answer                                    |
| GET /healthz, /readyz, /metrics           | health    | liveness, readiness (503 until the engine is loaded    |
|                                           |           | and has passed its self-test; 200 lists skipped plans  |
|                                           |           | and notes), Prometheus                                 |

A request crosses, outermost first: :class:`~assistant.serving.middleware.RequestContextMiddleware` (request id,
access log, metrics), CORS (when ``ASSISTANT_CORS_ORIGINS`` is set), the plan upload, the door
(:mod:`assistant.serving.access`: keys, rate limits, body limits, overload), then the routes. Every error is
``{"error": {"code": "...", "message": "<one Vietnamese sentence>"}}`` (:mod:`assistant.serving.handlers`).
The server's ``ASSISTANT_*`` variables are read once, when the app is created
(:func:`assistant.config.load_api_config`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import HTTPBearer

from assistant.config import ApiConfig, Settings, load_api_config
from assistant.serving.access import DoorMiddleware, login_routes
from assistant.serving.handlers import install_error_handlers
from assistant.serving.middleware import RequestContextMiddleware
from assistant.serving.routers import answers, calendar, chat, duties, facts, feedback, health, plans, targets
from assistant.serving.schemas import FactKind
from assistant.serving.state import ApiState

if TYPE_CHECKING:
    from assistant.engine import AnswerEngine

__all__ = ["FactKind", "create_api"]  # FactKind: the fact kinds /v1/facts takes (assistant.serving.schemas)

V1_ROUTERS = (
    answers.router,
    chat.router,
    plans.router,
    facts.router,
    duties.router,
    calendar.router,
    targets.router,
    feedback.router,
)


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
    app.state.api_routers = (health.router, *V1_ROUTERS)
    bearer = [Depends(HTTPBearer(auto_error=False))] if config.auth_enabled else []
    app.include_router(health.router)
    for router in V1_ROUTERS:
        app.include_router(router, dependencies=bearer)
    install_error_handlers(app)
    for path, endpoint, methods in login_routes(state.door):
        app.add_route(path, endpoint, methods=methods, include_in_schema=False)
    app.add_middleware(DoorMiddleware, door=state.door, gate_full=state.gate_full)
    plans.install_plan_upload(app, settings)  # POST /v1/plans, in front of the door
    if config.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(config.cors_origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    app.add_middleware(RequestContextMiddleware, metrics=state.metrics)
    return app
