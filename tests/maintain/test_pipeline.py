"""`corpus add` / `corpus remove`: the plan, its original, its facts and passages go in and out all at once."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.facts.store import FactStore
from assistant.ingest import IngestError
from assistant.maintain.pipeline import Ingester
from assistant.maintain.transaction import STAGING_PREFIX, Change, Paths, _apply, recover
from assistant.search.index import IndexManifest
from tests.ingest.conftest import PLANS_DIR, SLUGS

PLAN = PLANS_DIR / SLUGS[0] / "plan.txt"


def snapshot(*folders: Path) -> dict[str, str]:
    """Every file under the folders with its content hash (what "exactly as they were" compares)."""
    out = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture()
def workspace(tmp_path: Path, built_settings):
    corpus_dir, index_dir = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(built_settings.corpus_dir, corpus_dir)
    shutil.copytree(built_settings.index_dir, index_dir)
    return replace(built_settings, corpus_dir=corpus_dir, index_dir=index_dir)


def test_add_then_remove(workspace, tmp_path: Path) -> None:
    original = snapshot(workspace.corpus_dir)
    source = tmp_path / "ke-hoach-moi.txt"
    shutil.copy(PLAN, source)
    [report] = Ingester(workspace).add([source])
    assert report.plan_id == SLUGS[0] and report.format == "text"
    assert report.metadata["plan_number"] and report.facts["target"] > 0 and report.facts["task"] > 0
    assert report.seconds < 120  # about 10 s alone on 2 cores (README); slower while other tests run
    entries = {e["id"]: e for e in tomllib.loads((workspace.corpus_dir / "manifest.toml").read_text())["plan"]}
    # the manifest keeps what the text cannot say; metadata is read from the text
    assert set(entries[SLUGS[0]]) == {"id", "file", "source_file", "ocr"}
    assert (workspace.corpus_dir / "sources" / f"{SLUGS[0]}.txt").read_bytes() == PLAN.read_bytes()
    store = FactStore(workspace.facts_db)
    assert store.facts(plan_id=SLUGS[0], kind="task")
    assert SLUGS[0] in IndexManifest.read(workspace.index_dir / "retrieval").plans
    with pytest.raises(IngestError, match="--replace"):
        Ingester(workspace).add([source])
    Ingester(workspace).add([source], replace_existing=True)
    Ingester(workspace).remove(SLUGS[0])
    after = snapshot(workspace.corpus_dir)
    assert {k: v for k, v in after.items() if "/sources" not in k} == original
    assert SLUGS[0] not in IndexManifest.read(workspace.index_dir / "retrieval").plans
    assert not FactStore(workspace.facts_db).facts(plan_id=SLUGS[0])


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("bien-ban.txt", "Biên bản họp.\n\nNội dung khác.\n".encode(), ["mẫu kế hoạch"]),
        ("quang-tri.txt", None, ["--replace"]),
    ],
)
def test_bad_input_changes_nothing(workspace, tmp_path: Path, name: str, content: bytes | None, words) -> None:
    path = tmp_path / name
    if content is None:
        shutil.copy(workspace.corpus_dir / "quang-tri.txt", path)  # a province already in the corpus
    else:
        path.write_bytes(content)
    before = snapshot(workspace.corpus_dir, workspace.index_dir)
    with pytest.raises(IngestError) as error:
        Ingester(workspace).add([path])
    assert str(error.value).startswith(name) and all(w in str(error.value) for w in words)
    assert snapshot(workspace.corpus_dir, workspace.index_dir) == before
    assert not list(workspace.corpus_dir.parent.glob(f"{STAGING_PREFIX}*"))


def test_killed_midway_leaves_everything_as_it_was(workspace, tmp_path: Path) -> None:
    before = snapshot(workspace.corpus_dir, workspace.index_dir)
    env = dict(
        os.environ,
        ASSISTANT_CORPUS_DIR=str(workspace.corpus_dir),
        ASSISTANT_INDEX_DIR=str(workspace.index_dir),
        ASSISTANT_CACHE_DIR=str(workspace.cache_dir),
    )
    command = [str(Path(sys.executable).parent / "assistant"), "corpus", "add", str(PLAN)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    staging = None
    while time.monotonic() < deadline:
        found = list(workspace.corpus_dir.parent.glob(f"{STAGING_PREFIX}*-{process.pid}/index/facts.sqlite"))
        if found:
            staging = found[0].parent.parent
            break
        time.sleep(0.05)
    assert staging is not None
    assert process.poll() is None, "the add finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)  # mid-build: facts written, index being built
    process.wait()
    assert snapshot(workspace.corpus_dir, workspace.index_dir) == before
    recover(Paths(workspace.corpus_dir, workspace.index_dir))
    assert not staging.exists()
    Ingester(workspace).add([PLAN])  # and the next add goes through
    assert SLUGS[0] in {m["id"] for m in tomllib.loads((workspace.corpus_dir / "manifest.toml").read_text())["plan"]}


def test_a_commit_cut_short_is_finished_by_the_next_run(workspace) -> None:
    paths = Paths(workspace.corpus_dir, workspace.index_dir)
    change = Change(paths)
    (change.corpus / "extra.txt").write_text("staged", encoding="utf-8")
    shutil.copy(workspace.facts_db, change.index / "facts.sqlite")
    journal = {"staging": str(change.staging), "moves": [[str(change.corpus), str(workspace.corpus_dir)]]}
    paths.journal.write_text(__import__("json").dumps(journal), encoding="utf-8")
    # killed right after the commit point: the journal exists, no rename done yet
    recover(paths)
    assert (workspace.corpus_dir / "extra.txt").read_text(encoding="utf-8") == "staged"
    assert not paths.journal.exists() and not change.staging.exists()
    _ = _apply  # the same renames a normal commit performs
