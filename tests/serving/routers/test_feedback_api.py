"""POST /v1/feedback: stored as sent (HTML as text), bad bodies refused in one sentence, 100 at once all kept."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.config import load_settings
from assistant.feedback.store import FeedbackStore
from assistant.serving.server import create_app
from tests.serving.routers.test_views_api import OPEN, fake_engine

ANSWER = {
    "rating": "down",
    "question": "Hạn báo cáo của Nghệ An?",
    "answer": "Trước ngày 20/11 hằng năm [1].",
    "status": "answered",
    "language": "vi",
    "province": "nghe an",
    "route": "facts",
    "route_detail": "deadlines",
    "citations": [
        {
            "n": 1,
            "plan_id": "nghe-an",
            "province": "Nghệ An",
            "section": "II",
            "quote": "trước ngày 20/11",
            "start": 5,
            "end": 21,
        }
    ],
    "verification": {"status": "verified", "claims": [{"text": "20/11", "kind": "date", "verified": True}]},
}


@pytest.fixture()
def app(tmp_path):
    settings = replace(load_settings(), index_dir=tmp_path)
    return create_app(settings, engine=fake_engine(), config=OPEN, ui=False, self_test=False)


def test_feedback_is_stored_with_html_kept_as_text(app, tmp_path) -> None:
    with TestClient(app) as client:
        response = client.post("/v1/feedback", json={**ANSWER, "comment": "<script>alert('x')</script> sai"})
    assert response.status_code == 201 and response.json()["id"] == 1
    (record,) = FeedbackStore(tmp_path / "feedback.sqlite").records()
    assert record.comment == "<script>alert('x')</script> sai" and record.province == "Nghệ An"
    assert record.citations[0]["quote"] == "trước ngày 20/11" and record.verification["status"] == "verified"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"rating": "meh", "question": "q"}, 422),
        ({"rating": "up"}, 422),
        ({"rating": "up", "question": "   "}, 422),
        ({"rating": "up", "question": "q", "comment": "x" * 2001}, 422),
        ({"rating": "up", "question": "q", "email": "a@b.c"}, 422),
        ({"rating": "up", "question": "q", "province": "Atlantis"}, 422),
        ({"rating": "up", "question": "q", "answer": "x" * 70_000}, 413),
        ([1, 2], 422),
    ],
)
def test_bad_feedback_is_refused_in_one_sentence(app, body, status: int) -> None:
    with TestClient(app) as client:
        response = client.post("/v1/feedback", json=body)
    assert response.status_code == status, response.text
    message = response.json()["error"]["message"]
    assert message.endswith(".") and "Traceback" not in response.text


def test_malformed_json_is_refused(app) -> None:
    with TestClient(app) as client:
        response = client.post("/v1/feedback", content=b"{rating: up", headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_json"


def test_a_hundred_concurrent_posts_lose_nothing(app, tmp_path) -> None:
    async def post_all() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            responses = await asyncio.gather(
                *(client.post("/v1/feedback", json={**ANSWER, "comment": f"góp ý {n}"}) for n in range(100))
            )
        return [r.status_code for r in responses]

    assert asyncio.run(post_all()) == [201] * 100
    records = FeedbackStore(tmp_path / "feedback.sqlite").records()
    assert sorted(r.comment for r in records) == sorted(f"góp ý {n}" for n in range(100))
    assert sorted(r.id for r in records) == list(range(1, 101))
