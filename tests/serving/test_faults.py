"""Fault injection on temp copies of corpus/ and index/: each fault, then one start, then every answer must be right
or an honest refusal (or a 503 while loading), never wrong; and that one start must have healed (a second start
rebuilds nothing).

Faults: a plan edited without a build; a value changed inside facts.sqlite; each index file emptied, garbled or
truncated; a build killed midway and the temp files of interrupted builds; a swap cut between its renames; a
read-only index folder (fresh, and stale); a bad manifest entry; a full disk; keys set and every Gradio route
called without them. Every case is bounded in time (subprocesses have timeouts).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.routing import Mount

from assistant.config import ApiConfig, Settings
from assistant.engine import AnswerEngine
from assistant.errors import StorageError
from assistant.schema import Answer
from assistant.search.index import IndexBuilder
from assistant.serving.access import LOGIN_PATHS, PUBLIC_PATHS
from assistant.serving.selftest import load_ready_engine
from assistant.serving.server import create_app
from assistant.verification.evidence import check_evidence
from tests.conftest import REPO
from tests.serving.conftest import page_client

AI_2025 = "Mục tiêu năm 2025 của Lai Châu về ứng dụng AI là bao nhiêu?"
AI_PLAN_SENTENCE = "67% cơ quan báo chí tỉnh sử dụng nền tảng phân tích"


@dataclass(frozen=True)
class Probe:
    question: str
    expected: str  # must be in a right answer
    forbidden: str = ""  # must never be in an answer


PROBES = (
    Probe(AI_2025, "67%"),
    Probe("Ai chủ trì nhiệm vụ 5.1 ở Lai Châu?", "Sở Thông tin và Truyền thông"),
    Probe("Đến năm 2025, bao nhiêu phần trăm cơ quan báo chí Quảng Trị phải đưa nội dung lên nền tảng số?", "75%"),
    Probe("muc tieu 2030 cua thai binh ve doanh thu", "50%"),
    Probe("Hạn báo cáo hằng năm của Thừa Thiên Huế là ngày nào?", "01/11"),
)
REFUSAL = "thời tiết hôm nay thế nào?"
SUBPROCESS_TIMEOUT_S = 180


def verdict(engine: AnswerEngine, answer: Answer, probe: Probe) -> str:
    """right | refusal | wrong: right means the expected value, sound evidence, and a verified badge."""
    if answer.status == "not_found" and not answer.citations:
        return "refusal"
    evidence = check_evidence(answer.citations, [], engine.corpus)
    if (
        answer.status == "answered"
        and probe.expected in answer.answer
        and not (probe.forbidden and probe.forbidden in answer.answer)
        and answer.verification.status in ("verified", "partially_verified")
        and not evidence
    ):
        return "right"
    return "wrong"


def ask_all(engine: AnswerEngine, probes=PROBES) -> dict[str, str]:
    results = {p.question: verdict(engine, engine.answer(p.question), p) for p in probes}
    assert engine.answer(REFUSAL).status == "not_found"
    return results


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, built_settings) -> Settings:
    """A corpus and an index (facts, retrieval, caches) built once; each test works on its own copy."""
    root = tmp_path_factory.mktemp("pristine")
    shutil.copytree(REPO / "corpus", root / "corpus")
    shutil.copytree(built_settings.index_dir, root / "index")
    settings = replace(built_settings, corpus_dir=root / "corpus", index_dir=root / "index")
    AnswerEngine.load(settings).close()  # writes the corpus cache and checks everything once
    return settings


def copy_of(pristine: Settings, tmp_path: Path, corpus: bool = False) -> Settings:
    """A copy of the index (and, for a test that edits it, of the corpus; the shared corpus is only read)."""
    shutil.copytree(pristine.index_dir, tmp_path / "index")
    if not corpus:
        return replace(pristine, index_dir=tmp_path / "index")
    shutil.copytree(pristine.corpus_dir, tmp_path / "corpus")
    return replace(pristine, corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")


def rebuild_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "cannot be served" in r.getMessage()]


def start_and_check(settings: Settings, embedder, caplog, expect_rebuild: bool = True) -> list[str]:
    """One start (as the server does it), the probes, then a second start that must rebuild nothing."""
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        engine = load_ready_engine(settings, embedder)
    try:
        results = ask_all(engine)
    finally:
        engine.close()
    first = rebuild_lines(caplog)
    assert set(results.values()) == {"right"}, results
    if expect_rebuild:
        assert first, "the fault was not noticed"
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        again = AnswerEngine.load(settings, embedder=embedder)
    again.close()
    assert rebuild_lines(caplog) == [], "one start did not heal everything"
    return first


# -- stale data -------------------------------------------------------------------------------------------
def test_an_edited_plan_is_never_served_stale(pristine, tmp_path, embedder, caplog) -> None:
    settings = copy_of(pristine, tmp_path, corpus=True)
    plan = settings.corpus_dir / "lai-chau.txt"
    text = plan.read_text(encoding="utf-8")
    assert text.count(AI_PLAN_SENTENCE) == 1
    plan.write_text(text.replace(AI_PLAN_SENTENCE, AI_PLAN_SENTENCE.replace("67%", "70%")), encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        engine = load_ready_engine(settings, embedder)
    try:
        answer = engine.answer(AI_2025)
        assert verdict(engine, answer, Probe(AI_2025, "70%", forbidden="67%")) == "right", answer.answer
        assert any("70%" in c.quote for c in answer.citations)
        others = ask_all(engine, PROBES[1:])
        assert set(others.values()) == {"right"}, others
    finally:
        engine.close()
    lines = rebuild_lines(caplog)
    assert any("Facts table" in line and "plan lai-chau changed" in line for line in lines), lines
    assert any("Retrieval index" in line and "plan lai-chau changed" in line for line in lines), lines
    again = AnswerEngine.load(settings, embedder=embedder)
    assert "70%" in again.answer(AI_2025).answer
    again.close()


def test_a_value_changed_inside_the_facts_table_is_rebuilt(pristine, tmp_path, embedder, caplog) -> None:
    settings = copy_of(pristine, tmp_path)
    with sqlite3.connect(settings.facts_db) as connection:
        changed = connection.execute(
            "UPDATE facts SET value = 97, value_text = '97%' WHERE plan_id = 'lai-chau' AND value = 67"
        ).rowcount
    assert changed > 0
    lines = start_and_check(settings, embedder, caplog)
    assert any("checksum" in line for line in lines), lines


# -- damaged files ------------------------------------------------------------------------------------
def damage(path: Path, mode: str) -> None:
    data = path.read_bytes()
    if mode == "empty":
        path.write_bytes(b"")
    elif mode == "truncate":
        path.write_bytes(data[: len(data) // 2])
    else:  # garble: overwrite a run of bytes in the middle with noise
        noisy = bytearray(data)
        rng = random.Random(len(data))
        start = len(data) // 3
        for i in range(start, min(len(data), start + 512)):
            noisy[i] = rng.randrange(256)
        path.write_bytes(bytes(noisy))


def garbage_indices(path: Path) -> None:
    """The issue's case: garbage inside one BM25 array, of the right type and length (out-of-range doc ids)."""
    indices = np.load(path)
    indices[::7] = 10**6
    np.save(path, indices)


