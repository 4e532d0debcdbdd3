"""Scoring extracted facts and metadata against the hand-written gold of a new plan (``gold.json``).

The gold format is the one helpers write for plans the extractor has never seen: targets with the plan's own
label, a national indicator code or null for an indicator the plan adds, year, value, unit (``%``, a count
unit as written, or ``named``), tasks by number with their units and time frame, reporting deadlines, units
with a duties paragraph, funding sources, legal-basis document numbers, and the plan's metadata.

Targets are matched one to one: a gold target with a code matches an extracted target with that code, year,
value, unit, revenue-growth qualifier and origin; one the plan adds (code null) matches an extracted target
with a derived code, the same year, value, unit and origin, whose wording shares most of the gold label's
syllables. Unit names are compared through the alias table (``Sở TT&TT`` = ``Sở Thông tin và Truyền thông``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.domain.indicators import BY_CODE
from assistant.domain.normalize import collapse_spaces, fold, words
from assistant.domain.units import canonical_unit, declared_aliases, split_units, unit_key
from assistant.facts.model import Fact

LABEL_OVERLAP = 0.6  # share of the gold label's syllables an extracted wording must contain
TASK_FIELDS = ("lead_units", "coordinating_units", "time_frame", "deliverable")
METADATA_KEYS = ("title", "plan_number", "issue_date", "issuing_body", "signer", "signer_title")
_RECURRENCE_SAME = {"": "một lần"}


def _text(value: str | None) -> str:
    return collapse_spaces(fold(value or "")).strip(" .;,:")


class UnitNames:
    """Unit comparison for one plan: the alias table, the abbreviations the plan declares, and its province
    name read as "tỉnh" ("Đài Phát thanh và Truyền hình Sóc Trăng" = "Đài PT&TH tỉnh")."""

    def __init__(self, province: str = "", text: str = "") -> None:
        self.province = fold(province)
        self.declared = declared_aliases(text) if text else {}

    def key(self, name: str) -> str:
        key = unit_key(canonical_unit(name, self.declared))
        if self.province:
            key = re.sub(rf"\b{re.escape(self.province)}\b", "tinh", key)
        key = re.sub(r"\btinh(?: tinh)+\b", "tinh", key)
        key = re.sub(r"\b(?:cua )?tinh$", "", key).strip()
        return re.sub(r"\s+", " ", key)

    def keys(self, names: list[str]) -> tuple[str, ...]:
        return tuple(sorted(self.key(n) for n in names if n.strip()))

    def listed(self, text: str) -> tuple[str, ...]:
        """Units of a list written in one string ("UBND tỉnh, Bộ Thông tin và Truyền thông")."""
        if not text:
            return ()
        from assistant.domain.units import is_unit_name

        parts: list[str] = []
        for piece in re.split(r"[,;]\s*", text):
            pieces = re.split(r"\s+và\s+", piece)
            current = pieces[0]
            for nxt in pieces[1:]:
                if is_unit_name(nxt):  # "UBND tỉnh và Bộ …" names two units; "Thông tin và Truyền thông" one
                    parts.append(current)
                    current = nxt
                else:
                    current = f"{current} và {nxt}"
            parts.append(current)
        return self.keys([u.name for part in parts for u in split_units(part, self.declared)])


_UNITS = UnitNames()


def _value(value: float | int | None) -> float | None:
    return None if value is None else round(float(value), 3)


def _same_measure(a: str, b: str) -> bool:
    """Units of measure agree: equal, or one is the other's first words ("chuyên mục" / "chuyên mục podcast")."""
    wa, wb = _text(a).split(), _text(b).split()
    shorter, longer = sorted((wa, wb), key=len)
    return bool(shorter) and longer[: len(shorter)] == shorter


def label_overlap(label: str, wording: str) -> float:
    """Share of the label's syllables (folded) that occur in the wording."""
    wanted = [fold(w) for w in words(label)]
    have = {fold(w) for w in words(wording)}
    return sum(1 for w in wanted if w in have) / len(wanted) if wanted else 0.0


