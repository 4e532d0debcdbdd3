"""Schemathesis fuzzing of the API's OpenAPI schema, in process: no 5xx and responses that match the schema."""

from __future__ import annotations

import tempfile
import threading
from dataclasses import replace
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig

from assistant.config import ApiConfig, load_settings
from assistant.serving.server import create_app

# The schema is loaded at import time (schemathesis.pytest.from_fixture does not work with pytest 9), so the app
# is built now with a loader that hands over the session engine once the fixture below has provided it.
_engines: list = []
_provided = threading.Event()


def _load_session_engine():
    assert _provided.wait(600), "the session engine was never provided"
    return _engines[0]


# Feedback the fuzzer posts goes to a temp file, never to the index folder's.
_settings = replace(load_settings(), feedback_path=Path(tempfile.mkdtemp(prefix="fuzz-feedback-")) / "feedback.sqlite")
app = create_app(_settings, load=_load_session_engine, config=ApiConfig(rate_limit=0), ui=False)
# Invalid input may also be refused as too large (413, e.g. a generated body over 64 KiB).
REJECTIONS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]
config = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": REJECTIONS}}})
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


@pytest.fixture(scope="module", autouse=True)
def _engine_loaded(engine) -> None:
    _engines[:] = [engine]
    _provided.set()
    app.state.engine_loader.wait(60)


# Where a schema-valid request can still be refused with 422 by a rule JSON Schema cannot state: the chat's last
# user message must be a non-blank question of at most 2000 characters; a span needs start < end <= length.
CROSS_FIELD_RULES = {("POST", "/v1/chat/completions"), ("GET", "/v1/plans/{plan_id}/text")}


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_fuzz(case) -> None:
    excluded = [positive_data_acceptance] if (case.method.upper(), case.path) in CROSS_FIELD_RULES else []
    response = case.call_and_validate(excluded_checks=excluded)
    assert response.status_code < 500
    assert "Traceback" not in response.text
