"""Benchmark of warm answer latency in one process: every question of the eval sets, several runs, and the time
of each stage (embed, understand, retrieve, compose, verify).

Usage: .venv/bin/python bench/bench_answers.py [--runs 3] [--keep-query-cache]
Run it on a quiet machine: the figures are wall-clock milliseconds. Results go to bench/results/answers.json.
The embedder's cache of query vectors is emptied before each run (a question repeated within a run still hits it),
so every run times questions as if first asked; ``--keep-query-cache`` times runs after the first as repeats.
bench/bench_embedding_options.py compares the options that lower the embedding cost side by side.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SETS = ["questions.jsonl", "questions_independent.jsonl", "questions_blind.jsonl"]
log = logging.getLogger("bench")


def load_all_questions() -> list:
    """Every question of the three eval sets, in order."""
    from assistant.evaluation.answers import load_questions

    return [q for name in SETS for q in load_questions(REPO / "evals" / name)]


def answer_pass(engine, questions, stages: dict[str, list[float]] | None = None) -> list[float]:
    """Answer every question once; the total milliseconds of each answer (each stage's added to ``stages``)."""
    totals = []
    for q in questions:
        answer = engine.answer(q.question, history=q.history or None, province=q.province)
        totals.append(answer.timings_ms["total"])
        for stage, ms in answer.timings_ms.items():
            if stages is not None:
                stages.setdefault(stage, []).append(ms)
    return totals


def main() -> None:
    from assistant.engine import AnswerEngine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="passes over all questions")
    parser.add_argument("--keep-query-cache", action="store_true", help="do not empty the query cache between runs")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    engine = AnswerEngine.load()
    questions = load_all_questions()
    for q in questions[:20]:  # warm up caches and the ONNX session
        engine.answer(q.question, history=q.history or None, province=q.province)
    runs, stages = [], {}
    for run in range(args.runs):
        if not args.keep_query_cache:
            engine.embedder.query_cache.clear()
        totals = answer_pass(engine, questions, stages)
        p50, p95 = float(np.percentile(totals, 50)), float(np.percentile(totals, 95))
        runs.append({"run": run + 1, "n": len(totals), "p50_ms": round(p50, 1), "p95_ms": round(p95, 1)})
        log.info("run %d: %d answers, p50 %.1f ms, p95 %.1f ms", run + 1, len(totals), p50, p95)
    report = {
        "backend": engine.embedder.backend,
        "query_cache": "kept between runs" if args.keep_query_cache else "emptied before each run",
        "runs": runs,
        "median_p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "median_p95_ms": statistics.median(r["p95_ms"] for r in runs),
        "stage_p50_ms": {k: round(float(np.percentile(v, 50)), 2) for k, v in stages.items()},
    }
    out = REPO / "bench" / "results" / "answers.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    log.info("%s", json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
