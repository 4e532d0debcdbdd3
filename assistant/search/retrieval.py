"""Hybrid retrieval: dense (Chroma through llama-index) and BM25 over folded syllables, fused by reciprocal rank.

Input: a question (any diacritics), an optional province; output: :class:`SearchResult` with the top passages,
each with its exact quote and span, the fused score and the two component scores, the province filter that
was applied, and a ``relevance`` in [0, 1] that lets the answer layer say "not found".

Province filter: an explicit ``province`` wins; otherwise provinces named in the question (any spelling,
see :mod:`assistant.domain.provinces`). A question that names only provinces outside the corpus gets no passages.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from assistant.config import Settings
from assistant.domain.diacritics import DiacriticRestorer
from assistant.domain.glossary import expansions
from assistant.domain.normalize import fold
from assistant.domain.provinces import ProvinceMatcher
from assistant.domain.syllable_stats import SyllableStats
from assistant.search.chunking import Passage
from assistant.search.index import LoadedIndex, bm25_tokens, load_index

log = logging.getLogger(__name__)

CANDIDATES = 100
# Fusion: BM25 over folded syllables and bigrams is the stronger retriever on this corpus and the only one
# that copes with questions typed without diacritics; dense retrieval carries English and paraphrased
# questions. Each list's scores are normalized (BM25 by its best score, cosine by min-max over the
# candidates) and combined with these weights; on the retrieval set this beat reciprocal-rank fusion.
BM25_WEIGHT = 1.0
DENSE_WEIGHT = 0.5
# Calibration of `relevance`: a top BM25 score per query token and a top cosine at which we are confident.
BM25_CONFIDENT_PER_TOKEN = 1.6
DENSE_FLOOR, DENSE_CONFIDENT = 0.80, 0.88


@dataclass
class Hit:
    passage: Passage
    score: float
    dense: float | None = None
    bm25: float | None = None

    def to_dict(self) -> dict:
        p = self.passage
        return {
            "plan_id": p.plan_id,
            "province": p.province,
            "section": p.section,
            "text": p.text,
            "start": p.start,
            "end": p.end,
            "score": round(self.score, 6),
        }


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    provinces: list[str]  # the province filter applied (empty: all)
    unknown_provinces: list[str] = field(default_factory=list)  # named in the question, not in the corpus
    relevance: float = 0.0
    timings_ms: dict[str, float] = field(default_factory=dict)


class LazySearch:
    """A search run the first time something reads it: answers from the facts table never embed the query."""

    def __init__(self, run) -> None:
        self._run = run
        self._result: SearchResult | None = None

    @property
    def result(self) -> SearchResult:
        if self._result is None:
            self._result = self._run()
        return self._result

    def __getattr__(self, name: str):
        return getattr(self.result, name)


class HybridRetriever:
    """Searches the loaded index; see the module docstring. Build it with :meth:`load`."""

    def __init__(self, index: LoadedIndex, mode: str = "hybrid") -> None:
        self.index = index
        self.mode = mode
        self.corpus_provinces = sorted({p.province for p in index.passages})
        self.matcher = ProvinceMatcher()
        self._position = {p.id: i for i, p in enumerate(index.passages)}
        stats = index.syllable_stats or SyllableStats.from_texts([p.text for p in index.passages])
        self.restorer = DiacriticRestorer(stats)

    @classmethod
    def load(cls, settings: Settings, embedder=None, mode: str = "hybrid", corpus=None) -> HybridRetriever:
        """Load the index, checked (and for freshness given ``corpus``): :func:`~assistant.search.index.load_index`."""
        if embedder is None:
            from assistant.search.embeddings import Embedder

            embedder = Embedder.load(settings.embedding_model, settings.cache_dir, settings.embedding_backend)
        return cls(load_index(settings, embedder, corpus), mode)

    # -- public ----------------------------------------------------------------------------------------
    def query_text(self, query: str) -> str:
        """The text embedded for a query: the query itself, with diacritics restored when typed without them."""
        return query if has_diacritics(query) else self.restorer.restore(query)

    def search(
        self,
        query: str,
        province: str | None = None,
        k: int = 5,
        mode: str | None = None,
        query_vector=None,
        provinces: list[str] | None = None,
    ) -> SearchResult:
        """Top ``k`` passages. ``query_vector`` (from :meth:`query_text`) saves embedding the query twice;
        ``provinces`` replaces the province filter read from the question."""
        mode = mode or self.mode
        started = time.perf_counter()
        named = [province] if province else (provinces if provinces is not None else self.matcher.find(query))
        in_corpus = [p for p in self.corpus_provinces if any(fold(p) == fold(n) for n in named)]
        unknown = [n for n in named if all(fold(n) != fold(p) for p in self.corpus_provinces)]
        if named and not in_corpus:
            return SearchResult(query, [], [], unknown, 0.0, {"total": _ms(started)})
        timings: dict[str, float] = {}
        dense: list[tuple[int, float]] = []
        lexical: list[tuple[int, float]] = []
        if mode in {"hybrid", "dense"}:
            t0 = time.perf_counter()
            dense = self._dense(self.query_text(query), in_corpus, CANDIDATES if mode == "hybrid" else k, query_vector)
            timings["dense"] = _ms(t0)
        if mode in {"hybrid", "bm25"}:
            t0 = time.perf_counter()
            lexical = self._bm25(query, in_corpus, CANDIDATES if mode == "hybrid" else k)
            timings["bm25"] = _ms(t0)
        hits = self._fuse(dense, lexical)[:k]
        relevance = self._relevance(query, dense, lexical)
        timings["total"] = _ms(started)
        return SearchResult(query, hits, in_corpus, unknown, relevance, timings)

    # -- components ------------------------------------------------------------------------------------
    def _dense(self, query: str, provinces: list[str], top: int, query_vector=None) -> list[tuple[int, float]]:
        """Nearest passages by cosine, from Chroma. Only ids and distances are fetched: the passages are already
        in memory, and turning Chroma's documents and metadata into llama-index nodes costs ten times the search."""
        if query_vector is None:
            query_vector = self.index.embedder.embed_queries([query])[0]
        where = {"province": {"$in": list(provinces)}} if provinces else None
        found = self.index.collection.query(
            query_embeddings=[np.asarray(query_vector, dtype=np.float32)],
            n_results=max(1, min(top, len(self.index.passages))),
            where=where,
            include=["distances"],
        )
        results = []
        for passage_id, distance in zip(found["ids"][0], found["distances"][0], strict=True):
            index = self._position.get(passage_id)
            if index is not None:
                results.append((index, 1.0 - float(distance)))  # cosine space: distance = 1 - cosine
        return results

    def _bm25(self, query: str, provinces: list[str], top: int) -> list[tuple[int, float]]:
        bm25 = self.index.bm25
        vocab = bm25.vocab_dict
        # Domain terms also search the plans' own wording; an English question gets Vietnamese words to match.
        marked = has_diacritics(query)
        tokens = [t for t in bm25_tokens(query, marked=marked) if t in vocab]
        tokens += [t for t in bm25_tokens(" ".join(expansions(query)), marked=marked) if t in vocab]
        if not tokens:
            return []
        mask = None
        if provinces:
            wanted = {fold(p) for p in provinces}
            mask = np.isin(self.index.provinces, list(wanted)).astype(np.float32)
        scores = bm25.get_scores(tokens, weight_mask=mask)
        order = np.argsort(-scores)[:top]
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]

    def _fuse(self, dense: list[tuple[int, float]], lexical: list[tuple[int, float]]) -> list[Hit]:
        """Weighted sum of the normalized scores of the two candidate lists."""
        fused: dict[int, Hit] = {}
        if lexical:
            best = lexical[0][1]
            for index, score in lexical:
                hit = fused.setdefault(index, Hit(self.index.passages[index], 0.0))
                hit.score += BM25_WEIGHT * score / best
                hit.bm25 = score
        if dense:
            cosines = [c for _, c in dense]
            low, span = min(cosines), max(max(cosines) - min(cosines), 1e-6)
            for index, cosine in dense:
                hit = fused.setdefault(index, Hit(self.index.passages[index], 0.0))
                hit.score += DENSE_WEIGHT * (cosine - low) / span
                hit.dense = cosine
        return sorted(fused.values(), key=lambda h: -h.score)

    @staticmethod
    def _relevance(query: str, dense: list[tuple[int, float]], lexical: list[tuple[int, float]]) -> float:
        """How sure we are that something relevant came back, in [0, 1] (the larger of two calibrated signals)."""
        signals = [0.0]
        if dense:
            top = dense[0][1]
            signals.append(min(1.0, max(0.0, (top - DENSE_FLOOR) / (DENSE_CONFIDENT - DENSE_FLOOR))))
        if lexical:
            per_token = lexical[0][1] / max(len(bm25_tokens(query)), 1)
            signals.append(min(1.0, per_token / BM25_CONFIDENT_PER_TOKEN))
        return max(signals)


def has_diacritics(text: str) -> bool:
    """True when the text carries Vietnamese marks (so it was not typed as plain ASCII)."""
    return fold(text) != text.lower()


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
