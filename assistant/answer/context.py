"""What every answer route reads: the corpus, the facts table, the plans' vocabulary and the one unit matcher."""

from __future__ import annotations

import re

from assistant.answer.draft import Citations
from assistant.answer.words import STOP_WORDS
from assistant.domain.indicators import BY_CODE
from assistant.domain.normalize import collapse_spaces, fold
from assistant.domain.units import UnitMatcher, expand_aliases
from assistant.facts.model import Fact, unit_names
from assistant.ingest.corpus import Corpus
from assistant.understanding import QuestionFrame, indicator_label
from assistant.understanding.indicator_cues import PlanIndicator


class AnswerContext:
    """Built once per engine; read-only while answering (safe to share between threads)."""

    def __init__(self, corpus: Corpus, facts: list[Fact]) -> None:
        self.corpus = corpus
        self.facts = facts
        self.provinces = [p.province for p in corpus.plans]
        self.plan_of = {p.province: p for p in corpus.plans}
        # Words the plans use, as written (with marks) and folded: a question whose key words never occur in any
        # plan is not answered from loosely matching passages.
        self.vocabulary = {w for p in corpus.plans for w in re.findall(r"\w+", p.text.lower())}
        self.vocabulary |= {fold(w) for w in self.vocabulary}
        # Each plan's text folded with unit aliases expanded: the body, and the list of recipients ("Nơi nhận").
        self.body_text = {p.id: _folded_blocks(p, recipients=False) for p in corpus.plans}
        self.recipients_text = {p.id: _folded_blocks(p, recipients=True) for p in corpus.plans}
        self.unit_names = unit_names(facts)
        self.plan_indicators = plan_indicators(facts)
        self._labels = {p.code: p.label for p in self.plan_indicators}
        self.units = UnitMatcher(self.unit_names)
        self._folded = {p.id: "".join(fold(ch)[:1] or ch for ch in p.text) for p in corpus.plans}
        self._by_kind: dict[str, list[Fact]] = {}
        for fact in facts:
            self._by_kind.setdefault(fact.kind, []).append(fact)

    def folded_text(self, plan) -> str:
        """The plan's text folded, character for character (offsets are those of ``plan.text``)."""
        return self._folded[plan.id]

    def indicator_label(self, code: str, language: str = "vi") -> str:
        """The label of a national indicator, or a plan's own wording of the indicator it adds."""
        if code in self._labels:
            return self._labels[code]
        return indicator_label(code, language)

    def citations(self) -> Citations:
        return Citations(self.corpus)

    def select(self, kind: str, provinces: list[str] | None = None, **equal) -> list[Fact]:
        rows = [f for f in self._by_kind.get(kind, []) if not provinces or f.province in provinces]
        for name, value in equal.items():
            rows = [f for f in rows if getattr(f, name) == value]
        return rows

    def scope(self, frame: QuestionFrame) -> list[str]:
        """The provinces a question is about: those it names, else every plan of the corpus."""
        return frame.provinces or self.provinces

    def unknown_share(self, frame: QuestionFrame) -> float:
        """Share of the question's content words (as typed, with marks) that no plan ever uses; everyday words the
        glossary maps to the plans' wording ("thu tiền người đọc" → "thu phí nội dung") are known."""
        if frame.language != "vi":
            return 0.0
        from assistant.domain.glossary import GLOSSARY_PATTERNS

        glossed = {
            w for pattern, _ in GLOSSARY_PATTERNS for m in pattern.finditer(frame.folded) for w in m.group(0).split()
        }
        typed = {
            w
            for w in re.findall(r"\w+", frame.question.lower())
            if not w.isdigit() and len(w) > 1 and fold(w) not in glossed
        }
        typed = {w for w in typed if fold(w) not in STOP_WORDS and fold(w) not in {fold(p) for p in frame.provinces}}
        province_words = {t for p in self.provinces for t in fold(p).split()}
        typed = {w for w in typed if fold(w) not in province_words}
        if not typed:
            return 0.0
        return sum(1 for w in typed if w not in self.vocabulary) / len(typed)

    def units_with_duties(self, frame: QuestionFrame) -> list[str]:
        """Specific units (not groups like "các cơ quan báo chí") named in the question that have duties."""
        question = self.units.folded(frame.question)
        names = {f.responsible_unit for f in self.select("responsibility", self.scope(frame))}
        return [
            n
            for n in names
            if not fold(n).startswith(("cac ", "co quan")) and self.units.mentions(question, n, folded=True)
        ]

    def cite_duty(self, fact: Fact, duty: str, cite: Citations) -> str:
        """Cite the duty's own line when it can be found in the plan text, else the whole responsibility."""
        plan = self.corpus.get(fact.plan_id)
        head = duty[:60]
        position = plan.text.find(head, fact.start, fact.end + 1)
        if position < 0:
            return cite.fact(fact)
        line_end = plan.text.find("\n", position)
        line_end = fact.end if line_end < 0 or line_end > fact.end else line_end
        return cite.cite(fact.plan_id, position, line_end, fact.section)


def plan_indicators(facts: list[Fact]) -> list[PlanIndicator]:
    """The targets plans add beyond the national indicators: one per code and province, labelled in the plan's
    own words (the label the extractor kept, else the target's wording)."""
    seen: dict[tuple[str, str], PlanIndicator] = {}
    for fact in facts:
        if fact.kind == "target" and fact.indicator and fact.indicator not in BY_CODE:
            label = collapse_spaces(str(fact.qualifiers.get("label") or fact.wording))
            seen.setdefault((fact.indicator, fact.province), PlanIndicator(fact.indicator, fact.province, label))
    return list(seen.values())


def _folded_blocks(plan, recipients: bool) -> str:
    chosen = [b.text for b in plan.structure.blocks if (b.section_kind == "recipients") == recipients]
    return fold(expand_aliases(" ".join(chosen)))
