"""Self-test of a loaded engine over its own data, run before the server says it is ready.

Retrieval must find sample passages by their own words, and a question built from one target of each plan
(its year, province and wording) must be answered with that target's value, with citations whose evidence
holds and a verification that is not ``not_verified``. :func:`load_ready_engine` loads an engine, runs the
self-test, and when it fails rebuilds everything once (:meth:`AnswerEngine.load` with ``rebuild``) and tests
again, so a start either serves sound data or reports one sentence.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.verification.evidence import check_evidence

if TYPE_CHECKING:
    from assistant.engine import AnswerEngine

log = logging.getLogger(__name__)

FAILED = "Trợ lý không vượt qua bài tự kiểm tra trên dữ liệu vừa dựng lại; hãy xem nhật ký máy chủ, báo quản trị viên."
PASSAGE_SAMPLES = 5
MIN_PASSAGE_WORDS = 20


class SelfTestFailed(AssistantError):
    """The loaded data did not pass the self-test (even after a rebuild)."""


def self_test(engine: AnswerEngine) -> list[str]:
    """What fails (English lines for the log); empty when the engine answers from its data as it should."""
    started = time.perf_counter()
    problems = _retrieval_problems(engine) + _answer_problems(engine)
    log.info("Self-test %s in %.0f ms", "failed" if problems else "passed", (time.perf_counter() - started) * 1000)
    return problems


def _retrieval_problems(engine: AnswerEngine) -> list[str]:
    passages = [p for p in engine.retriever.index.passages if len(p.text.split()) >= MIN_PASSAGE_WORDS]
    if not passages:
        return ["the index holds no passage to search for"]
    step = max(1, len(passages) // PASSAGE_SAMPLES)
    problems = []
    for passage in passages[::step][:PASSAGE_SAMPLES]:
        try:
            found = engine.retriever.search(passage.text, k=5, provinces=[passage.province])
        except Exception as error:  # noqa: BLE001 - the self-test reports any failure
            return [f"search failed ({type(error).__name__}: {error})"]
        if passage.id not in {hit.passage.id for hit in found.hits}:
            problems.append(f"search for the words of passage {passage.id} does not return it")
    return problems


def _answer_problems(engine: AnswerEngine) -> list[str]:
    targets = {}
    for fact in engine.facts:
        if fact.kind == "target" and fact.value is not None and fact.year and fact.wording and fact.value_text:
            targets.setdefault(fact.plan_id, fact)
    if not targets:
        return ["the facts table holds no target to ask about"]
    problems = []
    for fact in targets.values():
        question = f"Chỉ tiêu năm {fact.year} của tỉnh {fact.province}: {fact.wording}?"
        try:
            answer = engine.answer(question)
        except Exception as error:  # noqa: BLE001
            problems.append(f"answering {question!r} failed ({type(error).__name__}: {error})")
            continue
        evidence = check_evidence(answer.citations, [], engine.corpus)
        if answer.status != "answered" or fact.value_text not in answer.answer:
            problems.append(f"{question!r} was not answered with {fact.value_text!r} (fact {fact.id})")
        elif not answer.citations or evidence or answer.verification.status == "not_verified":
            problems.append(f"the answer to {question!r} is not backed by its citations ({answer.verification.status})")
    return problems


def load_ready_engine(settings: Settings, embedder=None) -> AnswerEngine:
    """Load an engine that passes :func:`self_test`, rebuilding everything once when the first load does not."""
    from assistant.engine import AnswerEngine

    engine = AnswerEngine.load(settings, embedder=embedder)
    problems = self_test(engine)
    if not problems:
        return engine
    log.error("Self-test failed (%s); rebuilding the facts table and the index", "; ".join(problems))
    engine.close()
    engine = AnswerEngine.load(settings, embedder=embedder, rebuild=True)
    problems = self_test(engine)
    if problems:
        log.error("Self-test failed again after a rebuild: %s", "; ".join(problems))
        engine.close()
        raise SelfTestFailed(FAILED)
    return engine
