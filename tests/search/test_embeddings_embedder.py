"""The run-time embedder: the query vector cache and the backend setting (no model needed), then the session's
model through the API the application uses, and the one-sentence errors of models that cannot be used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest

from assistant.config import load_settings
from assistant.domain.normalize import fold
from assistant.errors import ConfigError, EmbeddingModelNotFound
from assistant.search.embeddings import Embedder as ReExported
from assistant.search.embeddings.common import BACKEND_ENV, cosine
from assistant.search.embeddings.embedder import BACKENDS, Embedder, QueryCache, resolve_backend
from assistant.search.embeddings.materialize import Manifest
from assistant.search.embeddings.onnx_export import ONNX_DIR
from tests.search.embedding_texts import PASSAGES, REPO, TRAINING, one_helpful_sentence, stamps

#: Modules a process that loads an already-exported model must not import (they cost ~11 s).
HEAVY_MODULES = ("sentence_transformers", "transformers", "torch", "sklearn", "scipy")


class FakeEncoder:
    """Stands in for an :class:`OnnxEncoder`: a vector per (prompt, text), derived from the text; counts calls."""

    dimension = 4

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset
        self.calls: list[tuple[list[str], str | None]] = []
        self.lock = threading.Lock()

    def vector(self, text: str, prompt_name: str | None) -> np.ndarray:
        seed = zlib.crc32(f"{prompt_name}|{text}".encode())
        row = np.random.default_rng(seed).normal(size=self.dimension) + self.offset
        return (row / np.linalg.norm(row)).astype(np.float32)

    def encode(self, texts: list[str], prompt_name: str | None, batch_size: int = 32) -> np.ndarray:
        with self.lock:
            self.calls.append((list(texts), prompt_name))
        return np.vstack([self.vector(t, prompt_name) for t in texts])


def _fake_embedder(cache_size: int = 8, int8: bool = False) -> Embedder:
    return Embedder(
        model=None,
        folder=Path("."),
        name="fake@0",
        query_prompt="query",
        passage_prompt="passage",
        backend="onnx-int8" if int8 else "onnx",
        onnx=FakeEncoder(),
        query_onnx=FakeEncoder(offset=0.1) if int8 else None,
        query_cache=QueryCache(cache_size),
    )


# ---------------------------------------------------------------- the query cache


def test_query_cache_keeps_the_most_recently_used_vectors() -> None:
    cache = QueryCache(2)
    a, b, c = (np.full(3, v, dtype=np.float32) for v in (1.0, 2.0, 3.0))
    cache.put("a", a)
    cache.put("b", b)
    assert cache.get("a") is not None  # "a" is now the most recent, "b" the least
    cache.put("c", c)
    assert cache.get("b") is None and len(cache) == 2
    np.testing.assert_array_equal(cache.get("a"), a)
    np.testing.assert_array_equal(cache.get("c"), c)
    assert (cache.hits, cache.misses) == (3, 1)
    a[:] = 9.0  # the cache holds its own, read-only copy
    stored = cache.get("a")
    assert stored[0] == 1.0 and not stored.flags.writeable
    cache.put("a", np.zeros(3))  # putting again replaces
    assert cache.get("a")[0] == 0.0
    cache.clear()
    assert len(cache) == 0 and (cache.hits, cache.misses) == (0, 0)
    nothing = QueryCache(0)
    nothing.put("a", a)
    assert nothing.get("a") is None and len(nothing) == 0


def test_query_cache_is_safe_across_threads() -> None:
    cache = QueryCache(16)
    texts = [f"q{i}" for i in range(64)]
    errors: list[str] = []

    def work(worker: int) -> None:
        for n in range(2000):
            text = texts[(n * 7 + worker) % len(texts)]
            vector = cache.get(text)
            if vector is None:
                cache.put(text, np.full(4, float(text[1:]), dtype=np.float32))
            elif vector[0] != float(text[1:]):
                errors.append(text)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(cache) == 16
    assert cache.hits + cache.misses == 8 * 2000


def test_embedder_embeds_a_query_once_and_returns_fresh_arrays() -> None:
    embedder = _fake_embedder()
    encoder = embedder.onnx
    first = embedder.embed_queries(["mục tiêu", "kinh phí", "mục tiêu"])
    assert encoder.calls == [(["mục tiêu", "kinh phí"], "query")]  # a repeat within one call is embedded once
    np.testing.assert_array_equal(first[0], first[2])
    np.testing.assert_array_equal(first[1], encoder.vector("kinh phí", "query"))
    again = embedder.embed_queries(["kinh phí", "ai chủ trì"])
    assert encoder.calls[1:] == [(["ai chủ trì"], "query")]
    np.testing.assert_array_equal(again[0], first[1])
    assert again.dtype == np.float32 and again.shape == (2, 4) and again.flags.c_contiguous and again.flags.writeable
    again[:] = 0.0  # the caller's array is its own
    np.testing.assert_array_equal(embedder.embed_queries(["kinh phí"])[0], first[1])
    assert (embedder.query_cache.hits, embedder.query_cache.misses) == (2, 4)
    embedder.embed_passages(["kinh phí"])
    embedder.embed_passages(["kinh phí"])
    assert encoder.calls[-2:] == [(["kinh phí"], "passage")] * 2  # passages are never cached
    assert embedder.embed_queries([]).shape == (0, 4)
    with pytest.raises(TypeError):
        embedder.embed_queries("not a list")  # type: ignore[arg-type]


def test_embedder_cache_serves_parallel_answers() -> None:
    """The engine answers in parallel threads: every thread gets each text's own vector, whatever the timing."""
    embedder = _fake_embedder(cache_size=32)
    texts = [f"câu hỏi {i}" for i in range(48)]
    expected = {t: embedder.onnx.vector(t, "query") for t in texts}
    wrong: list[str] = []

    def work(worker: int) -> None:
        for n in range(300):
            text = texts[(n * 5 + worker) % len(texts)]
            if not np.array_equal(embedder.embed_queries([text])[0], expected[text]):
                wrong.append(text)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not wrong and len(embedder.query_cache) == 32
    assert embedder.query_cache.hits > 0