DAMAGE = [
    ("facts.sqlite", "garble"),
    ("facts.sqlite", "truncate"),
    ("corpus.pickle", "garble"),
    ("embeddings.cache", "truncate"),
    ("retrieval/manifest.json", "empty"),
    ("retrieval/passages.json", "truncate"),
    ("retrieval/vectors.npy", "garble"),
    ("retrieval/syllables.pickle", "empty"),
    ("retrieval/bm25/data.csc.index.npy", "garble"),
    ("retrieval/bm25/indices.csc.index.npy", "garbage"),
    ("retrieval/bm25/indptr.csc.index.npy", "empty"),
    ("retrieval/bm25/vocab.index.json", "truncate"),
    ("retrieval/bm25/params.index.json", "garble"),
    ("retrieval/chroma-*/chroma.sqlite3", "empty"),
    ("retrieval/chroma-*/chroma.sqlite3", "garble"),
    ("retrieval/chroma-*/*/data_level0.bin", "garble"),
]


@pytest.mark.parametrize(("pattern", "mode"), DAMAGE, ids=[f"{p.split('/')[-1]}-{m}" for p, m in DAMAGE])
def test_a_damaged_file_is_healed_in_one_start(pristine, tmp_path, embedder, caplog, pattern, mode) -> None:
    settings = copy_of(pristine, tmp_path)
    paths = sorted(settings.index_dir.glob(pattern))
    assert len(paths) == 1, pattern
    if mode == "garbage":
        garbage_indices(paths[0])
    else:
        damage(paths[0], mode)
    # The caches are not served (a damaged one is only rebuilt), and Chroma ignores its HNSW files at this size:
    # for those, right answers and a clean second start are what matters.
    noticed = not pattern.endswith((".pickle", ".cache", ".bin")) or pattern.endswith("syllables.pickle")
    start_and_check(settings, embedder, caplog, expect_rebuild=noticed)


