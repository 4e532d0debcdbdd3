"""The answer engine: loads everything once and answers questions (understanding → retrieval → answer → verification).

``AnswerEngine.load()`` reads the corpus, the facts table and the retrieval index (building what is missing
or stale), and the embedding model. ``engine.answer(question, history, province)`` returns an
:class:`~assistant.schema.Answer`. No LLM is involved: answers are composed from the facts table and the
plans' own sentences, and every claim goes through the verification gate.
"""

from __future__ import annotations

import contextlib
import logging
import time
import weakref
from dataclasses import dataclass, field

import numpy as np

from assistant.admission import AnswerGate
from assistant.answer import Composer
from assistant.config import Settings, load_settings
from assistant.domain.glossary import expand_shorthand
from assistant.errors import AssistantError
from assistant.facts.model import Fact
from assistant.ingest.corpus import CORPUS_CACHE_FILE, Corpus, load_corpus
from assistant.schema import Answer, Verification
from assistant.search.retrieval import HybridRetriever, LazySearch
from assistant.understanding import QuestionReader, indicator_descriptions, strip_instructions
from assistant.verification.evidence import check_evidence
from assistant.verification.gate import AnswerVerifier

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000


class QuestionError(AssistantError):
    """The question cannot be processed as given (empty or too long)."""


