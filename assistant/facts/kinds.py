"""The registry of fact kinds: for each, its name, Vietnamese label, the columns that show it and its gold key.

Every stage that lists fact kinds reads them here: the extractor and the facts table, the gold scoring
(``evals/facts_gold/<plan>.json`` holds one list per kind under :attr:`FactKind.gold_field`), the ingestion
report, the API's ``kind`` filter, the CLI's ``facts show`` and the chat page's facts table. Adding a fact kind
is one entry here plus its extractor (one file under :mod:`assistant.facts.extractors`, listed in
:data:`assistant.facts.extract.EXTRACTORS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

FactKindName = Literal["target", "task", "reporting_deadline", "responsibility", "funding", "legal_basis"]


@dataclass(frozen=True)
class FactKind:
    """One kind of fact: what it is called, how it is shown, and where its gold rows are."""

    name: FactKindName
    label: str  # Vietnamese, as the chat page and the documents show it
    columns: tuple[str, ...]  # the :class:`~assistant.facts.model.Fact` fields that describe a fact of this kind
    gold_field: str  # the list of this kind in a gold file


KINDS: tuple[FactKind, ...] = (
    FactKind(
        "target", "Chỉ tiêu", ("indicator", "year", "value_text", "qualifiers", "origin", "conflict_group"), "targets"
    ),
    FactKind(
        "task",
        "Nhiệm vụ",
        ("number", "content", "lead_units", "coordinating_units", "deliverable", "time_frame"),
        "tasks",
    ),
    FactKind(
        "reporting_deadline",
        "Chế độ báo cáo",
        ("reporter", "recipient", "via", "day", "month", "recurrence"),
        "reporting_deadlines",
    ),
    FactKind("responsibility", "Trách nhiệm thực hiện", ("responsible_unit", "duties"), "responsibilities"),
    FactKind("funding", "Kinh phí", ("source", "value_text"), "funding"),
    FactKind(
        "legal_basis", "Căn cứ pháp lý", ("doc_type", "doc_number", "doc_date", "issuer", "origin"), "legal_basis"
    ),
)
BY_NAME: dict[str, FactKind] = {kind.name: kind for kind in KINDS}
FACT_KINDS: tuple[str, ...] = tuple(BY_NAME)  # the names, in the order the plans' template gives them

assert get_args(FactKindName) == FACT_KINDS, "FactKindName and KINDS must list the same kinds"


def label_of(name: str) -> str:
    """The Vietnamese label of a kind (the name itself for an unknown one)."""
    kind = BY_NAME.get(name)
    return kind.label if kind else name


def kind_named(label_or_name: str) -> FactKind | None:
    """The kind a name or a Vietnamese label designates, None when none does."""
    return BY_NAME.get(label_or_name) or next((k for k in KINDS if k.label == label_or_name), None)