def test_int8_backend_embeds_queries_with_its_own_encoder() -> None:
    embedder = _fake_embedder(int8=True)
    query = embedder.embed_queries(["mục tiêu"])[0]
    np.testing.assert_array_equal(query, embedder.query_onnx.vector("mục tiêu", "query"))
    np.testing.assert_array_equal(embedder.embed_passages(["mục tiêu"])[0], embedder.onnx.vector("mục tiêu", "passage"))
    assert [c[1] for c in embedder.onnx.calls] == ["passage"] and [c[1] for c in embedder.query_onnx.calls] == ["query"]


# ---------------------------------------------------------------- the backend setting


def test_backend_names_and_aliases() -> None:
    assert BACKENDS == ("auto", "onnx", "onnx-int8", "sentence-transformers")
    for raw, backend in (
        ("", "auto"),
        (" AUTO ", "auto"),
        ("onnxruntime", "onnx"),
        ("ONNX_INT8", "onnx-int8"),
        ("int8", "onnx-int8"),
        ("st", "sentence-transformers"),
        ("torch", "sentence-transformers"),
        ("sentence_transformers", "sentence-transformers"),
    ):
        assert resolve_backend(raw) == backend, raw
    with pytest.raises(EmbeddingModelNotFound) as info:
        resolve_backend("tensorrt")
    message = one_helpful_sentence(info.value, BACKEND_ENV)
    assert "'tensorrt'" in message and "'onnx-int8'" in message and "'sentence-transformers'" in message


def test_backend_is_read_by_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BACKEND_ENV, raising=False)
    assert load_settings().embedding_backend == "auto"
    monkeypatch.setenv(BACKEND_ENV, " onnx-int8 ")
    assert load_settings().embedding_backend == "onnx-int8"
    config = (REPO / "assistant" / "config.py").read_text(encoding="utf-8")
    assert f"| {BACKEND_ENV}   | auto " in config  # the documented default
    sources = [p for p in (REPO / "assistant").rglob("*.py") if p.name != "config.py"]
    assert not [p for p in sources if "os.environ.get(BACKEND_ENV" in p.read_text(encoding="utf-8")]


def test_unknown_backend_raises_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BACKEND_ENV, "tensorrt")
    with pytest.raises(EmbeddingModelNotFound) as info:
        Embedder.load(cache_dir=tmp_path)
    message = one_helpful_sentence(info.value, BACKEND_ENV)
    assert "'tensorrt'" in message and "sentence-transformers" in message
    assert not list(tmp_path.iterdir()), "nothing is materialized for a bad backend"


