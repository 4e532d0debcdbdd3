"""The plans' routes: metadata and texts, a cited span with its context and section, bad spans; and the upload
(POST /v1/plans): off without admin keys, an admin key required, the size limit, bad files refused, a plan added."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.config import ApiConfig
from assistant.serving.api import create_api
from tests.conftest import REPO
from tests.serving.conftest import TARGET_QUESTION, assert_error

PLAN = REPO / "tests" / "data" / "plans" / "kon-tum" / "plan.txt"
KEY = "khoa-quan-tri"


def _never_engine():
    raise AssertionError("uploads do not need the answer engine")


def _state(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def settings(tmp_path: Path, built_settings):
    shutil.copytree(built_settings.corpus_dir, tmp_path / "corpus")
    shutil.copytree(built_settings.index_dir, tmp_path / "index")
    return replace(
        built_settings,
        corpus_dir=tmp_path / "corpus",
        index_dir=tmp_path / "index",
        admin_keys=frozenset({KEY}),
        upload_max_bytes=200_000,
    )


def _upload_client(settings) -> TestClient:
    return TestClient(create_api(_never_engine, settings, ApiConfig()))


def _post(client: TestClient, name: str, data: bytes, key: str | None = KEY, **fields):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.post("/v1/plans", files={"file": (name, data)}, data=fields, headers=headers)


def test_uploads_are_off_without_admin_keys(settings) -> None:
    response = _post(_upload_client(replace(settings, admin_keys=frozenset())), "plan.txt", PLAN.read_bytes())
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"


def test_an_admin_key_is_required(settings) -> None:
    client = _upload_client(settings)
    assert _post(client, "plan.txt", PLAN.read_bytes(), key=None).status_code == 401
    assert _post(client, "plan.txt", PLAN.read_bytes(), key="sai").status_code == 401


def test_files_over_the_limit_are_refused(settings) -> None:
    response = _post(_upload_client(settings), "big.pdf", b"%PDF-1.7\n" + b"0" * 400_000)
    assert response.status_code == 413 and response.json()["error"]["code"] == "file_too_large"


def test_a_bad_file_changes_nothing(settings) -> None:
    before = _state(settings.corpus_dir) | _state(settings.index_dir)
    response = _post(_upload_client(settings), "ke-hoach.pdf", "không phải PDF".encode())
    body = response.json()["error"]
    assert response.status_code == 422 and body["code"] == "bad_plan" and body["message"].startswith("ke-hoach.pdf")
    assert _state(settings.corpus_dir) | _state(settings.index_dir) == before


def test_a_plan_is_added(settings) -> None:
    response = _post(_upload_client(settings), "ke hoach kon tum.txt", PLAN.read_bytes())
    assert response.status_code == 201, response.text
    body = response.json()
    [report] = body["reports"]
    assert report["plan_id"] == "kon-tum" and report["facts"]["task"] == 12 and body["reload_required"] is True
    assert (settings.corpus_dir / "kon-tum.txt").is_file()


def test_question_routes_keep_their_own_body_limit(settings) -> None:
    client = _upload_client(settings)
    response = client.post(
        "/v1/answer", content=b"{" + b" " * 70_000 + b"}", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


# -- reading ----------------------------------------------------------------------------------------------
def test_plans(client: TestClient, engine) -> None:
    plans = client.get("/v1/plans").json()
    assert [p["id"] for p in plans] == [p.id for p in engine.corpus.plans]
    assert set(plans[0]) == {"id", "province", "title", "plan_number", "issue_date", "signer"}
    hue = next(p for p in plans if p["id"] == "thua-thien-hue")
    assert hue["plan_number"] == "270/KH-UBND" and hue["province"] == "Thừa Thiên Huế"
    detail = client.get("/v1/plans/thua-thien-hue").json()
    plan = next(p for p in engine.corpus.plans if p.id == "thua-thien-hue")
    assert detail["text"] == plan.text and detail["length"] == len(plan.text)
    assert detail["issuing_body"] == plan.meta.issuing_body and isinstance(detail["legal_basis"], list)
    assert_error(client.get("/v1/plans/khong-co"), 404, "plan_not_found")
    assert_error(client.get("/v1/plans/khong-co/text", params={"start": 0, "end": 5}), 404, "plan_not_found")


def test_plan_span_of_a_citation(client: TestClient, engine) -> None:
    citation = client.post("/v1/answer", json={"question": TARGET_QUESTION}).json()["citations"][0]
    span = client.get(
        f"/v1/plans/{citation['plan_id']}/text", params={"start": citation["start"], "end": citation["end"]}
    ).json()
    assert span["quote"] == citation["quote"]
    assert span["section"] and span["section"].startswith("II. MỤC TIÊU")
    text = next(p for p in engine.corpus.plans if p.id == citation["plan_id"]).text
    assert text[span["context_start"] : span["context_end"]] == span["before"] + span["quote"] + span["after"]
    assert 0 < len(span["before"]) <= 300 and 0 < len(span["after"]) <= 300


def test_plan_span_validation(client: TestClient, engine) -> None:
    length = len(next(p for p in engine.corpus.plans if p.id == "quang-tri").text)
    whole = client.get("/v1/plans/quang-tri/text", params={"start": 0, "end": length}).json()
    assert whole["before"] == "" and whole["after"] == "" and len(whole["quote"]) == length
    for params in ({"start": 5, "end": 5}, {"start": 9, "end": 3}, {"start": 0, "end": length + 1}):
        assert_error(client.get("/v1/plans/quang-tri/text", params=params), 422, "invalid_span")
    for params in ({"start": -1, "end": 3}, {"start": "a", "end": 3}, {"end": 3}):
        assert_error(client.get("/v1/plans/quang-tri/text", params=params), 422, "validation_error")
