"""What every route shares (:class:`ApiState`): the engine getter, settings, config, metrics and the door.

Routes get it with ``Depends(get_state)``. :meth:`ApiState.engine` turns an engine that is loading or failed into
a 503; :meth:`ApiState.answer` asks the engine and maps its refusals (invalid question 422, overloaded 503 with
``Retry-After``, failed 500), counting each answer in the metrics.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import Request

from assistant.admission import Overloaded
from assistant.config import ApiConfig, Settings
from assistant.errors import AssistantError
from assistant.schema import Answer
from assistant.serving.access import Door
from assistant.serving.errors import ApiError, EngineUnavailable
from assistant.serving.metrics import Metrics

if TYPE_CHECKING:
    from assistant.engine import AnswerEngine

log = logging.getLogger(__name__)


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
    """The app's :class:`ApiState` (a FastAPI dependency)."""
    return request.app.state.assistant