def test_every_index_file_damaged_at_once(pristine, tmp_path, embedder, caplog) -> None:
    settings = copy_of(pristine, tmp_path)
    for path in sorted(settings.index_dir.rglob("*")):
        if path.is_file() and path.name not in ("README.md", "embeddings.cache"):  # that one only costs time
            damage(path, "garble")
    start_and_check(settings, embedder, caplog)


def test_the_server_heals_a_damaged_store_without_a_restart(pristine, tmp_path, embedder) -> None:
    """The reported failures: an emptied Chroma database stayed 503 until a restart, and garbage in a BM25 array
    gave /readyz 200 beside answers that were 500. One start now serves right answers."""
    settings = copy_of(pristine, tmp_path)
    damage(next(settings.index_dir.glob("retrieval/chroma-*/chroma.sqlite3")), "empty")
    garbage_indices(settings.index_dir / "retrieval" / "bm25" / "indices.csc.index.npy")
    app = create_app(
        settings, config=ApiConfig(rate_limit=0), ui=False, load=lambda: load_ready_engine(settings, embedder)
    )
    with TestClient(app) as client:
        deadline = time.monotonic() + 120
        while (ready := client.get("/readyz")).status_code != 200:
            assert ready.status_code == 503 and ready.json()["error"]["code"] == "not_ready", ready.text
            answer = client.post("/v1/answer", json={"question": AI_2025})
            if answer.status_code == 200:  # it turned ready just now: then the answer is right
                loaded = app.state.engine_loader.get()
                assert verdict(loaded, Answer.model_validate(answer.json()), PROBES[0]) == "right"
            else:  # while it heals: an honest 503, never a wrong answer
                assert answer.status_code == 503 and answer.headers["Retry-After"], answer.text
            assert time.monotonic() < deadline, "the server never became ready"
            time.sleep(0.1)
        engine = app.state.engine_loader.get()
        for probe in PROBES:
            response = client.post("/v1/answer", json={"question": probe.question})
            assert response.status_code == 200
            assert verdict(engine, Answer.model_validate(response.json()), probe) == "right"
        engine.close()