# ---------------------------------------------------------------- the session's model


def test_embedder_loads_default_model_from_settings(onnx_embedder: Embedder, materialized: tuple[Path, float]) -> None:
    folder, _ = materialized
    assert ReExported is Embedder
    assert onnx_embedder.folder == folder
    assert onnx_embedder.backend == "onnx" and onnx_embedder.model is None and onnx_embedder.onnx is not None
    assert onnx_embedder.query_onnx is None
    assert onnx_embedder.dimension == 384
    assert onnx_embedder.name == Manifest.read(folder).name
    assert onnx_embedder.query_prompt == "query" and onnx_embedder.passage_prompt == "passage"
    assert onnx_embedder.onnx.prompt("query") == "query: " and onnx_embedder.onnx.prompt("passage") == "passage: "


def test_sentence_transformers_backend_can_be_forced(st_embedder: Embedder, onnx_embedder: Embedder) -> None:
    assert st_embedder.backend == "sentence-transformers" and st_embedder.onnx is None
    assert st_embedder.name == onnx_embedder.name  # indexes built with one backend are searched with the other
    assert st_embedder.dimension == onnx_embedder.dimension == 384
    assert (st_embedder.query_prompt, st_embedder.passage_prompt) == ("query", "passage")
    assert st_embedder.model.dtype == __import__("torch").float32
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"


def test_embeddings_are_normalized_float32(onnx_embedder: Embedder) -> None:
    q = onnx_embedder.embed_queries(["mục tiêu đào tạo cán bộ", "Năm 2025"])
    p = onnx_embedder.embed_passages(PASSAGES)
    for arr, n in ((q, 2), (p, 3)):
        assert arr.dtype == np.float32 and arr.shape == (n, 384)
        np.testing.assert_allclose(np.linalg.norm(arr, axis=1), 1.0, atol=1e-5)
    assert onnx_embedder.embed_queries([]).shape == (0, 384)


def test_cached_query_vector_is_the_one_embedded(onnx_embedder: Embedder) -> None:
    text = "Sở nào chủ trì kế hoạch chuyển đổi số báo chí?"
    first = onnx_embedder.embed_queries([text])
    hits = onnx_embedder.query_cache.hits
    np.testing.assert_array_equal(onnx_embedder.embed_queries([text]), first)
    assert onnx_embedder.query_cache.hits == hits + 1
    np.testing.assert_array_equal(onnx_embedder.onnx.encode([text], "query"), first)  # bit for bit


def test_query_and_passage_prompts_differ(onnx_embedder: Embedder) -> None:
    text = "chuyển đổi số báo chí"
    assert cosine(onnx_embedder.embed_queries([text])[0], onnx_embedder.embed_passages([text])[0]) < 0.9999


def test_vietnamese_query_ranks_the_right_passage_first(onnx_embedder: Embedder) -> None:
    scores = onnx_embedder.embed_passages(PASSAGES) @ onnx_embedder.embed_queries(["mục tiêu đào tạo cán bộ"])[0]
    assert PASSAGES[int(np.argmax(scores))] == TRAINING, scores


def test_query_without_diacritics_still_embeds(onnx_embedder: Embedder) -> None:
    plain, accented = onnx_embedder.embed_queries(["muc tieu dao tao can bo", "mục tiêu đào tạo cán bộ"])
    assert np.isfinite(plain).all() and abs(np.linalg.norm(plain) - 1.0) < 1e-5
    assert cosine(plain, accented) > 0.75
    folded = [fold(p) for p in PASSAGES]
    scores = onnx_embedder.embed_passages(folded) @ plain
    assert folded[int(np.argmax(scores))] == fold(TRAINING), scores


def test_local_folder_loads_as_any_other_model(
    onnx_embedder: Embedder, materialized: tuple[Path, float], digest_before_export: str, tmp_path: Path
) -> None:
    """By path, the materialized folder reuses its export, and its name ignores the export's files."""
    folder, _ = materialized
    other = Embedder.load(str(folder), cache_dir=tmp_path)
    assert other.folder == folder.resolve()
    assert other.name == f"{folder}@{digest_before_export[:12]}" and other.name != onnx_embedder.name
    assert other.backend == "onnx" and other.onnx.export_dir == folder / ONNX_DIR
    assert not list(tmp_path.iterdir()), "a second export was written"
    text = ["mục tiêu đào tạo cán bộ"]
    np.testing.assert_allclose(other.embed_queries(text), onnx_embedder.embed_queries(text), atol=1e-6)


