"""Server-Sent Events: the answer cut into pieces that join back to it, each event framed with one ``data:`` line per
line, and the OpenAPI description of a stream."""

from __future__ import annotations

from assistant.serving.sse import HEADERS, event_stream, openapi_media, split_pieces, sse
from tests.serving.conftest import parse_sse


def test_split_pieces_join_back() -> None:
    text = "Chỉ tiêu:\n- Năm 2025: 75% [1]. Năm 2030: 100% [2].\nHãy đối chiếu. Xong"
    pieces = split_pieces(text)
    assert "".join(pieces) == text and len(pieces) == 5
    assert split_pieces("") == []


def test_an_event_keeps_its_lines() -> None:
    assert sse("[DONE]") == "data: [DONE]\n\n"
    framed = sse('{"a": 1}\n{"b": 2}', "delta")
    assert framed == 'event: delta\ndata: {"a": 1}\ndata: {"b": 2}\n\n'
    assert parse_sse(framed + sse("x", "done")) == [("delta", '{"a": 1}\n{"b": 2}'), ("done", "x")]


def test_a_stream_is_never_cached_nor_buffered() -> None:
    response = event_stream(iter([sse("x")]))
    assert response.media_type == "text/event-stream"
    assert {k: response.headers[k] for k in HEADERS} == HEADERS
    media = openapi_media(["delta", "done"], "what each event holds")
    schema = media["text/event-stream"]["schema"]
    assert schema["required"] == ["data"] and schema["properties"]["event"]["enum"] == ["delta", "done"]
    assert "event" not in openapi_media(None, "chunks")["text/event-stream"]["schema"]["properties"]
