"""Scoring of extracted facts against the hand-checked gold standard in ``evals/facts_gold/``.

Each gold file (one per plan id) lists the expected targets, tasks, reporting deadlines, responsible units,
funding sources and legal-basis documents. Facts are compared by a key per kind (for targets: indicator,
year, value, unit, revenue-growth qualifier, origin; for tasks: number, lead and coordinating units, time
frame, deliverable; for deadlines: reporter, recipient, via, day, month, recurrence), with unit names and
free text compared after canonicalization and diacritic folding.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from assistant.domain.normalize import collapse_spaces, fold
from assistant.domain.units import unit_key
from assistant.facts.kinds import KINDS
from assistant.facts.model import Fact


def _text_key(text: str | None) -> str:
    return collapse_spaces(fold(text or "")).strip(" .;,")


def _units_key(units: list[str]) -> tuple[str, ...]:
    return tuple(sorted(unit_key(u) for u in units))


def _number(value: float | int | None) -> float | None:
    return None if value is None else round(float(value), 3)


def key_of_fact(fact: Fact) -> tuple:
    if fact.kind == "target":
        value_text = _text_key(fact.value_text) if fact.unit == "named" else ""
        return (
            fact.plan_id,
            fact.indicator,
            fact.year,
            _number(fact.value),
            fact.unit,
            fact.qualifiers.get("min_revenue_growth_pct"),
            fact.origin,
            value_text,
        )
    if fact.kind == "task":
        return (
            fact.plan_id,
            fact.number,
            _units_key(fact.lead_units),
            _units_key(fact.coordinating_units),
            _text_key(fact.time_frame),
            _text_key(fact.deliverable),
        )
    if fact.kind == "reporting_deadline":
        return (
            fact.plan_id,
            unit_key(fact.reporter),
            unit_key(fact.recipient),
            unit_key(fact.via) if fact.via else "",
            fact.day,
            fact.month,
            fact.recurrence,
        )
    if fact.kind == "responsibility":
        return (fact.plan_id, unit_key(fact.responsible_unit))
    if fact.kind == "funding":
        return (fact.plan_id, fact.source)
    return (fact.plan_id, fact.doc_number)


def key_of_gold(plan_id: str, kind: str, item) -> tuple:
    if kind == "target":
        value_text = _text_key(item.get("value_text")) if item["unit"] == "named" else ""
        return (
            plan_id,
            item["indicator"],
            item["year"],
            _number(item["value"]),
            item["unit"],
            item.get("min_revenue_growth_pct"),
            item.get("origin", "body"),
            value_text,
        )
    if kind == "task":
        return (
            plan_id,
            item["number"],
            _units_key(item["lead_units"]),
            _units_key(item["coordinating_units"]),
            _text_key(item["time_frame"]),
            _text_key(item.get("deliverable", "")),
        )
    if kind == "reporting_deadline":
        return (
            plan_id,
            unit_key(item["reporter"]),
            unit_key(item["recipient"]),
            unit_key(item["via"]) if item.get("via") else "",
            item["day"],
            item["month"],
            item["recurrence"],
        )
    if kind == "responsibility":
        return (plan_id, unit_key(item))
    return (plan_id, item)


@dataclass
class KindScore:
    kind: str
    true_positives: int
    false_positives: list[tuple]
    false_negatives: list[tuple]

    @property
    def precision(self) -> float:
        found = self.true_positives + len(self.false_positives)
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + len(self.false_negatives)
        return self.true_positives / expected if expected else 1.0


def load_gold(gold_dir: Path) -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(gold_dir.glob("*.json"))}


def score(facts: list[Fact], gold: dict[str, dict]) -> dict[str, KindScore]:
    """Precision/recall per kind over the plans that have a gold file (multiset comparison of keys)."""
    scores: dict[str, KindScore] = {}
    for fact_kind in KINDS:
        kind = fact_kind.name
        expected = Counter(
            key_of_gold(plan_id, kind, item)
            for plan_id, entry in gold.items()
            for item in entry.get(fact_kind.gold_field, [])
        )
        extracted = Counter(key_of_fact(f) for f in facts if f.kind == kind and f.plan_id in gold)
        if kind == "responsibility":
            extracted = Counter(set(extracted))  # several duties paragraphs of one unit count once
        common = expected & extracted
        scores[kind] = KindScore(
            kind=kind,
            true_positives=sum(common.values()),
            false_positives=sorted((extracted - expected).elements(), key=str),
            false_negatives=sorted((expected - extracted).elements(), key=str),
        )
    return scores