@dataclass
class Score:
    """Matches of one kind: counts and the unmatched items on each side (for the report)."""

    kind: str
    true_positives: int = 0
    missed: list[Any] = field(default_factory=list)
    extra: list[Any] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return self.true_positives + len(self.missed)

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        found = self.true_positives + len(self.extra)
        return self.true_positives / found if found else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "expected": self.expected,
            "correct": self.true_positives,
            "recall": round(self.recall, 4),
            "precision": round(self.precision, 4),
            "missed": [str(m) for m in self.missed],
            "extra": [str(e) for e in self.extra],
        }


def _target_matches(gold: dict, fact: Fact) -> bool:
    if fact.year != gold["year"] or fact.origin != gold.get("origin", "body"):
        return False
    if gold["unit"] == "named":
        return fact.unit == "named" and _text(gold.get("value_text")) in _text(fact.value_text) + " "
    if _value(fact.value) != _value(gold["value"]) or not _same_measure(fact.unit, gold["unit"]):
        return False
    if fact.qualifiers.get("min_revenue_growth_pct") != gold.get("min_revenue_growth_pct"):
        return False
    code = gold.get("national")
    if code:
        return fact.indicator == code
    return fact.indicator not in BY_CODE and label_overlap(gold["label"], fact.wording) >= LABEL_OVERLAP


def score_targets(gold: list[dict], facts: list[Fact]) -> Score:
    score = Score("target")
    pool = [f for f in facts if f.kind == "target"]
    for item in gold:
        candidates = [f for f in pool if _target_matches(item, f)]
        if not candidates:
            score.missed.append(
                f"{item.get('national') or item['label']} {item['year']} = {item['value']} {item['unit']}"
            )
            continue
        best = max(candidates, key=lambda f: label_overlap(item["label"], f.wording))
        pool.remove(best)
        score.true_positives += 1
    score.extra = [f"{f.indicator} {f.year} = {f.value_text} ({f.wording[:50]})" for f in pool]
    return score


def score_tasks(gold: list[dict], facts: list[Fact], units: UnitNames = _UNITS) -> dict[str, Score]:
    """One score per task field: a task counts for a field when its number is found and the field agrees."""
    by_number: dict[str, list[Fact]] = {}
    for fact in facts:
        if fact.kind == "task":
            by_number.setdefault(fact.number, []).append(fact)
    scores = {name: Score(f"task.{name}") for name in ("task", *TASK_FIELDS)}
    for item in gold:
        found = by_number.pop(item["number"], [])
        fact = found[0] if found else None
        checks = {
            "task": fact is not None,
            "lead_units": fact is not None and units.keys(fact.lead_units) == units.keys(item["lead_units"]),
            "coordinating_units": fact is not None
            and units.keys(fact.coordinating_units) == units.keys(item["coordinating_units"]),
            "time_frame": fact is not None and _text(fact.time_frame) == _text(item["time_frame"]),
            "deliverable": fact is not None and _text(fact.deliverable) == _text(item.get("deliverable", "")),
        }
        for name, ok in checks.items():
            if ok:
                scores[name].true_positives += 1
            else:
                got = getattr(fact, name, None) if fact is not None and name != "task" else None
                scores[name].missed.append(f"{item['number']}: {item.get(name, item['number'])!r} ≠ {got!r}")
        for extra in found[1:]:
            scores["task"].extra.append(f"{extra.number} (twice)")
    for number in by_number:
        scores["task"].extra.append(number)
    return scores


def _deadline_key(day, month, recurrence) -> tuple:
    return (day, month, _RECURRENCE_SAME.get(recurrence or "", recurrence))


