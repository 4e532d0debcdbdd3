"""Benchmark of the options that lower the answer floor (one query embedding), side by side in one process.

Usage: .venv/bin/python bench/bench_embedding_options.py [--runs 5] [--passages 120]

Options, each timed in every run (in a shuffled order, another each run) so that a busy machine slows them alike:

* ``fp32``: the fp32 ONNX export, no query cache, and the old answer order, in which a facts answer ran the search
  (and embedded the question) before checking whether a "see also" sentence could help (the baseline);
* ``int8``: queries on the int8 export (``ASSISTANT_EMBEDDING_BACKEND=onnx-int8``), otherwise as ``fp32``;
* ``cache``: the query vector cache, emptied before each pass (it only serves questions repeated within a pass);
* ``cache, repeats``: the cache filled by an earlier pass: every question asked again;
* ``skip``: the current answer order (coverage first: the search runs only when its passages are needed);
* ``default``: skip + cache (emptied before each pass): what the product runs;
* ``default, repeats``: skip + cache filled by an earlier pass;
* ``int8 + skip + cache``: every option at once.

Per run it records the milliseconds of one query embedding (each question's embedded text, alone: fp32, int8,
and a cache hit), and for each option one pass of warm answers over the three eval sets, as bench_answers.py times
them (p50/p95 of the answer total, p50 of the embed stage, answers that embedded). It also reports the cosine of
int8 and fp32 vectors: every eval question as a query, and ``--passages`` index passages. Medians over the runs,
ratios to ``fp32``. Results go to bench/results/embedding_options.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import time
from pathlib import Path

import numpy as np
from bench_answers import answer_pass, load_all_questions

REPO = Path(__file__).resolve().parent.parent
log = logging.getLogger("bench")

# name: (int8 queries, query cache, old answer order, cache filled before the pass)
OPTIONS: dict[str, tuple[bool, bool, bool, bool]] = {
    "fp32": (False, False, True, False),
    "int8": (True, False, True, False),
    "cache": (False, True, True, False),
    "cache, repeats": (False, True, True, True),
    "skip": (False, False, False, False),
    "default": (False, True, False, False),
    "default, repeats": (False, True, False, True),
    "int8 + skip + cache": (True, True, False, False),
}


def legacy_supplement(real):
    """The answer order before the search became lazy for "see also" sentences: the search's relevance was read
    (so the question embedded) before the draft's coverage was checked."""
    from assistant.answer.supplement import COVERAGE_STOP_WORDS, SUPPLEMENTED
    from assistant.answer.words import content_words

    def supplement(draft, frame, search, corpus):
        asked = draft.status == "answered" and frame.asked in SUPPLEMENTED and not frame.aggregate
        if asked and search is not None and content_words(frame.folded, *frame.provinces) - COVERAGE_STOP_WORDS:
            search.relevance  # noqa: B018 - reading it runs the lazy search, as the old order did
        return real(draft, frame, search, corpus)

    return supplement


def embedded_text(engine, question: str) -> str:
    """The text the engine embeds for a question (see AnswerEngine._answer)."""
    from assistant.domain.glossary import expand_shorthand
    from assistant.understanding import strip_instructions

    return engine.retriever.query_text(expand_shorthand(strip_instructions(question) or question))