@dataclass
class AnswerEngine:
    settings: Settings
    corpus: Corpus
    facts: list[Fact]
    retriever: HybridRetriever
    reader: QuestionReader
    composer: Composer
    verifier: AnswerVerifier
    embedder: object
    notes: list[str] = field(default_factory=list)  # what /readyz should say (read-only folder, build needed)
    # Answers computed at once (settings.answer_workers); a bounded number wait their turn, the rest are refused
    # (see assistant.admission). The stages are safe to run in parallel (they share only read-only data;
    # onnxruntime and Chroma release the GIL).
    gate: AnswerGate = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.gate = AnswerGate(
            self.settings.answer_workers, self.settings.queue_limit, self.settings.answer_wait_ms / 1000
        )

    def close(self) -> None:
        """Release the vector store's client (before a rebuilt engine replaces this one)."""
        self.retriever.index.close()

    @classmethod
    def load(cls, settings: Settings | None = None, embedder=None, rebuild: bool = False) -> AnswerEngine:
        """Load the corpus, the facts table and the index, and the model. A part that is stale or damaged is rebuilt
        first (see :mod:`assistant.healing`); ``rebuild`` rebuilds everything, the cleaned corpus included."""
        from assistant.healing import is_writable, prepare_data
        from assistant.search.embeddings import Embedder

        settings = settings or load_settings()
        started = time.perf_counter()
        if rebuild and is_writable(settings.index_dir):
            (settings.index_dir / CORPUS_CACHE_FILE).unlink(missing_ok=True)
        corpus = load_corpus(settings.corpus_dir, cache_dir=settings.index_dir)
        for plan_id, message in corpus.errors.items():
            log.warning("Plan %s skipped: %s", plan_id, message)
        embedder = embedder or Embedder.load(settings.embedding_model, settings.cache_dir, settings.embedding_backend)
        prepared = prepare_data(settings, corpus, embedder, force=rebuild)
        facts = prepared.store.facts()
        retriever = prepared.retriever
        composer = Composer(corpus, facts)
        units = composer.ctx.unit_names
        plan_indicators = composer.ctx.plan_indicators
        reader = QuestionReader(
            [p.province for p in corpus.plans],
            indicator_vectors=_indicator_vectors(embedder, [p.label for p in plan_indicators]),
            plan_numbers={p.province: p.meta.plan_number for p in corpus.plans if p.meta.plan_number},
            unit_names=units,
            plan_indicators=plan_indicators,
        )
        engine = cls(
            settings, corpus, facts, retriever, reader, composer, AnswerVerifier(units), embedder, notes=prepared.notes
        )
        log.info("Answer engine ready in %.2f s", time.perf_counter() - started)
        return engine

    def answer(self, question: str, history: list[dict] | None = None, province: str | None = None) -> Answer:
        """Answer one question (see the module docstring)."""
        if question is None or not str(question).strip():
            raise QuestionError("Câu hỏi trống; hãy nhập một câu hỏi về kế hoạch chuyển đổi số báo chí.")
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionError(
                f"Câu hỏi dài {len(question)} ký tự, vượt giới hạn {MAX_QUESTION_CHARS}; hãy rút gọn câu hỏi."
            )
        with self.gate.slot():
            return self._answer(question, history, province)

    def _answer(self, question: str, history: list[dict] | None, province: str | None) -> Answer:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        asked = expand_shorthand(strip_instructions(question) or question)
        vector: list = []

        def query_vector():  # embedded once, and only when understanding or retrieval needs it
            if not vector:
                t0 = time.perf_counter()
                vector.append(self.embedder.embed_queries([self.retriever.query_text(asked)])[0])
                timings["embed"] = _ms(t0)
            return vector[0]

        def run_search():
            vec = query_vector()
            t0 = time.perf_counter()
            result = self.retriever.search(asked, k=5, query_vector=vec, provinces=frame.provinces)
            timings["retrieve"] = _ms(t0)
            return result

        t0 = time.perf_counter()
        frame = self.reader.run(asked, history, province, query_vector=query_vector)
        timings["understand"] = round(_ms(t0) - timings.get("embed", 0.0), 2)
        search = None
        if frame.asked != "greeting" and (frame.provinces or not frame.scope.unknown_provinces):
            search = LazySearch(run_search)  # routes that quote passages run it; facts answers never embed
        t0, before = time.perf_counter(), timings.get("embed", 0.0)
        draft, trace, addressing = self.composer.run(frame, search)
        lazy = timings.get("embed", 0.0) - before + timings.get("retrieve", 0.0)  # run inside composition
        timings["compose"] = round(_ms(t0) - lazy, 2)
        t0 = time.perf_counter()
        verification = self.verifier.run(draft.text, draft.citations, draft.facts, asked)
        problems = check_evidence(draft.citations, draft.facts, self.corpus)
        if problems:
            log.error(
                "Evidence check failed, answer marked not_verified (question %r): %s",
                question[:200],
                "; ".join(str(p) for p in problems),
            )
            verification = Verification(
                status="not_verified", claims=[c.model_copy(update={"verified": False}) for c in verification.claims]
            )
        verification.addressed = draft.status == "answered" and addressing.addressed and not draft.prose
        verification.unmet = [str(u) for u in addressing.unmet]
        if draft.status != "answered" or not addressing.addressed:
            verification.status = "not_addressed"
        elif draft.prose and verification.status in {"verified", "no_claims"}:
            verification.status = "unconfirmed"
        timings["verify"] = _ms(t0)
        timings["total"] = _ms(started)
        log.debug("answer %s | %s | %s | %s", draft.status, frame.describe(), trace.describe(), verification.status)
        return Answer(
            question=question,
            answer=draft.text,
            status=draft.status,
            language=frame.language,
            province=draft.province,
            route=draft.route,
            route_detail=draft.route_detail,
            citations=draft.citations,
            facts=[_fact_row(f) for f in draft.facts],
            verification=verification,
            timings_ms=timings,
        )


_INDICATOR_VECTORS: dict[int, tuple[weakref.ref, tuple[str, ...], np.ndarray]] = {}


def _indicator_vectors(embedder, plan_labels: list[str] | None = None) -> np.ndarray:
    """Embeddings of the indicator descriptions, then of the labels of the indicators plans add, kept per embedder
    (a reload in the same process, e.g. after a rebuild, does not embed them again)."""
    descriptions = tuple(indicator_descriptions() + list(plan_labels or []))
    entry = _INDICATOR_VECTORS.get(id(embedder))
    if entry is not None and entry[0]() is embedder and entry[1] == descriptions:
        return entry[2]
    vectors = np.asarray(embedder.embed_passages(list(descriptions)))
    for key in [k for k, (ref, _, _) in _INDICATOR_VECTORS.items() if ref() is None]:
        del _INDICATOR_VECTORS[key]
    with contextlib.suppress(TypeError):  # an embedder that cannot be weakly referenced is not kept
        _INDICATOR_VECTORS[id(embedder)] = (weakref.ref(embedder), descriptions, vectors)
    return vectors


def _fact_row(fact: Fact) -> dict:
    row = fact.to_dict()
    return {k: v for k, v in row.items() if v not in ("", None, [], {})}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