def score_deadlines(gold: list[dict], facts: list[Fact], units: UnitNames = _UNITS) -> dict[str, Score]:
    """Deadlines matched on day, month and recurrence; the recipient and the reporter scored on the matches."""
    pool = [f for f in facts if f.kind == "reporting_deadline"]
    scores = {name: Score(name) for name in ("reporting_deadline", "deadline.recipient", "deadline.reporter")}
    for item in gold:
        key = _deadline_key(item["day"], item["month"], item["recurrence"])
        match = next((f for f in pool if _deadline_key(f.day, f.month, f.recurrence) == key), None)
        if match is None:
            scores["reporting_deadline"].missed.append(f"{item['day']}/{item['month']} {item['recurrence']}")
            for name in ("deadline.recipient", "deadline.reporter"):
                scores[name].missed.append(item["text"][:60])
            continue
        pool.remove(match)
        scores["reporting_deadline"].true_positives += 1
        if units.listed(match.recipient) == units.listed(item["recipient"]):
            scores["deadline.recipient"].true_positives += 1
        else:
            scores["deadline.recipient"].missed.append(f"{item['recipient']!r} ≠ {match.recipient!r}")
        if units.listed(match.reporter) == units.listed(item["reporter"]):
            scores["deadline.reporter"].true_positives += 1
        else:
            scores["deadline.reporter"].missed.append(f"{item['reporter']!r} ≠ {match.reporter!r}")
    scores["reporting_deadline"].extra = [f"{f.day}/{f.month} {f.recurrence}" for f in pool]
    return scores


def _score_set(kind: str, gold: list[str], found: list[str]) -> Score:
    expected, got = set(gold), set(found)
    return Score(kind, len(expected & got), sorted(expected - got), sorted(got - expected))


def score_metadata(gold: dict, meta: dict[str, str]) -> Score:
    score = Score("metadata")
    for name in METADATA_KEYS:
        if _text(meta.get(name, "")) == _text(gold.get(name, "")):
            score.true_positives += 1
        else:
            score.missed.append(f"{name}: {gold.get(name)!r} ≠ {meta.get(name)!r}")
    return score


def plan_metadata(meta) -> dict[str, str]:
    """The gold's metadata fields from a loaded plan's metadata (signer split into name and title)."""
    name, _, title = (meta.signer or "").partition(", ")
    return {
        "title": meta.title,
        "plan_number": meta.plan_number,
        "issue_date": meta.issue_date,
        "issuing_body": meta.issuing_body,
        "signer": name,
        "signer_title": title,
    }


def score_plan(gold: dict, facts: list[Fact], metadata: dict[str, str] | None, text: str = "") -> dict[str, Score]:
    """Every kind's score for one plan (``facts``: that plan's facts; ``text``: its text, for its abbreviations)."""
    units = UnitNames(gold.get("province", ""), text)
    scores: dict[str, Score] = {"target": score_targets(gold.get("targets", []), facts)}
    scores.update(score_tasks(gold.get("tasks", []), facts, units))
    scores.update(score_deadlines(gold.get("reporting_deadlines", []), facts, units))
    scores["responsibility"] = _score_set(
        "responsibility",
        [units.key(u) for u in gold.get("responsibilities", [])],
        [units.key(f.responsible_unit) for f in facts if f.kind == "responsibility"],
    )
    scores["funding"] = _score_set("funding", gold.get("funding", []), [f.source for f in facts if f.kind == "funding"])
    scores["legal_basis"] = _score_set(
        "legal_basis", gold.get("legal_basis", []), [f.doc_number for f in facts if f.kind == "legal_basis"]
    )
    if metadata is not None:
        scores["metadata"] = score_metadata(gold.get("metadata", {}), metadata)
    return scores


def load_plan_gold(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def summary_table(results: dict[str, dict[str, Score]]) -> str:
    """A Markdown table: one row per plan, one column per kind (correct/expected, and precision when < 100%)."""
    kinds = list(next(iter(results.values())).keys()) if results else []
    lines = ["| plan | " + " | ".join(kinds) + " |", "|---|" + "---|" * len(kinds)]
    for plan, scores in results.items():
        cells = []
        for kind in kinds:
            s = scores[kind]
            cell = f"{s.true_positives}/{s.expected}"
            if s.extra:
                cell += f" (+{len(s.extra)})"
            cells.append(cell)
        lines.append(f"| {plan} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
