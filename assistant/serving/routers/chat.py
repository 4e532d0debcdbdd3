"""Routes of the OpenAI-compatible chat: ``POST /v1/chat/completions`` (JSON or ``chat.completion.chunk`` SSE) and
``GET /v1/models``.

The last ``user`` message is the question, earlier user and assistant messages the history; the reply is the
answer text followed by a "Nguồn:" list of its citations, with the structured parts in the extra ``assistant``
field.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends

from assistant.schema import Answer
from assistant.serving.errors import POST_ERRORS, ApiError, error_responses
from assistant.serving.schemas import (
    MODEL_ID,
    NO_USER_MESSAGE,
    AssistantExtra,
    ChatChoice,
    ChatCompletion,
    ChatCompletionRequest,
    ChatMessage,
    ChatResponseMessage,
    ModelCard,
    ModelList,
    json_body,
    resolve_province,
)
from assistant.serving.sse import event_stream, openapi_media, split_pieces, sse
from assistant.serving.state import ApiState, get_state

router = APIRouter(prefix="/v1", tags=["chat (OpenAI-compatible)"])
EVENTS = openapi_media(None, "A chat.completion.chunk JSON object, then the literal [DONE].")


def sources_text(answer: Answer) -> str:
    """The "Nguồn:" block appended to chat answers ("Sources:" for English answers); empty without citations."""
    if not answer.citations:
        return ""
    heading = "Sources:" if answer.language == "en" else "Nguồn:"
    lines = []
    for c in answer.citations:
        quote = " ".join(c.quote.split())
        quote = quote if len(quote) <= 200 else quote[:199] + "…"
        lines.append(f"[{c.n}] {c.province} — {c.section}: “{quote}”")
    return f"\n\n{heading}\n" + "\n".join(lines)


def chat_question(messages: list[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    """The question (the last user message) and the history (the user and assistant messages before it)."""
    last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
    if last_user is None:
        raise ApiError(422, "invalid_question", NO_USER_MESSAGE)
    history = [{"role": m.role, "content": m.text()} for m in messages[:last_user] if m.role in ("user", "assistant")]
    return messages[last_user].text(), history


def _assistant_extra(answer: Answer) -> AssistantExtra:
    return AssistantExtra(
        status=answer.status, citations=answer.citations, verification=answer.verification, facts=answer.facts
    )


def chat_chunks(answer: Answer, completion_id: str, created: int, model: str) -> Iterator[str]:
    """The answer as ``chat.completion.chunk`` events: the role, the pieces, the sources, the end, ``[DONE]``."""

    def chunk(delta: dict[str, Any], finish: str | None = None, extra: AssistantExtra | None = None) -> str:
        body: dict[str, Any] = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        if extra is not None:
            body["assistant"] = extra.model_dump()
        return sse(json.dumps(body, ensure_ascii=False))

    yield chunk({"role": "assistant", "content": ""})
    for piece in split_pieces(answer.answer):
        yield chunk({"content": piece})
    sources = sources_text(answer)
    if sources:
        yield chunk({"content": sources})
    yield chunk({}, "stop", _assistant_extra(answer))
    yield sse("[DONE]")


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={
        200: {"content": EVENTS, "description": "The completion"},
        **error_responses(*POST_ERRORS),
    },
    summary="OpenAI-compatible chat completion",
    description=(
        "The last `user` message is the question; earlier user/assistant messages are the history. The reply's "
        "content is the answer text followed by a “Nguồn:” list of the citations (“Sources:” for English "
        "answers); the extra field `assistant` holds citations, verification, status and facts. With "
        "`stream: true`: `chat.completion.chunk` lines `data: {…}` (the last one has `finish_reason` and the "
        "`assistant` field), then `data: [DONE]`."
    ),
)
def chat_completions(body: ChatCompletionRequest, state: ApiState = Depends(get_state)) -> Any:
    question, history = chat_question(body.messages)
    answer = state.answer(question, history, resolve_province(body.province))
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    if body.stream:
        return event_stream(chat_chunks(answer, completion_id, created, body.model))
    completion = ChatCompletion(
        id=completion_id,
        created=created,
        model=body.model,
        choices=[ChatChoice(message=ChatResponseMessage(content=answer.answer + sources_text(answer)))],
        assistant=_assistant_extra(answer),
    )
    return json_body(completion)


@router.get("/models", response_model=ModelList, responses=error_responses(401, 429, 500), summary="OpenAI model list")
def list_models() -> ModelList:
    return ModelList(data=[ModelCard(id=MODEL_ID)])
