"""Who does something, from the duties under "Tổ chức thực hiện": the duty sentence that best matches the
question (for plans without a task table, which state who does what in prose)."""

from __future__ import annotations

import re

from assistant.answer.draft import Citations, Draft
from assistant.answer.words import content_words, f1, overlap
from assistant.domain.normalize import collapse_spaces, fold
from assistant.understanding import QuestionFrame

DUTY_MATCH_F1 = 0.3  # how well a question's words must match a duty sentence …
DUTY_MATCH_MIN_F1 = 0.2  # … or a long one that covers most of the question
GENERIC_DUTY_WORDS = frozenset("co quan bao chi don vi lien quan ai nao viec chiu trach nhiem".split())
TEMPLATES = {
    "vi": {"duty_of": "Theo kế hoạch của {province}, {unit} thực hiện: {duty}"},
    "en": {"duty_of": "Under the {province} plan, {unit} is in charge of: “{duty}”"},
}


def duties_matching(frame: QuestionFrame, ctx, cite: Citations) -> Draft | None:
    """In each province of the scope, the best matching duty sentence and the unit it belongs to (none below
    :data:`DUTY_MATCH_F1`)."""
    words = content_words(frame.topic or frame.folded, *ctx.scope(frame)) - GENERIC_DUTY_WORDS
    if not words:
        return None
    named = set(ctx.units_with_duties(frame))
    items, used = [], []
    for province in ctx.scope(frame):
        best = None
        for fact in ctx.select("responsibility", [province]):
            if named and fact.responsible_unit not in named:
                continue
            for line in fact.duties.split("\n"):
                clauses = re.split(r"(?<=[.;])\s+", line)
                for sentence in clauses + ([line] if len(clauses) > 1 else []):  # a question may span clauses
                    said = content_words(fold(sentence)) - GENERIC_DUTY_WORDS
                    score = f1(words, said)
                    if score < DUTY_MATCH_F1 and not (score >= DUTY_MATCH_MIN_F1 and overlap(words, said) >= 0.7):
                        continue
                    # how much of the question the sentence covers first (a whole line beats one clause), then F1
                    key = (round(overlap(words, said), 1), score)
                    if best is None or key > best[0]:
                        best = (key, fact, sentence)
        if best is None:
            continue
        _, fact, sentence = best
        duty = collapse_spaces(sentence).lstrip("-– ")
        marker = ctx.cite_duty(fact, duty, cite)
        text = TEMPLATES[frame.language]["duty_of"].format(province=province, unit=fact.responsible_unit, duty=duty)
        items.append(f"{text} {marker}")
        used.append(fact)
    if not items:
        return None
    return Draft("\n".join(items), "answered", "facts", cite.items, used, states="duties")