def per_query_ms(embed, texts: list[str]) -> float:
    """Median milliseconds of embedding each text alone."""
    times = []
    for text in texts:
        started = time.perf_counter()
        embed(text)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    from assistant.answer import composer
    from assistant.engine import AnswerEngine
    from assistant.search.embeddings import Embedder
    from assistant.search.embeddings.common import row_cosines
    from assistant.search.embeddings.embedder import QueryCache

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs; each times every option once")
    parser.add_argument("--passages", type=int, default=120, help="index passages for the int8 passage cosines")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    fp32 = Embedder.load(backend="onnx")
    int8 = Embedder.load(backend="onnx-int8")
    engine = AnswerEngine.load(embedder=fp32)
    questions = load_all_questions()
    texts = list(dict.fromkeys(embedded_text(engine, q.question) for q in questions))
    current = composer.supplement
    legacy = legacy_supplement(current)

    q32 = np.vstack([fp32.onnx.encode([t], fp32.query_prompt) for t in texts])
    q8 = np.vstack([int8.query_onnx.encode([t], int8.query_prompt) for t in texts])
    passages = [p.embed_text for p in engine.retriever.index.passages[: args.passages]]
    p32 = np.vstack([fp32.onnx.encode([t], fp32.passage_prompt) for t in passages])
    p8 = np.vstack([int8.query_onnx.encode([t], int8.passage_prompt) for t in passages])
    cosines = {"queries": row_cosines(q32, q8), "passages": row_cosines(p32, p8)}
    fidelity = {
        kind: {"n": len(c), "min": round(float(c.min()), 5), "mean": round(float(c.mean()), 5)}
        for kind, c in cosines.items()
    }
    log.info("int8 vs fp32 cosine: %s", json.dumps(fidelity))

    def configure(option: str) -> Embedder:
        use_int8, cached, old_order, _ = OPTIONS[option]
        embedder = int8 if use_int8 else fp32
        embedder.query_cache = QueryCache() if cached else QueryCache(0)
        engine.embedder = engine.retriever.index.embedder = embedder
        composer.supplement = legacy if old_order else current
        return embedder

    for option in OPTIONS:  # warm up every configuration
        configure(option)
        answer_pass(engine, questions[:20])

    names = list(OPTIONS)
    results: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    embed_ms: dict[str, list[float]] = {"fp32": [], "int8": [], "cache hit": []}
    try:
        for run in range(args.runs):
            sample = texts[run % 3 :: 3]  # a third of the questions per run, a different third each time
            fp32.query_cache = QueryCache()
            fp32.embed_queries(sample)
            timers = {
                "fp32": lambda t: fp32.onnx.encode([t], fp32.query_prompt),
                "int8": lambda t: int8.query_onnx.encode([t], int8.query_prompt),
                "cache hit": lambda t: fp32.embed_queries([t]),
            }
            shuffle = random.Random(run)
            for name in shuffle.sample(list(timers), len(timers)):
                embed_ms[name].append(per_query_ms(timers[name], sample))
            for option in shuffle.sample(names, len(names)):
                embedder = configure(option)
                if OPTIONS[option][3]:  # asked before: the cache holds every question's vector
                    embedder.embed_queries(texts)
                stages: dict[str, list[float]] = {}
                totals = answer_pass(engine, questions, stages)
                embeds = stages.get("embed", [])
                results[option].append(
                    {
                        "p50_ms": float(np.percentile(totals, 50)),
                        "p95_ms": float(np.percentile(totals, 95)),
                        "embed_p50_ms": float(np.percentile(embeds, 50)) if embeds else 0.0,
                        "embedded": len(embeds),
                        "n": len(totals),
                    }
                )
            log.info(
                "run %d: %s", run + 1, ", ".join(f"{o} p50 {results[o][-1]['p50_ms']:.1f}" for o in names)
            )
    finally:
        composer.supplement = current

    def median(option: str, key: str) -> float:
        return statistics.median(r[key] for r in results[option])

    base = {key: median("fp32", key) for key in ("p50_ms", "p95_ms")}
    one_query = {name: round(statistics.median(v), 2) for name, v in embed_ms.items()}
    table = {}
    for option in names:
        row = {key: round(median(option, key), 2) for key in ("p50_ms", "p95_ms", "embed_p50_ms")}
        row["embedded"] = f"{int(median(option, 'embedded'))}/{results[option][0]['n']}"
        row["p50_ratio"] = round(row["p50_ms"] / base["p50_ms"], 3)
        row["p95_ratio"] = round(row["p95_ms"] / base["p95_ms"], 3)
        table[option] = row
    report = {
        "runs": args.runs,
        "questions": len(questions),
        "one_query_embedding_ms": one_query,
        "one_query_ratio_to_fp32": {k: round(v / one_query["fp32"], 3) for k, v in one_query.items()},
        "answers": table,
        "int8_cosine_to_fp32": fidelity,
        "per_run": {"embedding_ms": embed_ms, "answers": results},
    }
    out = REPO / "bench" / "results" / "embedding_options.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    width = max(map(len, names))
    lines = [
        f"one query embedding, median ms over {args.runs} runs: "
        + ", ".join(f"{k} {v} ({report['one_query_ratio_to_fp32'][k]}×)" for k, v in one_query.items()),
        f"{'option'.ljust(width)}  answer p50  answer p95  embed p50  embedded  p50 ratio  p95 ratio",
    ]
    for option, row in table.items():
        lines.append(
            f"{option.ljust(width)}  {row['p50_ms']:10.1f}  {row['p95_ms']:10.1f}  {row['embed_p50_ms']:9.1f}  "
            f"{row['embedded']:>8}  {row['p50_ratio']:9.3f}  {row['p95_ratio']:9.3f}"
        )
    log.info("%s", "\n".join(lines))


if __name__ == "__main__":
    main()