def test_fresh_process_with_a_warm_cache_loads_without_sentence_transformers(
    onnx_embedder: Embedder, e5_cache: Path, materialized: tuple[Path, float]
) -> None:
    folder, _ = materialized
    before = stamps(folder)
    code = (
        "import json, sys, time\n"
        "started = time.perf_counter()\n"
        "from assistant.search.embeddings import Embedder\n"
        "e = Embedder.load()\n"
        "seconds = time.perf_counter() - started\n"
        "v = e.embed_queries(['mục tiêu đào tạo cán bộ'])[0]\n"
        f"heavy = [m for m in {HEAVY_MODULES!r} if m in sys.modules]\n"
        "print(json.dumps({'backend': e.backend, 'name': e.name, 'heavy': heavy, 'seconds': seconds,"
        " 'vector': v.tolist()}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("ASSISTANT_EMBEDDING_MODEL", BACKEND_ENV)}
    env["ASSISTANT_CACHE_DIR"] = str(e5_cache)
    env["ASSISTANT_LOG_LEVEL"] = "WARNING"
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["backend"] == "onnx" and report["name"] == onnx_embedder.name
    assert report["heavy"] == [], f"a warm load imported {report['heavy']}"
    assert report["seconds"] < 10, f"warm load took {report['seconds']:.1f} s"
    vector = np.asarray(report["vector"])
    assert cosine(vector, onnx_embedder.embed_queries(["mục tiêu đào tạo cán bộ"])[0]) > 0.99999
    assert stamps(folder) == before, "the second load rewrote the materialized folder or its export"


def test_second_load_in_process_reuses_the_export(onnx_embedder: Embedder, e5_cache: Path) -> None:
    export = onnx_embedder.onnx.export_dir
    before = stamps(export.parent)
    again = Embedder.load(cache_dir=e5_cache)
    assert again.backend == "onnx" and again.onnx.export_dir == export and again.name == onnx_embedder.name
    assert stamps(export.parent) == before
    np.testing.assert_array_equal(again.embed_passages(PASSAGES), onnx_embedder.embed_passages(PASSAGES))


def test_query_cache_size_is_read_from_the_settings(
    onnx_embedder: Embedder, e5_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_QUERY_CACHE", "0")
    uncached = Embedder.load(cache_dir=e5_cache)
    uncached.embed_queries(["hạn báo cáo", "hạn báo cáo"])
    assert uncached.query_cache.size == 0 and len(uncached.query_cache) == 0 and uncached.query_cache.hits == 0
    monkeypatch.setenv("ASSISTANT_QUERY_CACHE", "-1")
    with pytest.raises(ConfigError) as info:
        Embedder.load(cache_dir=e5_cache)
    one_helpful_sentence(info.value, setting="ASSISTANT_QUERY_CACHE")


# ---------------------------------------------------------------- models that cannot be used


def test_missing_model_path_raises_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(EmbeddingModelNotFound) as info:
        Embedder.load(str(missing), cache_dir=tmp_path)
    message = one_helpful_sentence(info.value)
    assert str(missing) in message and "không tồn tại" in message


def test_model_path_that_is_a_file_raises_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"\0")
    with pytest.raises(EmbeddingModelNotFound) as info:
        Embedder.load(str(tmp_path / "model.bin"), cache_dir=tmp_path)
    assert "là một tệp" in one_helpful_sentence(info.value)


def test_uncached_hub_name_raises_instead_of_downloading(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelNotFound) as info:
        Embedder.load("assistant-tests/no-such-embedding-model", cache_dir=tmp_path)
    message = one_helpful_sentence(info.value)
    assert "assistant-tests/no-such-embedding-model" in message


def test_folder_that_is_not_a_model_raises_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(EmbeddingModelNotFound) as info:
        Embedder.load(str(tmp_path), cache_dir=tmp_path)
    one_helpful_sentence(info.value)
