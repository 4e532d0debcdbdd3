"""A facts answer that leaves much of the question uncovered gets the best matching plan sentence as "Xem thêm"."""

from __future__ import annotations

from assistant.answer.draft import Citations, Draft
from assistant.answer.routes.passages import PASSAGE_RELEVANCE, WHOLE_PASSAGE_KINDS
from assistant.answer.words import content_words, overlap, sentence_spans
from assistant.domain.normalize import collapse_spaces, fold
from assistant.search.retrieval import SearchResult
from assistant.understanding import QuestionFrame

COVERAGE_STOP_WORDS = frozenset(
    "nhiem vu muc tieu chi tieu ke hoach gi nao bao nhieu duoc giao lam phai viec nhung chuyen doi so bao chi".split()
)
SUPPLEMENTED = {"funding_sources", "duties", "target_value", "task_details", "deliverable"}


def supplement(draft: Draft, frame: QuestionFrame, search: SearchResult | None, corpus) -> None:
    """Append the plan sentence that adds most to what the draft covers of the question (in place)."""
    if draft.status != "answered" or frame.asked not in SUPPLEMENTED or frame.aggregate:
        return
    words = content_words(frame.folded, *frame.provinces) - COVERAGE_STOP_WORDS
    if not words or search is None:
        return
    covered = overlap(words, content_words(fold(draft.text)))
    if covered >= 0.7 or search.relevance < PASSAGE_RELEVANCE:  # coverage first: a lazy search runs only if needed
        return
    best = None
    for hit in search.hits[:5]:
        p = hit.passage
        if draft.province and p.province != draft.province or p.kind in WHOLE_PASSAGE_KINDS:
            continue
        for start, end in sentence_spans(p.text):
            sentence = p.text[start:end]
            if collapse_spaces(fold(sentence))[:60] in collapse_spaces(fold(draft.text)):
                continue
            gain = overlap(words, content_words(fold(sentence)) | content_words(fold(draft.text))) - covered
            if gain > 0.15 and (best is None or gain > best[0]):
                best = (gain, p, start, end)
    if best is None:
        return
    _, p, start, end = best
    cite = Citations(corpus, draft.citations)
    marker = cite.cite(p.plan_id, p.start + start, p.start + end, p.section)
    label = "Xem thêm" if frame.language == "vi" else "See also"
    draft.text += f"\n{label}: {collapse_spaces(p.text[start:end]).lstrip('-– ')} {marker}"
    draft.citations = cite.items
