"""Route of answers: ``POST /v1/answer``, the Answer JSON, or with ``"stream": true`` its Server-Sent Events."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from assistant.schema import Answer
from assistant.serving.errors import POST_ERRORS, error_responses
from assistant.serving.schemas import AnswerRequest, json_body, resolve_province
from assistant.serving.sse import event_stream, openapi_media, split_pieces, sse
from assistant.serving.state import ApiState, get_state

router = APIRouter(prefix="/v1", tags=["answer"])
EVENTS = openapi_media(
    ["delta", "citations", "verification", "done"],
    'JSON: {"text": piece} (delta), the citations list, the verification, the full Answer (done).',
)


def answer_events(answer: Answer) -> Iterator[str]:
    """``delta`` events (pieces of the answer text), then ``citations``, ``verification`` and ``done``."""
    for piece in split_pieces(answer.answer):
        yield sse(json.dumps({"text": piece}, ensure_ascii=False), "delta")
    citations = [c.model_dump() for c in answer.citations]
    yield sse(json.dumps(citations, ensure_ascii=False), "citations")
    yield sse(answer.verification.model_dump_json(), "verification")
    yield sse(answer.model_dump_json(), "done")


@router.post(
    "/answer",
    response_model=Answer,
    responses={
        200: {"content": EVENTS, "description": "The answer"},
        **error_responses(*POST_ERRORS),
    },
    summary="Answer a question with citations and verification",
    description=(
        "Returns the Answer JSON. With `stream: true` the response is `text/event-stream`: `event: delta` "
        'events (`{"text": "…"}`, pieces of the answer split at line breaks and sentence ends, joining back to '
        "the answer text), then `event: citations` (JSON list), `event: verification` (JSON) and `event: done` "
        "(the full Answer JSON)."
    ),
)
def post_answer(body: AnswerRequest, state: ApiState = Depends(get_state)) -> Response:
    history = [turn.model_dump() for turn in body.history]
    answer = state.answer(body.question, history, resolve_province(body.province))
    if body.stream:
        return event_stream(answer_events(answer))
    return json_body(answer)
