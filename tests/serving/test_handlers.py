"""Failures as the API's JSON error: invalid bodies and questions, unknown paths and methods (never the chat
page's 404)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from assistant.serving.handlers import validation_message
from assistant.serving.schemas import MAX_QUESTION_CHARS
from tests.serving.conftest import (
    assert_error,
)


def test_invalid_answer_requests(client: TestClient) -> None:
    post = client.post
    assert_error(
        post("/v1/answer", content=b'{"question": ', headers={"content-type": "application/json"}), 422, "invalid_json"
    )
    assert_error(post("/v1/answer", json=["a question"]), 422, "validation_error")
    assert_error(post("/v1/answer", json={}), 422, "validation_error")
    assert_error(post("/v1/answer", json={"question": 42}), 422, "validation_error")
    assert_error(post("/v1/answer", json={"question": "hi", "stream": "maybe"}), 422, "validation_error")
    assert_error(post("/v1/answer", json={"question": "hi", "stream": 0}), 422, "validation_error")
    assert_error(post("/v1/answer", json={"question": "hi", "history": "none"}), 422, "validation_error")
    assert_error(post("/v1/answer", json={"question": "hi", "history": [{"role": "bot", "content": "x"}]}), 422)
    for question in ("", "   \n\t "):
        error = assert_error(post("/v1/answer", json={"question": question}), 422, "invalid_question")
        assert "Câu hỏi trống" in error["message"]
    error = assert_error(post("/v1/answer", json={"question": "a" * (MAX_QUESTION_CHARS + 1)}), 422, "invalid_question")
    assert str(MAX_QUESTION_CHARS) in error["message"]
    assert client.post("/v1/answer", json={"question": "a" * MAX_QUESTION_CHARS}).status_code == 200


def test_unknown_paths_and_methods(client: TestClient) -> None:
    assert_error(client.get("/v1/nothing-here"), 404, "not_found")
    error = client.post("/v1/plans")
    assert_error(error, 405, "method_not_allowed")
    assert "GET" in error.headers["Allow"]
    for method, path in (("TRACE", "/healthz"), ("POST", "/readyz"), ("QUERY", "/metrics"), ("QUERY", "/v1/plans")):
        refused = client.request(method, path)  # not a fall-through to the chat page's 404
        assert_error(refused, 405, "method_not_allowed")
        assert refused.headers["Allow"] == "GET"


def test_validation_messages_name_the_field_in_vietnamese() -> None:
    code, message = validation_message([{"type": "int_parsing", "loc": ("query", "year"), "ctx": {}}])
    assert code == "validation_error" and message.startswith("Tham số 'year' phải là một số nguyên;")
    code, message = validation_message(
        [{"type": "string_too_long", "loc": ("body", "comment"), "ctx": {"max_length": 2000}}]
    )
    assert message.startswith("Trường 'comment' dài quá 2000 ký tự;")
    code, message = validation_message([{"type": "too_short", "loc": ("body", "messages"), "ctx": {"min_length": 1}}])
    assert message.startswith("Trường 'messages' cần ít nhất 1 phần tử;")
    code, message = validation_message(
        [{"type": "literal_error", "loc": ("query", "kind"), "input": "x", "ctx": {"expected": "'a' or 'b'"}}]
    )
    assert message == "Giá trị 'x' của tham số 'kind' không hợp lệ; hãy dùng một trong: a, b."
    assert validation_message([{"type": "string_too_long", "loc": ("body", "question"), "input": "a" * 2001}]) == (
        "invalid_question",
        "Câu hỏi dài 2001 ký tự, vượt giới hạn 2000; hãy rút gọn câu hỏi.",
    )
    assert validation_message([{"type": "missing", "loc": ("body",)}])[0] == "validation_error"
    assert validation_message([])[0] == "validation_error"
    assert validation_message([{"type": "something_new", "loc": ("body", "x")}])[1].startswith(
        "Giá trị của trường 'x' không hợp lệ"
    )
