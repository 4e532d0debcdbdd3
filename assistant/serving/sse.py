"""Server-Sent Events of the streaming routes: an answer cut into pieces, event framing, and its OpenAPI entry."""

from __future__ import annotations

import re
from typing import Any

from fastapi.responses import StreamingResponse

HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_PIECE_SPLIT_RE = re.compile(r"(?<=\n)|(?<=[.!?…] )")


def split_pieces(text: str) -> list[str]:
    """The answer text cut after line breaks and sentence ends; the pieces join back to ``text``."""
    return [piece for piece in _PIECE_SPLIT_RE.split(text) if piece]


def sse(data: str, event: str | None = None) -> str:
    """One event: its optional ``event:`` line, one ``data:`` line per line of ``data``, a blank line."""
    head = f"event: {event}\n" if event else ""
    return head + "".join(f"data: {line}\n" for line in data.split("\n")) + "\n"


def event_stream(events: Any) -> StreamingResponse:
    """A ``text/event-stream`` response of the events an iterator yields, never cached or buffered by a proxy."""
    return StreamingResponse(events, media_type="text/event-stream", headers=HEADERS)


def openapi_media(events: list[str] | None, data: str) -> dict[str, Any]:
    """OpenAPI 3.1 media type of an SSE response: ``schema`` describes one event (as schemathesis reads it)."""
    properties: dict[str, Any] = {"data": {"type": "string", "description": data}}
    if events:
        properties["event"] = {"type": "string", "enum": events}
    return {"text/event-stream": {"schema": {"type": "object", "required": ["data"], "properties": properties}}}
