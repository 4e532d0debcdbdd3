"""The feedback file: kept across restarts and rebuilds of the index, safe from many threads and processes."""

from __future__ import annotations

import multiprocessing
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.feedback.store import FeedbackRecord, FeedbackStore, FeedbackUnavailable
from assistant.healing import remove_leftovers


def _write(args: tuple[str, int]) -> None:
    path, worker = args
    store = FeedbackStore(Path(path))
    for n in range(25):
        store.add(FeedbackRecord(rating="up", question=f"câu {worker}-{n}"))


def test_add_list_comment(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    assert store.records() == [] and store.count() == 0
    first = store.add(
        FeedbackRecord(
            rating="down", question="Hạn báo cáo?", comment="<b>sai</b>", history=[{"role": "user", "content": "x"}]
        )
    )
    store.add(FeedbackRecord(rating="up", question="Chỉ tiêu 2025?"))
    assert first.id == 1 and first.created_at
    assert store.update(1, comment="đã sửa") and not store.update(99, comment="x") and not store.update(1)
    assert store.update(2, rating="down")
    records = store.records()
    assert (
        [r.id for r in records] == [2, 1] and records[1].comment == "đã sửa" and records[1].history[0]["role"] == "user"
    )
    assert [r.id for r in store.records(rating="down")] == [2, 1]


def test_kept_across_a_restart_and_a_rebuild(tmp_path: Path, corpus) -> None:
    from assistant.facts.store import build_facts_db

    index = tmp_path / "index"
    FeedbackStore(index / "feedback.sqlite").add(FeedbackRecord(rating="down", question="q"))
    (index / ".facts-999999-x.sqlite").write_text("left by a dead build")
    build_facts_db(corpus, index / "facts.sqlite")
    removed = remove_leftovers(index)
    assert removed == [".facts-999999-x.sqlite"]
    assert [r.question for r in FeedbackStore(index / "feedback.sqlite").records()] == ["q"]  # a new process, same rows


def test_a_hundred_writes_from_threads_and_processes_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite"
    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(lambda n: FeedbackStore(path).add(FeedbackRecord(rating="up", question=f"t{n}")), range(100)))
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.map(_write, [(str(path), w) for w in range(4)])
    questions = {r.question for r in FeedbackStore(path).records()}
    assert len(questions) == 200 and {f"t{n}" for n in range(100)} <= questions
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_an_unwritable_place_is_one_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(FeedbackUnavailable, match=r"ASSISTANT_FEEDBACK_DB\)\.$"):
        FeedbackStore(blocker / "feedback.sqlite").add(FeedbackRecord(rating="up", question="q"))
