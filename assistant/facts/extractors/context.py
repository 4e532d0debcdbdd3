"""What an extractor reads: the plan, its per-plan state that numbers the facts, and the interface of an extractor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from assistant.domain.units import declared_aliases
from assistant.facts.kinds import FactKindName
from assistant.facts.model import Fact
from assistant.ingest.structure import PlanStructure, Table


@dataclass
class PlanText:
    """What the extractor needs of a plan: ids, the clean text, its structure."""

    plan_id: str
    province: str
    text: str
    structure: PlanStructure


class PlanContext:
    """One run over one plan: the plan, the abbreviations it declares, and the counter that numbers its facts
    (``{plan_id}:{kind}:{counter}``, shared by every kind, so the ids follow the order facts are made in)."""

    def __init__(self, plan: PlanText) -> None:
        self.plan = plan
        self.counter = 0
        self.declared = declared_aliases(plan.text)

    def fact(self, kind: str, section: str, origin: str, start: int, end: int, **fields: Any) -> Fact:
        self.counter += 1
        return Fact(
            id=f"{self.plan.plan_id}:{kind}:{self.counter}",
            plan_id=self.plan.plan_id,
            province=self.plan.province,
            kind=kind,
            section=section,
            origin=origin,
            start=start,
            end=end,
            quote=self.plan.text[start:end],
            **fields,
        )


class Extractor:
    """The facts of one kind. A run calls, in the order the extractors are listed: every extractor's
    :meth:`before_tables`, then for each appendix table, in the plan's order, :meth:`from_table` of the first
    extractor that :meth:`reads_table` it, then every extractor's :meth:`after_tables`."""

    kind: ClassVar[FactKindName]

    def before_tables(self, ctx: PlanContext) -> list[Fact]:
        """Facts of the body read before the appendix tables."""
        return []

    def reads_table(self, table: Table) -> bool:
        """Whether this extractor reads the facts of ``table``."""
        return False

    def from_table(self, ctx: PlanContext, table: Table) -> list[Fact]:
        """Facts of one appendix table this extractor reads."""
        return []

    def after_tables(self, ctx: PlanContext, earlier: list[Fact]) -> list[Fact]:
        """Facts of the body read after the appendix tables (``earlier``: the plan's facts made before)."""
        return []
