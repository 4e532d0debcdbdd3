"""Answer-time evidence check: cited quotes are the plan text at their spans; used facts' values are in their quotes.

The verification gate (:mod:`assistant.verification.gate`) compares the answer's claims with the quotes and facts
it was given; this module checks those quotes and facts against the plans themselves, so that a facts table or
an index that no longer matches the plan text (edited, stale, damaged) cannot back an answer. ``check_evidence``
returns one line per problem found (empty when all evidence holds); the engine turns any problem into a
``not_verified`` answer and logs it as an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.domain.normalize import collapse_spaces, fold
from assistant.facts.model import Fact
from assistant.ingest.corpus import Corpus
from assistant.schema import Citation

NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)?")
THOUSANDS_RE = re.compile(r"\d{1,3}(?:\.\d{3})+")
YEAR_RANGE_RE = re.compile(r"\b(20\d\d)\s*[-–]\s*(20\d\d)\b")
# Fields that hold text as the plan writes it: each must be found in the fact's own quote.
WRITTEN_FIELDS = (
    "wording",
    "number",
    "content",
    "lead_units_original",
    "coordinating_units_original",
    "deliverable",
    "time_frame",
    "unit_original",
    "duties",
    "doc_number",
)
NUMERIC_FIELDS = ("day", "month", "start_year", "end_year")


@dataclass(frozen=True)
class EvidenceProblem:
    """One piece of evidence that does not hold: what it is (citation [n] or fact id) and what is wrong."""

    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.detail}"


def _matchable(text: str) -> str:
    return collapse_spaces(fold(text))


def _numbers(text: str) -> set[float]:
    """The numbers a text writes, "500.000" read both as five hundred thousand and as 500.0."""
    found = {float(token.replace(",", ".")) for token in NUMBER_RE.findall(text)}
    return found | {float(token.replace(".", "")) for token in THOUSANDS_RE.findall(text)}


def check_citation(citation: Citation, corpus: Corpus) -> list[EvidenceProblem]:
    """The quote of ``citation`` must be exactly its plan's text at ``[start, end)``."""
    subject = f"citation [{citation.n}] ({citation.plan_id} {citation.start}-{citation.end})"
    plan = corpus.get(citation.plan_id)
    if plan is None:
        return [EvidenceProblem(subject, "the plan is not in the loaded corpus")]
    if not 0 <= citation.start < citation.end <= len(plan.text):
        return [EvidenceProblem(subject, f"span outside the plan text ({len(plan.text)} characters)")]
    if plan.text[citation.start : citation.end] != citation.quote:
        return [EvidenceProblem(subject, "the quote differs from the plan text at its span")]
    return []


def check_fact(fact: Fact, corpus: Corpus) -> list[EvidenceProblem]:
    """The fact's quote must be its plan's text at its span, and each value it states must appear in that quote."""
    subject = f"fact {fact.id}"
    plan = corpus.get(fact.plan_id)
    if plan is None:
        return [EvidenceProblem(subject, "the plan is not in the loaded corpus")]
    if not 0 <= fact.start < fact.end <= len(plan.text) or plan.text[fact.start : fact.end] != fact.quote:
        return [EvidenceProblem(subject, "its quote differs from the plan text at its span")]
    quote = _matchable(fact.quote)
    numbers = _numbers(fact.quote)
    problems = []
    lead_span = fact.qualifiers.get("lead_span") if fact.kind == "task" else None
    for name in WRITTEN_FIELDS:
        value = getattr(fact, name)
        if name == "lead_units_original" and lead_span:  # the lead is given by the group row the task is under
            if _matchable(str(value)) not in _matchable(plan.text[lead_span[0] : lead_span[1]]):
                problems.append(EvidenceProblem(subject, f"lead {str(value)[:60]!r} is not in its group row"))
            continue
        if name == "wording" and fact.qualifiers.get("clause_end"):  # one year's quote of a clause of several
            clause = _matchable(plan.text[fact.start : fact.qualifiers["clause_end"]])
            if _matchable(str(value)) not in clause:
                problems.append(EvidenceProblem(subject, f"wording {str(value)[:60]!r} is not in its clause"))
            continue
        if value and _matchable(str(value)) not in quote:
            problems.append(EvidenceProblem(subject, f"{name} {str(value)[:60]!r} is not in its quote"))
    if fact.kind == "reporting_deadline" or fact.origin == "appendix":
        # "25/11" stands for "25 tháng 11"; a table's "150 sản phẩm" is a value cell and a unit cell: the numbers
        if fact.value_text and not _numbers(fact.value_text) <= numbers:
            problems.append(EvidenceProblem(subject, f"value {fact.value_text!r} is not in its quote"))
    elif fact.value_text and _matchable(fact.value_text) not in quote:
        problems.append(EvidenceProblem(subject, f"value_text {fact.value_text[:60]!r} is not in its quote"))
    if fact.doc_date and not _numbers(fact.doc_date) <= numbers:  # ISO date against "06/4/2023"
        problems.append(EvidenceProblem(subject, f"doc_date {fact.doc_date} is not in its quote"))
    if fact.value is not None and float(fact.value) not in numbers:
        problems.append(EvidenceProblem(subject, f"value {fact.value:g} is not in its quote"))
    for name in NUMERIC_FIELDS:
        value = getattr(fact, name)
        if value is not None and float(value) not in numbers:
            problems.append(EvidenceProblem(subject, f"{name} {value} is not in its quote"))
    if fact.year is not None and not _year_backed(fact, plan.text):
        problems.append(EvidenceProblem(subject, f"year {fact.year} is in neither its quote nor its section"))
    return problems


def _year_backed(fact: Fact, plan_text: str) -> bool:
    """A target's year is in its quote, in its section heading, in its table's header (a column per year), or
    inside a period the heading names."""
    year = str(fact.year)
    if year in fact.quote or year in fact.section:
        return True
    header = fact.qualifiers.get("header_span")
    if header and year in plan_text[header[0] : header[1]]:
        return True
    return any(int(a) <= int(fact.year) <= int(b) for a, b in YEAR_RANGE_RE.findall(fact.section))


def check_evidence(citations: Iterable[Citation], facts: Iterable[Fact], corpus: Corpus) -> list[EvidenceProblem]:
    """Every problem with the evidence of one answer (see the module docstring); empty when it all holds."""
    problems: list[EvidenceProblem] = []
    for citation in citations:
        problems += check_citation(citation, corpus)
    for fact in facts:
        problems += check_fact(fact, corpus)
    return problems