def test_a_failing_self_test_rebuilds_once(pristine, tmp_path, embedder, monkeypatch, caplog) -> None:
    settings = copy_of(pristine, tmp_path)
    from assistant.serving import selftest

    calls: list[int] = []
    real = selftest.self_test

    def failing_once(engine):
        calls.append(1)
        return ["simulated: an answer came back wrong"] if len(calls) == 1 else real(engine)

    monkeypatch.setattr(selftest, "self_test", failing_once)
    with caplog.at_level(logging.WARNING):
        engine = selftest.load_ready_engine(settings, embedder)
    try:
        assert len(calls) == 2 and set(ask_all(engine).values()) == {"right"}
        assert any("a rebuild was asked for" in line for line in rebuild_lines(caplog))
    finally:
        engine.close()


# -- interrupted builds -------------------------------------------------------------------------------------
def _cli(settings: Settings, *args: str, wrapper: list[str] | None = None) -> list[str]:
    return [*(wrapper or []), sys.executable, "-c", "from assistant.cli.main import app; app()", *args]


def _env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_CHROMA_HOST": "",
    }


def test_a_build_killed_midway_leaves_a_usable_index(pristine, tmp_path, embedder, caplog) -> None:
    settings = copy_of(pristine, tmp_path)
    process = subprocess.Popen(
        _cli(settings, "index", "build", "--force"),
        env=_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + SUBPROCESS_TIMEOUT_S
        staging: list[Path] = []
        while not staging and process.poll() is None and time.monotonic() < deadline:
            staging = [p for p in settings.index_dir.glob("retrieval.new-*") if any(p.iterdir())]
            time.sleep(0.005)
        assert staging, "the build finished or failed before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)
    assert staging[0].exists()  # what a killed build leaves behind
    start_and_check(settings, embedder, caplog, expect_rebuild=False)
    assert not list(settings.index_dir.glob("retrieval.new-*"))


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=30)
    return child.pid


def test_temp_files_of_interrupted_builds_are_removed(pristine, tmp_path, embedder, caplog) -> None:
    settings = copy_of(pristine, tmp_path)
    dead = _dead_pid()
    leftovers = [
        settings.index_dir / f".facts-{dead}-x1y2.sqlite",
        settings.index_dir / f".corpus.pickle.{dead}.tmp",
        settings.index_dir / f"retrieval.new-{dead}" / "passages.json",
    ]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half written")
    live = settings.index_dir / f".facts-{os.getpid()}-live.sqlite"  # a build of a live process is left alone
    live.write_bytes(b"in progress")
    start_and_check(settings, embedder, caplog, expect_rebuild=False)
    assert not any(p.exists() for p in leftovers) and not (settings.index_dir / f"retrieval.new-{dead}").exists()
    assert live.exists()


def test_a_swap_cut_between_its_renames_is_restored(pristine, tmp_path, embedder, caplog) -> None:
    settings = copy_of(pristine, tmp_path)
    os.replace(settings.index_dir / "retrieval", settings.index_dir / f"retrieval.old-{_dead_pid()}")
    start_and_check(settings, embedder, caplog, expect_rebuild=False)
    assert (settings.index_dir / "retrieval" / "manifest.json").is_file()
    assert not list(settings.index_dir.glob("retrieval.old-*"))


# -- a read-only index folder ----------------------------------------------------------------------------
READ_ONLY_SCRIPT = """
import json, os, sys
from dataclasses import replace
from pathlib import Path
from assistant.config import load_settings
from assistant.serving.selftest import load_ready_engine
out = {}
for pair in sys.argv[2:]:
    corpus, index = pair.split(",")
    engine = load_ready_engine(replace(load_settings(), corpus_dir=Path(corpus), index_dir=Path(index)))
    writable = os.access(index, os.W_OK) and os.geteuid() != 0
    out[index] = {"answer": engine.answer(sys.argv[1]).answer, "notes": engine.notes, "writable": writable}
    engine.close()
print(json.dumps(out, ensure_ascii=False))
"""


