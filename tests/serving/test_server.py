"""The server: /readyz 503 with Retry-After while the engine loads, 200 once loaded, 503 engine_failed after a
failed load; /healthz always."""

from __future__ import annotations

import threading
import time

from assistant.config import ApiConfig
from assistant.errors import AssistantError
from assistant.serving.server import create_app
from tests.serving.conftest import (
    TARGET_QUESTION,
    api_client,
    assert_error,
)


def test_readyz_before_the_engine_is_loaded(engine) -> None:
    release = threading.Event()

    def slow_load():
        assert release.wait(30)
        return engine

    app = create_app(load=slow_load, config=ApiConfig(), ui=False)
    with api_client(app) as starting:
        assert starting.get("/healthz").status_code == 200
        response = starting.get("/readyz")
        assert_error(response, 503, "not_ready")
        assert response.headers["Retry-After"]
        assert_error(starting.post("/v1/answer", json={"question": TARGET_QUESTION}), 503, "not_ready")
        assert_error(starting.get("/v1/plans"), 503, "not_ready")
        release.set()
        deadline = time.monotonic() + 10
        while starting.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "the engine never became ready"
            time.sleep(0.05)
        assert starting.post("/v1/answer", json={"question": TARGET_QUESTION}).status_code == 200


def test_readyz_after_a_failed_load() -> None:
    def failing_load():
        raise AssistantError("Không tìm thấy tệp manifest.toml; hãy tạo tệp mô tả các kế hoạch.")

    with api_client(create_app(load=failing_load, config=ApiConfig(), ui=False)) as failed:
        deadline = time.monotonic() + 10
        while (response := failed.get("/readyz")).json()["error"]["code"] == "not_ready":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        error = assert_error(response, 503, "engine_failed")
        assert "manifest.toml" in error["message"]
        assert failed.get("/healthz").status_code == 200
