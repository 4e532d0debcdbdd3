"""A draft answer (text with [n] markers, citations, facts used, status, route) and the numbering of its citations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from assistant.facts.model import Fact
from assistant.ingest.corpus import Corpus
from assistant.schema import Citation


@dataclass
class Draft:
    text: str
    status: Literal["answered", "not_found"]
    route: Literal["facts", "passages", "none"]
    citations: list[Citation] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    province: str | None = None
    route_detail: str = ""  # the name of the route that wrote it (set by the registry)
    # What the draft states, for the "addresses the question" gate: the attribute, and what was computed from
    # the facts (a difference, a count), each with the facts it came from.
    states: str | None = None
    computed: list[tuple[str, float, list[Fact]]] = field(default_factory=list)
    prose: bool = False  # sentences chosen from the plans' prose by how well they match: not confirmed by facts


class Citations:
    """Numbers citations in order of first use; the same span cited twice keeps one number."""

    def __init__(self, corpus: Corpus, items: list[Citation] | None = None) -> None:
        self.corpus = corpus
        self.items: list[Citation] = items if items is not None else []

    def cite(self, plan_id: str, start: int, end: int, section: str) -> str:
        for item in self.items:
            if item.plan_id == plan_id and item.start == start and item.end == end:
                return f"[{item.n}]"
        plan = self.corpus.get(plan_id)
        n = len(self.items) + 1
        self.items.append(
            Citation(
                n=n,
                plan_id=plan_id,
                province=plan.province,
                section=section or "Mở đầu",
                quote=plan.text[start:end],
                start=start,
                end=end,
            )
        )
        return f"[{n}]"

    def fact(self, fact: Fact) -> str:
        return self.cite(fact.plan_id, fact.start, fact.end, fact.section)
