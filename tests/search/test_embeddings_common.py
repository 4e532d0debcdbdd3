"""What the embedding modules share: one-sentence error parts, cosines, and atomic, locked folder builds."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.search.embeddings.common import build_once, cosine, first_sentence, make_readable, row_cosines


def test_first_sentence_keeps_the_type_and_the_first_sentence() -> None:
    assert first_sentence(OSError("No space left. Free some.\nDetails")) == "OSError: No space left"
    assert first_sentence(ValueError("")) == "ValueError"
    assert first_sentence(KeyError("x")) == "KeyError: 'x'"


def test_cosines() -> None:
    assert cosine(np.array([1.0, 0.0]), np.array([3.0, 0.0])) == pytest.approx(1.0)
    a = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 4.0]])
    b = np.array([[2.0, 0.0], [1.0, 0.0], [-3.0, -4.0]])
    np.testing.assert_allclose(row_cosines(a, b), [1.0, 0.0, -1.0])


def test_build_once_renames_a_finished_folder_into_place(tmp_path: Path) -> None:
    target = tmp_path / "cache" / "model"
    (tmp_path / "cache").mkdir()
    stale = tmp_path / "cache" / ".model.tmp-dead"  # left by a process that died mid-way
    stale.mkdir()

    def build(tmp: Path) -> str:
        assert tmp.parent == target.parent and tmp.name.startswith(".model.tmp-")
        (tmp / "weights").write_text("new")
        return "built"

    assert build_once(target, tmp_path / ".lock", lambda: None, build) == "built"
    assert (target / "weights").read_text() == "new" and not stale.exists()
    assert build_once(target, tmp_path / ".lock", lambda: "reused", build) == "reused"  # a done folder is kept
    assert [p.name for p in target.parent.iterdir()] == ["model"]

    def fail(tmp: Path) -> str:
        (tmp / "half").write_text("written")
        raise RuntimeError("verification failed")

    with pytest.raises(RuntimeError):
        build_once(target, tmp_path / ".lock", lambda: None, fail)
    assert (target / "weights").read_text() == "new"  # the previous folder stays; the half-built one is gone
    assert [p.name for p in target.parent.iterdir()] == ["model"]


def test_build_once_builds_once_for_concurrent_callers(tmp_path: Path) -> None:
    target = tmp_path / "model"
    built: list[int] = []

    def reuse() -> str | None:
        return "reused" if (target / "done").exists() else None

    def build(tmp: Path) -> str:
        built.append(threading.get_ident())
        time.sleep(0.2)
        (tmp / "done").write_text("")
        return "built"

    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(build_once(target, tmp_path / ".lock", reuse, build)))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built) == 1 and sorted(results) == ["built", "reused", "reused"]


def test_make_readable_opens_a_private_folder_to_every_user(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "model.onnx").write_bytes(b"")
    os.chmod(folder, 0o700)
    os.chmod(folder / "sub" / "model.onnx", 0o600)
    make_readable(folder)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.rglob("*")]}
    assert modes == {"export": 0o755, "sub": 0o755, "model.onnx": 0o644}
