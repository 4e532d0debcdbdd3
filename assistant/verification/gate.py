"""Verification gate: every number, year, date, unit name and document number in an answer must be backed.

Input: the final answer text, its citations, and the fact rows it used. Output: a
:class:`~assistant.schema.Verification` with one :class:`~assistant.schema.Claim` per checkable statement.
A claim is verified only when it matches a value of a used fact or appears in one of the cited quotes
(after whitespace, date-format and unit-alias normalization). Nothing else can mark a claim verified, so a
later phrasing step (an optional LLM, a template change) cannot slip in an unsupported number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.domain.normalize import collapse_spaces, fold
from assistant.domain.units import UnitMatcher, expand_aliases
from assistant.facts.model import Fact
from assistant.schema import Citation, Claim, Verification

PERCENT_RE = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,]\d+)?)\s?%")
DOCUMENT_RE = re.compile(r"\b\d+[\w.-]*/(?:\d{4}/)?[A-ZĐ][\wĐđ]*(?:-[\wĐđ]+)*")
DATE_RE = re.compile(r"\b(\d{1,2})\s*(?:/|tháng)\s*(\d{1,2})(?:\s*(?:/|năm)\s*(\d{4}))?\b")
YEAR_RE = re.compile(r"\b(20\d\d)\b")
NUMBER_RE = re.compile(r"(?<![\w.,/])(\d+(?:\.\d+)?)(?![\w/%])")
MARKER_RE = re.compile(r"\[\d+\]")


@dataclass
class _Span:
    start: int
    end: int


def normalize_for_matching(text: str) -> str:
    """Folded, aliases expanded, dates as d/m, spaces collapsed: the form claims and quotes are compared in."""
    text = expand_aliases(text)
    text = DATE_RE.sub(_date_key, text)
    text = re.sub(r"(\d)\s+%", r"\1%", text)
    return collapse_spaces(fold(text))


class AnswerVerifier:
    """Extracts the claims of an answer and checks each one (see the module docstring)."""

    def __init__(self, unit_names: list[str] | None = None) -> None:
        self.units = UnitMatcher(unit_names or [])

    def claims(self, text: str) -> list[tuple[str, str]]:
        """(claim text, kind) for every checkable statement in ``text``, in order."""
        text = MARKER_RE.sub(" ", text)
        taken: list[_Span] = []
        found: list[tuple[int, str, str]] = []

        def free(start: int, end: int) -> bool:
            return all(end <= s.start or start >= s.end for s in taken)

        for kind, pattern in (("document", DOCUMENT_RE), ("percent", PERCENT_RE), ("date", DATE_RE)):
            for match in pattern.finditer(text):
                if kind == "date" and not _is_date(match):
                    continue
                if free(match.start(), match.end()):
                    taken.append(_Span(match.start(), match.end()))
                    found.append((match.start(), match.group(0), kind))
        for match in YEAR_RE.finditer(text):
            if free(match.start(), match.end()):
                taken.append(_Span(match.start(), match.end()))
                found.append((match.start(), match.group(0), "year"))
        for match in NUMBER_RE.finditer(text):
            if free(match.start(), match.end()):
                taken.append(_Span(match.start(), match.end()))
                found.append((match.start(), match.group(0), "number"))
        for start, end, _ in self.units.occurrences(text):  # longest names first
            if free(start, end):
                taken.append(_Span(start, end))
                found.append((start, text[start:end], "unit"))
        return [(claim, kind) for _, claim, kind in sorted(found)]

    def run(self, text: str, citations: list[Citation], facts: list[Fact], question: str = "") -> Verification:
        """Check every claim. A claim that only repeats the question ("không có chỉ tiêu cho năm 2027") is
        the user's words, not the assistant's: it is left out unless a fact or quote backs it."""
        quotes = [(c.n, normalize_for_matching(c.quote)) for c in citations]
        asked = normalize_for_matching(question)
        fact_values = [(f.id, _fact_values(f)) for f in facts]
        claims: list[Claim] = []
        for claim_text, kind in self.claims(text):
            needle = normalize_for_matching(claim_text)
            fact_id = next((fid for fid, values in fact_values if needle in values), None)
            citation = None
            if fact_id is None:
                citation = next((n for n, quote in quotes if _contains(quote, needle, kind)), None)
            verified = fact_id is not None or citation is not None
            if not verified and asked and _contains(asked, needle, kind):
                continue
            claims.append(Claim(text=claim_text, kind=kind, verified=verified, fact_id=fact_id, citation=citation))
        if not claims:
            status = "no_claims"
        elif all(c.verified for c in claims):
            status = "verified"
        elif any(c.verified for c in claims):
            status = "partially_verified"
        else:
            status = "not_verified"
        return Verification(status=status, claims=claims)


def _date_key(match: re.Match) -> str:
    key = f"{int(match.group(1))}/{int(match.group(2))}"
    return f"{key}/{match.group(3)}" if match.group(3) else key


def _is_date(match: re.Match) -> bool:
    day, month = int(match.group(1)), int(match.group(2))
    return 1 <= day <= 31 and 1 <= month <= 12


def _contains(quote: str, needle: str, kind: str) -> bool:
    if kind in {"number", "year", "percent"}:
        return re.search(rf"(?<![\d.,]){re.escape(needle)}(?![\d])", quote) is not None
    return needle in quote


def _fact_values(fact: Fact) -> set[str]:
    """The normalized values a fact vouches for."""
    values: set[str] = set()

    def add(value) -> None:
        if value is None or value == "":
            return
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        values.add(normalize_for_matching(str(value)))

    add(fact.year)
    if fact.value is not None:
        number = int(fact.value) if float(fact.value).is_integer() else fact.value
        add(number)
        add(f"{number}%" if fact.unit == "%" else number)
        if fact.unit == "cơ quan":
            add(f"{int(fact.value):02d}")
    for value in fact.qualifiers.values():
        if isinstance(value, int | float):
            add(value)
            add(f"{value}%")
    add(fact.number)
    add(fact.start_year)
    add(fact.end_year)
    if fact.day and fact.month:
        add(f"{fact.day}/{fact.month}")
    for name in [
        *fact.lead_units,
        *fact.coordinating_units,
        fact.reporter,
        fact.recipient,
        fact.via,
        fact.responsible_unit,
        fact.issuer,
    ]:
        add(name)
    add(fact.doc_number)
    return values
