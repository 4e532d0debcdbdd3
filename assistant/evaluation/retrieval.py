"""Retrieval evaluation: hit@1, hit@5 and MRR of dense, BM25 and hybrid retrieval on ``evals/retrieval.jsonl``.

A retrieved passage is a hit when its span overlaps a gold answer span of the same plan. Subsets are
reported for questions typed without diacritics, questions answered in an OCR plan, and English questions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from assistant.search.retrieval import HybridRetriever

MODES = ("dense", "bm25", "hybrid")


@dataclass
class RetrievalQuestion:
    id: str
    question: str
    answers: list[dict]
    diacritics: bool = True
    lang: str = "vi"
    province: str | None = None


@dataclass
class ModeScore:
    mode: str
    n: int = 0
    hit1: float = 0.0
    hit5: float = 0.0
    mrr: float = 0.0
    subsets: dict[str, dict[str, float]] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)


def load_questions(path: Path) -> list[RetrievalQuestion]:
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            questions.append(
                RetrievalQuestion(
                    id=data["id"],
                    question=data["question"],
                    answers=data["answers"],
                    diacritics=data.get("diacritics", True),
                    lang=data.get("lang", "vi"),
                    province=data.get("province"),
                )
            )
    return questions


def first_hit_rank(question: RetrievalQuestion, hits) -> int | None:
    """1-based rank of the first passage that overlaps a gold span, or None."""
    for rank, hit in enumerate(hits, start=1):
        p = hit.passage
        for answer in question.answers:
            if answer["plan_id"] == p.plan_id and p.start < answer["end"] and answer["start"] < p.end:
                return rank
    return None


def _summary(ranks: list[int | None]) -> dict[str, float]:
    n = max(len(ranks), 1)
    return {
        "n": len(ranks),
        "hit@1": sum(1 for r in ranks if r == 1) / n,
        "hit@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "mrr": sum(1.0 / r for r in ranks if r is not None) / n,
    }


def evaluate(retriever: HybridRetriever, questions: list[RetrievalQuestion], ocr_plans: set[str]) -> list[ModeScore]:
    scores = []
    for mode in MODES:
        ranks: dict[str, int | None] = {}
        for question in questions:
            result = retriever.search(question.question, k=5, mode=mode)
            ranks[question.id] = first_hit_rank(question, result.hits)
        overall = _summary(list(ranks.values()))
        subsets = {
            "no_diacritics": _summary([ranks[q.id] for q in questions if not q.diacritics]),
            "ocr_plan": _summary([ranks[q.id] for q in questions if any(a["plan_id"] in ocr_plans for a in q.answers)]),
            "english": _summary([ranks[q.id] for q in questions if q.lang == "en"]),
        }
        scores.append(
            ModeScore(
                mode=mode,
                n=len(questions),
                hit1=overall["hit@1"],
                hit5=overall["hit@5"],
                mrr=overall["mrr"],
                subsets=subsets,
                misses=[qid for qid, r in ranks.items() if r is None or r > 5],
            )
        )
    return scores
