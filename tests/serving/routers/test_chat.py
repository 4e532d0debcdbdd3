"""The OpenAI-compatible routes: the chat.completion shape with sources and the assistant extension, history from
messages and content parts, the chunk stream, errors, the model list."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from assistant.serving.schemas import MAX_QUESTION_CHARS
from tests.serving.conftest import (
    FOLLOW_UP_HISTORY,
    TASK_QUESTION,
    assert_error,
)


def test_chat_completion_shape(client: TestClient) -> None:
    request = {
        "model": "tro-ly",
        "messages": [{"role": "system", "content": "Trả lời ngắn."}, {"role": "user", "content": TASK_QUESTION}],
    }
    response = client.post("/v1/chat/completions", json=request)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "chat.completion" and body["model"] == "tro-ly"
    assert body["id"].startswith("chatcmpl-") and isinstance(body["created"], int)
    choice = body["choices"][0]
    assert choice["index"] == 0 and choice["finish_reason"] == "stop" and choice["message"]["role"] == "assistant"
    assert body["usage"] == {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    extra = body["assistant"]
    assert set(extra) == {"citations", "verification", "status", "facts"} and extra["status"] == "answered"
    content = choice["message"]["content"]
    assert "Sở Thông tin và Truyền thông" in content and "\n\nNguồn:\n[1] Lai Châu — " in content
    assert len(extra["citations"]) >= 1 and extra["verification"]["status"]


def test_chat_history_from_messages_and_content_parts(client: TestClient) -> None:
    messages = [*FOLLOW_UP_HISTORY, {"role": "user", "content": [{"type": "text", "text": "còn năm 2030 thì sao?"}]}]
    body = client.post("/v1/chat/completions", json={"model": "x", "messages": messages}).json()
    assert body["assistant"]["status"] == "answered"
    assert "100%" in body["choices"][0]["message"]["content"]


def test_chat_stream(client: TestClient) -> None:
    request = {"model": "tro-ly", "messages": [{"role": "user", "content": TASK_QUESTION}]}
    expected = client.post("/v1/chat/completions", json=request).json()
    with client.stream("POST", "/v1/chat/completions", json={**request, "stream": True}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in response.read().decode().split("\n") if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[len("data: ") :]) for line in lines[:-1]]
    assert len({c["id"] for c in chunks}) == 1 and all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks[:-1])
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["choices"][0]["delta"] == {}
    content = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert content == expected["choices"][0]["message"]["content"]
    assert chunks[-1]["assistant"]["citations"] == expected["assistant"]["citations"]


def test_chat_errors(client: TestClient) -> None:
    only_system = {"model": "x", "messages": [{"role": "system", "content": "hi"}]}
    assert_error(client.post("/v1/chat/completions", json=only_system), 422, "invalid_question")
    empty = {"model": "x", "messages": [{"role": "user", "content": "  "}]}
    assert_error(client.post("/v1/chat/completions", json=empty), 422, "invalid_question")
    assert_error(client.post("/v1/chat/completions", json={"model": "x", "messages": []}), 422)
    too_long = {"messages": [{"role": "user", "content": "a" * (MAX_QUESTION_CHARS + 1)}]}
    assert_error(client.post("/v1/chat/completions", json=too_long), 422, "invalid_question")


def test_models(client: TestClient) -> None:
    body = client.get("/v1/models").json()
    assert body["object"] == "list" and body["data"][0]["object"] == "model"
