"""The API assembled: every route in the OpenAPI document, the page (or the docs) at /, CORS, and the server's
ASSISTANT_* variables."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.config import ApiConfig, load_api_config
from assistant.errors import ConfigError
from tests.serving.conftest import (
    api_app,
    api_client,
    clean_env,
)


def test_cors(monkeypatch: pytest.MonkeyPatch, engine, client: TestClient) -> None:
    preflight = {"Origin": "https://bao.example.vn", "Access-Control-Request-Method": "POST"}
    with api_client(api_app(monkeypatch, engine, CORS_ORIGINS="https://bao.example.vn")) as cors:
        response = cors.options("/v1/answer", headers=preflight)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://bao.example.vn"
        simple = cors.get("/v1/plans", headers={"Origin": "https://bao.example.vn"})
        assert simple.headers["access-control-allow-origin"] == "https://bao.example.vn"
    assert "access-control-allow-origin" not in client.get("/v1/plans", headers={"Origin": "https://x.org"}).headers


def test_config_errors(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    clean_env(monkeypatch)
    assert load_api_config() == ApiConfig()
    monkeypatch.setenv("ASSISTANT_RATE_LIMIT", "many")
    with pytest.raises(ConfigError, match="ASSISTANT_RATE_LIMIT"):
        load_api_config()
    monkeypatch.setenv("ASSISTANT_RATE_LIMIT", "0")
    monkeypatch.setenv("ASSISTANT_API_KEYS_FILE", str(tmp_path / "absent.txt"))
    with pytest.raises(ConfigError, match="ASSISTANT_API_KEYS_FILE"):
        load_api_config()
    empty = tmp_path / "keys.txt"
    empty.write_text("# no key yet\n\n", encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_API_KEYS_FILE", str(empty))
    with pytest.raises(ConfigError, match="không có khóa nào"):  # an empty keys file must not turn auth off
        load_api_config()
    monkeypatch.delenv("ASSISTANT_API_KEYS_FILE")
    monkeypatch.setenv("ASSISTANT_METRICS_PUBLIC", "maybe")
    with pytest.raises(ConfigError, match="ASSISTANT_METRICS_PUBLIC"):
        load_api_config()


def test_root_serves_the_page_or_the_docs(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]


def test_openapi_documents_every_route(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/v1/answer",
        "/v1/chat/completions",
        "/v1/models",
        "/v1/plans",
        "/v1/plans/{plan_id}",
        "/v1/plans/{plan_id}/text",
        "/v1/facts",
        "/healthz",
        "/readyz",
        "/metrics",
    } <= paths
    answer = schema["paths"]["/v1/answer"]["post"]["responses"]
    assert answer["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
    assert "text/event-stream" in answer["200"]["content"]
    assert client.get("/docs").status_code == 200
