"""Feedback written out: CSV of every field, or JSONL in the eval-set format (evals/questions.jsonl) so that a 👎
becomes a regression question once a maintainer writes what the answer should have been."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, Literal

from assistant.feedback.store import FeedbackRecord

ExportFormat = Literal["csv", "jsonl"]
CSV_COLUMNS = [
    "id",
    "created_at",
    "rating",
    "comment",
    "question",
    "answer",
    "status",
    "language",
    "province",
    "route",
    "route_detail",
    "verification",
    "citations",
    "history",
    "source",
]
EVAL_FIELDS = (
    "id",
    "question",
    "history",
    "province",
    "type",
    "answer",
    "must_include",
    "must_not_include",
    "expect_status",
    "sources",
)
# The answer route that wrote an answer → the question type of the eval set.
ROUTE_TYPES = (
    ("not_found", "not_found"),
    ("unknown_province", "not_found"),
    ("target_comparison", "comparison"),
    ("target", "target"),
    ("deadline", "deadline"),
    ("reporting", "deadline"),
    ("duties", "responsibility"),
    ("duty", "responsibility"),
    ("responsible", "responsibility"),
    ("funding", "funding"),
    ("metadata", "metadata"),
    ("legal", "metadata"),
    ("task", "lead_unit"),
)


def question_type(record: FeedbackRecord) -> str:
    if record.history:
        return "followup"
    detail = record.route_detail or record.route
    return next((kind for prefix, kind in ROUTE_TYPES if prefix in detail), "other")


def eval_item(record: FeedbackRecord) -> dict[str, Any]:
    """The record as an eval-set question. A 👍 keeps the answer, its verified claims as must-include, its status
    and its quotes. A 👎 keeps the question only: answer, must-include and sources are left for the maintainer to
    write from the plan (an answer refused by the user must not become the gold one), and a refusal the user
    rejected expects an answer. The extra ``feedback`` field (ignored by the grader) says what was rejected."""
    liked = record.rating == "up"
    claims = [c.get("text", "") for c in record.verification.get("claims", []) if c.get("verified")]
    sources = [{"doc": c.get("plan_id", ""), "quote": c.get("quote", "")} for c in record.citations]
    if liked:
        expect = record.status or "answered"
    else:
        expect = "answered" if record.status == "not_found" else (record.status or "answered")
    item = {
        "id": f"fb{record.id:05d}" if record.id is not None else "fb",
        "question": record.question,
        "history": record.history,
        "province": record.province,
        "type": question_type(record),
        "answer": re.sub(r"\s*\[\d{1,3}\]", "", record.answer) if liked else "",
        "must_include": list(dict.fromkeys(claims)) if liked else [],
        "must_not_include": [],
        "expect_status": expect,
        "sources": sources if liked else [],
    }
    item["feedback"] = {
        "rating": record.rating,
        "comment": record.comment,
        "answer_given": record.answer,
        "status_given": record.status,
        "route": record.route_detail or record.route,
        "verification": record.verification.get("status", ""),
        "citations_given": sources,
        "created_at": record.created_at,
    }
    return item


def export_feedback(records: list[FeedbackRecord], fmt: ExportFormat) -> str:
    if fmt == "jsonl":
        return "".join(json.dumps(eval_item(r), ensure_ascii=False) + "\n" for r in records)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        row = record.to_dict()
        writer.writerow(
            [
                json.dumps(row[c], ensure_ascii=False)
                if isinstance(row[c], list | dict)
                else ("" if row[c] is None else row[c])
                for c in CSV_COLUMNS
            ]
        )
    return buffer.getvalue()