def _read_only_wrapper(folders: list[Path]) -> list[str] | None:
    """A command prefix that runs the child with ``folders`` read-only: chmod for a normal user; for root (who
    writes through permissions) a private mount namespace with read-only bind mounts. None when neither works."""
    if os.geteuid() != 0:
        for folder in folders:
            for path in [folder, *folder.rglob("*")]:
                path.chmod(path.stat().st_mode & ~0o222)
        return []
    unshare = shutil.which("unshare")
    if not unshare:
        return None
    binds = " && ".join(f"mount --bind -o ro '{f}' '{f}'" for f in folders)
    probe = subprocess.run([unshare, "-m", "--propagation", "private", "sh", "-c", binds], capture_output=True)
    if probe.returncode != 0:
        return None
    return [unshare, "-m", "--propagation", "private", "sh", "-c", f'{binds} && exec "$0" "$@"']


def test_a_read_only_index_folder_serves_and_says_a_build_is_needed(pristine, tmp_path) -> None:
    fresh = copy_of(pristine, tmp_path / "fresh")
    stale = copy_of(pristine, tmp_path / "stale", corpus=True)
    plan = stale.corpus_dir / "lai-chau.txt"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace(AI_PLAN_SENTENCE, AI_PLAN_SENTENCE.replace("67%", "70%")),
        encoding="utf-8",
    )
    before = {p: p.stat().st_mtime_ns for folder in (fresh, stale) for p in folder.index_dir.rglob("*")}
    wrapper = _read_only_wrapper([fresh.index_dir, stale.index_dir])
    if wrapper is None:
        pytest.skip("cannot make a folder read-only here (root without mount namespaces)")
    pairs = [f"{s.corpus_dir},{s.index_dir}" for s in (fresh, stale)]
    try:
        done = subprocess.run(
            [*wrapper, sys.executable, "-c", READ_ONLY_SCRIPT, AI_2025, *pairs],
            env={**_env(fresh), "ASSISTANT_LOG_LEVEL": "WARNING"},
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_TIMEOUT_S,
        )
    finally:
        for folder in (fresh.index_dir, stale.index_dir):
            for path in [folder, *folder.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    served_fresh, served_stale = out[str(fresh.index_dir)], out[str(stale.index_dir)]
    assert not served_fresh["writable"] and not served_stale["writable"]
    assert "67%" in served_fresh["answer"] and served_fresh["notes"] == []  # served as built
    assert "70%" in served_stale["answer"] and "67%" not in served_stale["answer"]  # never stale
    assert served_stale["notes"] and all("assistant index build" in note for note in served_stale["notes"])
    after = {p: p.stat().st_mtime_ns for folder in (fresh, stale) for p in folder.index_dir.rglob("*")}
    assert after == before  # nothing was written in the read-only folders


# -- a bad manifest entry, a full disk ---------------------------------------------------------------------
def test_a_bad_manifest_entry_skips_that_plan_only(pristine, tmp_path, embedder) -> None:
    settings = copy_of(pristine, tmp_path, corpus=True)
    with (settings.corpus_dir / "manifest.toml").open("a", encoding="utf-8") as manifest:
        manifest.write('\n[[plan]]\nid = "ha-noi"\nprovince = "Hà Nội"\n')  # no file
    engine = load_ready_engine(settings, embedder)
    app = create_app(settings, engine=engine, config=ApiConfig(rate_limit=0), ui=False)
    with TestClient(app) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["plans"] == 4
        assert "thiếu file" in ready.json()["skipped"]["ha-noi"]
        assert set(ask_all(engine).values()) == {"right"}
    engine.close()


def test_a_full_disk_is_one_sentence(pristine, tmp_path, embedder, monkeypatch) -> None:
    settings = copy_of(pristine, tmp_path)

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "save", full)
    with pytest.raises(StorageError, match="Ổ đĩa chứa .* đã đầy; hãy giải phóng dung lượng"):
        IndexBuilder(settings).build(AnswerEngine.load(settings, embedder=embedder).corpus, embedder, force=True)
    assert (settings.index_dir / "retrieval" / "manifest.json").is_file()  # the built index is untouched
    assert not list(settings.index_dir.glob("retrieval.new-*"))


