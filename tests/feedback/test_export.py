"""Feedback exports: CSV of every field; JSONL in the eval-set format that the grader loads."""

from __future__ import annotations

import csv
import io
import json

from assistant.evaluation.answers import load_questions
from assistant.feedback.export import EVAL_FIELDS, eval_item, export_feedback
from assistant.feedback.store import FeedbackRecord

CITATION = {
    "n": 1,
    "plan_id": "lai-chau",
    "province": "Lai Châu",
    "section": "II",
    "quote": "67% cơ quan",
    "start": 1,
    "end": 12,
}


def _record(rating: str, **fields) -> FeedbackRecord:
    base = dict(
        id=7,
        rating=rating,
        question="Mục tiêu 2025 của Lai Châu về AI?",
        answer="Đến năm 2025, 67% cơ quan báo chí [1].",
        status="answered",
        province="Lai Châu",
        citations=[CITATION],
        route="facts",
        route_detail="targets",
        verification={"status": "verified", "claims": [{"text": "67%", "kind": "percent", "verified": True}]},
        created_at="2026-12-01T10:00:00+0000",
    )
    return FeedbackRecord(**{**base, **fields})


def test_a_thumbs_down_becomes_an_eval_question_to_complete() -> None:
    item = eval_item(_record("down", comment="Sai số liệu"))
    assert list(item)[: len(EVAL_FIELDS)] == list(EVAL_FIELDS)
    assert item["id"] == "fb00007" and item["type"] == "target" and item["province"] == "Lai Châu"
    assert item["answer"] == "" and item["must_include"] == [] and item["sources"] == []  # for the maintainer to write
    assert item["feedback"]["comment"] == "Sai số liệu" and item["feedback"]["answer_given"].startswith("Đến năm")
    refused = eval_item(_record("down", status="not_found", route="none", route_detail="not_found"))
    assert refused["expect_status"] == "answered" and refused["type"] == "not_found"


def test_a_thumbs_up_keeps_the_answer_as_a_regression() -> None:
    item = eval_item(_record("up", history=[{"role": "user", "content": "x"}]))
    assert item["answer"] == "Đến năm 2025, 67% cơ quan báo chí." and item["must_include"] == ["67%"]
    assert item["type"] == "followup" and item["sources"] == [{"doc": "lai-chau", "quote": "67% cơ quan"}]


def test_jsonl_loads_with_the_graders_loader_and_csv_has_every_field(tmp_path) -> None:
    records = [_record("down", comment="<script>x</script>"), _record("up", id=8)]
    path = tmp_path / "fb.jsonl"
    path.write_text(export_feedback(records, "jsonl"), encoding="utf-8")
    loaded = load_questions(path)
    assert [q.id for q in loaded] == ["fb00007", "fb00008"] and loaded[0].expect_status == "answered"
    assert json.loads(path.read_text().splitlines()[0])["feedback"]["comment"] == "<script>x</script>"
    rows = list(csv.DictReader(io.StringIO(export_feedback(records, "csv"))))
    assert rows[0]["comment"] == "<script>x</script>" and json.loads(rows[0]["citations"])[0]["plan_id"] == "lai-chau"
