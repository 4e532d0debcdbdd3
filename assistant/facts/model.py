"""The facts table's row: one :class:`Fact` per target, task, reporting deadline, responsibility, funding source
or legal basis, with the span of the plan text it was read from (kinds: :mod:`assistant.facts.kinds`)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Fact:
    """One row of the facts table; fields that do not apply to a kind stay empty."""

    id: str
    plan_id: str
    province: str
    kind: str
    section: str
    origin: str  # body | appendix | footnote
    start: int
    end: int
    quote: str
    # target
    indicator: str = ""
    wording: str = ""
    year: int | None = None
    value: float | None = None
    unit: str = ""  # "%" | "cơ quan" | "named" (the value is a list of named agencies)
    value_text: str = ""
    qualifiers: dict[str, Any] = field(default_factory=dict)
    conflict_group: str = ""
    # task
    number: str = ""
    content: str = ""
    lead_units: list[str] = field(default_factory=list)
    lead_units_original: str = ""
    coordinating_units: list[str] = field(default_factory=list)
    coordinating_units_original: str = ""
    deliverable: str = ""
    time_frame: str = ""
    time_frame_kind: str = ""  # range | year | ongoing | after_guidance | on_request | yearly | other
    start_year: int | None = None
    end_year: int | None = None
    parent: str = ""
    # reporting_deadline
    reporter: str = ""
    recipient: str = ""
    via: str = ""
    forward_to: str = ""  # who the recipient then reports to ("để tổng hợp, báo cáo Bộ …")
    day: int | None = None
    month: int | None = None
    recurrence: str = ""
    # responsibility / funding / legal_basis
    responsible_unit: str = ""
    unit_original: str = ""
    duties: str = ""
    source: str = ""  # funding source code
    doc_type: str = ""
    doc_number: str = ""
    doc_date: str = ""
    issuer: str = ""
    subject: str = ""  # what a cited document is about ("về việc ban hành Bộ Chỉ số …")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def unit_names(facts: list[Fact]) -> list[str]:
    """Every agency the facts name: task leads and partners, units with duties, reporters and recipients, and the
    outlets a target names ("Tạp chí Văn nghệ Lai Châu được cấp phép lại")."""
    names = {
        u
        for f in facts
        for u in [*f.lead_units, *f.coordinating_units, f.responsible_unit, f.reporter, f.recipient, f.via]
        if u
    }
    for fact in facts:
        if fact.kind == "target" and fact.unit == "named":
            names |= {n.strip() for n in re.split(r",|\svà\s", fact.value_text) if n.strip()}
        names |= set(fact.qualifiers.get("agencies", []))
    return sorted(names)
