"""Scale benchmark: build time, index size and query p95 for generated corpora of N plans (default 4, 50, 500).

Usage: .venv/bin/python bench/bench_scale.py [--sizes 4 50 500] [--queries 200]
Plans are generated from the four real ones: the province (name with and without diacritics) is replaced by
another of the 63 provinces and every percentage is permuted, so texts and embeddings differ. Each size is
built in-process into its own temporary index with the embedding model loaded once. Results go to
bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tempfile
import time
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.config import load_settings  # noqa: E402
from assistant.domain.normalize import fold  # noqa: E402
from assistant.domain.provinces import PROVINCES  # noqa: E402

PERCENTS = [10, 20, 30, 33, 40, 50, 60, 67, 70, 75, 80, 90, 100]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def generate(corpus_dir: Path, size: int, seed: int = 7) -> None:
    """Write ``size`` plans and a manifest into ``corpus_dir``."""
    rng = random.Random(seed)
    source = REPO / "corpus"
    manifest = tomllib.loads((source / "manifest.toml").read_text(encoding="utf-8"))["plan"]
    corpus_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for n in range(size):
        base = manifest[n % len(manifest)]
        text = (source / base["file"]).read_text(encoding="utf-8")
        province = PROVINCES[n % len(PROVINCES)] if n >= len(manifest) else base["province"]
        if n >= len(manifest):
            for old, new in ((base["province"], province), (base["province"].upper(), province.upper())):
                text = text.replace(old, new)
            text = re.sub(r"\b(\d{1,3})%", lambda m: f"{rng.choice(PERCENTS)}%", text)
        plan_id = f"{_slug(province)}-{n:04d}"
        (corpus_dir / f"{plan_id}.txt").write_text(text, encoding="utf-8")
        ocr = str(base.get("ocr", False)).lower()
        entries.append(f'[[plan]]\nid = "{plan_id}"\nprovince = "{province}"\nfile = "{plan_id}.txt"\nocr = {ocr}\n')
    (corpus_dir / "manifest.toml").write_text("\n".join(entries), encoding="utf-8")


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 50, 500])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    from assistant.facts.store import build_facts_db
    from assistant.ingest.corpus import load_corpus
    from assistant.search.embeddings import Embedder
    from assistant.search.index import IndexBuilder
    from assistant.search.retrieval import HybridRetriever

    embedder = Embedder.load()
    questions = [json.loads(line)["question"] for line in (REPO / "evals" / "retrieval.jsonl").read_text().splitlines()]
    results = []
    for size in args.sizes:
        work = Path(tempfile.mkdtemp(prefix=f"scale-{size}-"))
        try:
            generate(work / "corpus", size)
            settings = replace(load_settings(), corpus_dir=work / "corpus", index_dir=work / "index", chroma_host="")
            t0 = time.perf_counter()
            corpus = load_corpus(settings.corpus_dir)
            load_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            build_facts_db(corpus, settings.facts_db)
            facts_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            report = IndexBuilder(settings, progress=lambda _m: None).build(corpus, embedder=embedder)
            index_s = time.perf_counter() - t0
            retriever = HybridRetriever.load(settings, embedder=embedder)
            latencies = []
            for q in (questions * 10)[: args.queries]:
                t = time.perf_counter()
                retriever.search(q)
                latencies.append((time.perf_counter() - t) * 1000)
            row = {
                "plans": size,
                "passages": report.passages,
                "load_clean_s": round(load_s, 2),
                "facts_s": round(facts_s, 2),
                "index_build_s": round(index_s, 1),
                "index_mb": round(dir_size(settings.index_dir) / 1e6, 1),
                "query_p50_ms": round(float(np.percentile(latencies, 50)), 1),
                "query_p95_ms": round(float(np.percentile(latencies, 95)), 1),
                "errors": len(corpus.errors),
            }
            results.append(row)
            print(json.dumps(row), flush=True)  # noqa: T201 - a benchmark prints its report
        finally:
            shutil.rmtree(work, ignore_errors=True)
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
