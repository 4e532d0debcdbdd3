"""Anything the plans say in prose: the sentences of the best retrieved passages that match the question, each
cited; declined when retrieval is not relevant enough or the question's key words never occur in the plans."""

from __future__ import annotations

import re

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.answer.words import content_words, lines, overlap, sentence_spans
from assistant.domain.glossary import expansions
from assistant.domain.normalize import collapse_spaces, fold
from assistant.search.retrieval import SearchResult

UNKNOWN_WORDS_MAX = 0.2  # above this share of never-seen words the passage route declines …
UNKNOWN_WORDS_MAX_RELEVANT = 0.35  # … unless retrieval is nearly sure (relevance ≥ 0.9): paraphrases use new words
RELEVANT = 0.9
WHOLE_PASSAGE_KINDS = {"appendix_row", "appendix", "signature", "recipients"}  # quoted whole, not by sentence
PASSAGE_RELEVANCE = 0.45  # below this the passage route does not answer
SENTENCE_MIN_OVERLAP = 0.34  # share of the question's content words a selected sentence must contain
# "so với năm nào?": only a sentence that states the year it compares with
BASELINE_SENTENCE_RE = re.compile(r"so với (?:\w+ ){0,3}năm\s+20\d\d", re.IGNORECASE)
TEMPLATES = {
    "vi": {"passages": "Theo kế hoạch của {province}:", "passages_many": "Theo các kế hoạch:"},
    "en": {"passages": "According to the {province} plan:", "passages_many": "According to the plans:"},
}


def answer_passages(frame, ctx, search: SearchResult | None, require: re.Pattern | None = None) -> Draft | None:
    """The best sentences of the retrieved passages (with ``require``: only sentences that match it)."""
    if search is None or not search.hits or search.relevance < PASSAGE_RELEVANCE:
        return None
    cite = ctx.citations()
    words = content_words(frame.folded, *frame.provinces)
    limit = UNKNOWN_WORDS_MAX_RELEVANT if search.relevance >= RELEVANT else UNKNOWN_WORDS_MAX
    if not words or ctx.unknown_share(frame) > limit:
        return None
    # the plans' own wording for everyday or English words ("nước ngoài" → "hợp tác quốc tế") also counts
    glossed = words | content_words(fold(" ".join(expansions(frame.question))), *frame.provinces)
    candidates: list[tuple[float, float, object, int, int]] = []
    top_score = search.hits[0].score or 1.0
    for hit in search.hits[:5]:
        p = hit.passage
        spans = [(0, len(p.text))] if p.kind in WHOLE_PASSAGE_KINDS else sentence_spans(p.text)
        for start, end in spans:
            sentence = p.text[start:end]
            if require is not None and not require.search(sentence):
                continue
            said = content_words(fold(sentence)) | content_words(fold(p.section))
            match = max(overlap(words, said), overlap(glossed, said))
            # Half what the sentence says, half how well its passage was retrieved.
            score = 0.5 * match + 0.5 * (hit.score / top_score)
            candidates.append((score, match, p, p.start + start, p.start + end))
    candidates.sort(key=lambda c: -c[0])
    chosen, seen = [], set()
    for candidate in candidates:
        passage, start, end = candidate[2], candidate[3], candidate[4]
        key = collapse_spaces(fold(passage.text[start - passage.start : end - passage.start]))
        if candidate[1] < SENTENCE_MIN_OVERLAP or key in seen:
            continue
        seen.add(key)
        chosen.append(candidate)
        if len(chosen) == 3 or (chosen and candidate[0] < chosen[0][0] * 0.6):
            break
    if not chosen:
        return None
    provinces = sorted({c[2].province for c in chosen})
    t = TEMPLATES[frame.language]
    header = t["passages"].format(province=provinces[0]) if len(provinces) == 1 else t["passages_many"]
    items = []
    for _, _, passage, start, end in sorted(chosen, key=lambda c: (c[2].plan_id, c[3])):
        plan = ctx.corpus.get(passage.plan_id)
        quote = collapse_spaces(plan.text[start:end]).lstrip("-– ")
        prefix = f"{passage.province}: " if len(provinces) > 1 else ""
        items.append(f"{prefix}{quote} {cite.cite(passage.plan_id, start, end, passage.section)}")
    draft = Draft(lines(header, items), "answered", "passages", cite.items, [], states="passage", prose=True)
    draft.province = provinces[0] if len(provinces) == 1 else None
    return draft


class Passages(Route):
    name = "passages"
    templates = TEMPLATES

    def score(self, frame, ctx, search) -> float:
        return 0.3 if search is not None and frame.asked != "greeting" else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        require = BASELINE_SENTENCE_RE if frame.asked == "baseline_year" else None
        return answer_passages(frame, ctx, search, require=require)


ROUTE = Passages()