def test_a_really_full_disk_stops_the_cli_with_one_sentence(pristine, tmp_path) -> None:
    """On a tiny tmpfs (a private mount namespace; skipped where that is not allowed): the corpus cache cannot be
    kept (a warning), then the facts table cannot be written."""
    unshare = shutil.which("unshare")
    if os.geteuid() != 0 or not unshare:
        pytest.skip("needs root and unshare to mount a tiny file system")
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    settings = replace(copy_of(pristine, tmp_path), index_dir=mount_point)
    mount = f"mount -t tmpfs -o size=64k tmpfs '{mount_point}'"
    wrapper = [unshare, "-m", "--propagation", "private", "sh", "-c", mount + ' && exec "$0" "$@"']
    probe = subprocess.run([*wrapper, "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("mount namespaces are not allowed here")
    done = subprocess.run(
        _cli(settings, "index", "build", wrapper=wrapper),
        env=_env(settings),
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_S,
    )
    assert done.returncode == 1
    assert "Ổ đĩa chứa" in done.stderr and "đã đầy" in done.stderr, done.stderr[-2000:]
    assert "Traceback" not in done.stderr + done.stdout


# -- keys set: every Gradio route -------------------------------------------------------------------------
def _routes(app) -> list[tuple[str, str]]:
    """(method, path) of every route of the mounted chat page (Gradio), however FastAPI nests them."""
    found: list[tuple[str, str]] = []

    def walk(routes, prefix: str) -> None:
        for route in routes:
            if hasattr(route, "original_router"):  # an included router (newer FastAPI)
                walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif hasattr(route, "path"):
                for method in sorted(getattr(route, "methods", None) or {"GET"}):
                    found.append((method, prefix + route.path))

    mount = next(r for r in app.routes if isinstance(r, Mount))
    walk(mount.app.routes, "")
    return found


def _concrete(path: str) -> str:
    for placeholder, value in (
        ("{path:path}", "x.js"),
        ("{path_or_url:path}", "/etc/hostname"),
        ("{url_path:path}", "https://example.org/"),
        ("{api_name}", "respond"),
        ("{event_id}", "0"),
        ("{session_hash}", "s"),
        ("{id}", "0"),
        ("{size}", "64"),
        ("{key}", "k"),
    ):
        path = path.replace(placeholder, value)
    return path if "{" not in path else path.split("{", 1)[0] + "x"


def test_with_keys_every_gradio_route_needs_the_key(pristine, engine) -> None:
    app = create_app(engine=engine, config=ApiConfig(api_keys=frozenset({"k-1"}), rate_limit=0))
    with page_client(app) as client:
        routes = _routes(app)
        paths = {path for _, path in routes}
        assert len(routes) > 50 and {"/gradio_api/queue/join", "/gradio_api/upload", "/config"} <= paths
        open_paths = {*LOGIN_PATHS, *PUBLIC_PATHS, "/login/"}  # the server's own (the API's OpenAPI shadows Gradio's)
        for method, path in routes:
            if path in open_paths or method == "HEAD":
                continue
            response = client.request(method, _concrete(path), json={"data": []}, follow_redirects=False)
            assert response.status_code in (401, 303), (method, path, response.status_code, response.text[:200])
            assert "event_id" not in response.text and "/tmp/" not in response.text
        headers = {"Authorization": "Bearer k-1"}
        upload = client.post("/gradio_api/upload", files={"files": ("a.txt", b"x" * 20_000_000)}, headers=headers)
        assert upload.status_code in (403, 413) and "/tmp" not in upload.text
        assert client.get("/config", headers=headers).status_code == 200
        call = client.post(
            "/gradio_api/call/respond", json={"data": [AI_2025, [], [], "Tất cả các tỉnh"]}, headers=headers
        )
        assert call.status_code == 200 and "event_id" in call.json()
