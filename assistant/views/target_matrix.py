"""Target comparison: indicator × province × year from the target facts, conflicts marked with both values and both
citations, the series of one indicator for a chart, and CSV.

A cell holds every target a plan sets for that indicator and year (a body target and an appendix row may both
be there, with other qualifiers such as the minimum revenue growth); it is a conflict when two of its targets
share a ``conflict_group`` (same plan, indicator, year and qualifier, another value: see
:func:`assistant.facts.extract.mark_conflicts`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.domain.indicators import BY_CODE
from assistant.domain.normalize import fold
from assistant.facts.model import Fact
from assistant.views.sources import Source

CSV_COLUMNS = [
    "indicator",
    "indicator_label",
    "province",
    "year",
    "value",
    "unit",
    "value_text",
    "qualifiers",
    "conflict",
    "origin",
    "plan_id",
    "section",
    "start",
    "end",
    "quote",
]


@dataclass(frozen=True)
class TargetValue:
    """One target in a cell: its value as written and as a number, its qualifiers, and its span."""

    value: float | None
    unit: str
    value_text: str
    label: str  # "33% (tăng doanh thu tối thiểu 20%)"
    qualifiers: dict[str, Any]
    origin: str
    conflict_group: str
    fact_id: str
    source: Source

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class MatrixCell:
    indicator: str
    indicator_label: str
    province: str
    year: int
    values: list[TargetValue] = field(default_factory=list)

    @property
    def conflict(self) -> bool:
        groups = [v.conflict_group for v in self.values if v.conflict_group]
        return len(groups) != len(set(groups))

    def label(self) -> str:
        """The cell as text: its values, "⚠ … ≠ …" around the values in conflict."""
        labels = list(dict.fromkeys(v.label for v in self.values))
        text = " | ".join(labels)
        return f"⚠ {text}" if self.conflict else text

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "indicator_label": self.indicator_label,
            "province": self.province,
            "year": self.year,
            "conflict": self.conflict,
            "label": self.label(),
            "values": [v.to_dict() for v in self.values],
        }


@dataclass
class TargetMatrix:
    indicators: list[tuple[str, str]]  # (code, label)
    provinces: list[str]
    years: list[int]
    cells: list[MatrixCell]
    message: str = ""

    def cell(self, indicator: str, province: str, year: int) -> MatrixCell | None:
        for cell in self.cells:
            if (cell.indicator, cell.province, cell.year) == (indicator, province, year):
                return cell
        return None

    @property
    def conflicts(self) -> list[MatrixCell]:
        return [c for c in self.cells if c.conflict]

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicators": [{"code": c, "label": label} for c, label in self.indicators],
            "provinces": self.provinces,
            "years": self.years,
            "cells": [c.to_dict() for c in self.cells],
            "conflicts": len(self.conflicts),
            "message": self.message,
        }


def indicator_label(code: str) -> str:
    indicator = BY_CODE.get(code)
    return indicator.label_vi if indicator else code


def value_label(fact: Fact) -> str:
    text = fact.value_text or ("" if fact.value is None else f"{fact.value:g}")
    if fact.unit == "cơ quan" and text:
        text = f"{text} cơ quan"
    notes = []
    growth = fact.qualifiers.get("min_revenue_growth_pct")
    if growth is not None:
        notes.append(f"tăng doanh thu tối thiểu {growth:g}%")
    if fact.qualifiers.get("recurrence"):
        notes.append(str(fact.qualifiers["recurrence"]))
    if fact.qualifiers.get("baseline_year"):
        notes.append(f"so với năm {fact.qualifiers['baseline_year']}")
    return text + (f" ({'; '.join(notes)})" if notes else "")


def build_matrix(
    facts: list[Fact],
    indicator: str | None = None,
    province: str | None = None,
    year: int | None = None,
) -> TargetMatrix:
    """The matrix of the target facts matching the filters (each None: all)."""
    wanted = fold(province) if province else None
    cells: dict[tuple[str, str, int], MatrixCell] = {}
    for fact in facts:
        if fact.kind != "target" or fact.year is None:
            continue
        if indicator and fact.indicator != indicator:
            continue
        if wanted is not None and fold(fact.province) != wanted:
            continue
        if year is not None and fact.year != year:
            continue
        key = (fact.indicator, fact.province, fact.year)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = MatrixCell(fact.indicator, indicator_label(fact.indicator), fact.province, fact.year)
        cell.values.append(
            TargetValue(
                value=fact.value,
                unit=fact.unit,
                value_text=fact.value_text,
                label=value_label(fact),
                qualifiers=dict(fact.qualifiers),
                origin=fact.origin,
                conflict_group=fact.conflict_group,
                fact_id=fact.id,
                source=Source.of(fact),
            )
        )
    order = {code: n for n, code in enumerate(BY_CODE)}
    codes = sorted({c.indicator for c in cells.values()}, key=lambda c: (order.get(c, 999), c))
    provinces = list(
        dict.fromkeys(
            f.province for f in facts if f.kind == "target" and f.province in {c.province for c in cells.values()}
        )
    )
    years = sorted({c.year for c in cells.values()})
    ordered = sorted(cells.values(), key=lambda c: (order.get(c.indicator, 999), provinces.index(c.province), c.year))
    matrix = TargetMatrix([(c, indicator_label(c)) for c in codes], provinces, years, ordered)
    if not ordered:
        parts = [p for p in (indicator and indicator_label(indicator), province, year and f"năm {year}") if p]
        matrix.message = (
            "Không có chỉ tiêu nào khớp bộ lọc" + (f" ({', '.join(map(str, parts))})" if parts else "") + "."
        )
    return matrix


def pivot_rows(matrix: TargetMatrix) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the matrix as a table: one row per indicator and province, one column per year."""
    header = ["Chỉ tiêu", "Tỉnh", *[str(y) for y in matrix.years]]
    rows = []
    for code, label in matrix.indicators:
        for province in matrix.provinces:
            cells = [matrix.cell(code, province, y) for y in matrix.years]
            if any(cells):
                rows.append([label, province, *[c.label() if c else "" for c in cells]])
    return header, rows


def series(matrix: TargetMatrix, indicator: str) -> list[dict[str, Any]]:
    """Points (year, value, province) of one indicator for a chart: percentage targets only, one per plan and
    year (the cell's first, with a conflict's other values as points of their own)."""
    points = []
    for cell in matrix.cells:
        if cell.indicator != indicator:
            continue
        for value in cell.values:
            if value.unit == "%" and value.value is not None:
                points.append(
                    {
                        "year": cell.year,
                        "value": value.value,
                        "province": cell.province,
                        "label": value.label,
                        "conflict": cell.conflict,
                    }
                )
    unique = {(p["year"], p["province"], p["value"]): p for p in points}
    return sorted(unique.values(), key=lambda p: (p["province"], p["year"], p["value"]))


def flat_rows(matrix: TargetMatrix) -> list[dict[str, Any]]:
    """One row per target of the matrix, with its cell's conflict mark and its citation."""
    rows = []
    for cell in matrix.cells:
        for value in cell.values:
            source = value.source
            rows.append(
                {
                    "indicator": cell.indicator,
                    "indicator_label": cell.indicator_label,
                    "province": cell.province,
                    "year": cell.year,
                    "value": value.value,
                    "unit": value.unit,
                    "value_text": value.value_text,
                    "qualifiers": "; ".join(f"{k}={v}" for k, v in value.qualifiers.items()),
                    "conflict": "xung đột" if cell.conflict and value.conflict_group else "",
                    "origin": value.origin,
                    "plan_id": source.plan_id,
                    "section": source.section,
                    "start": source.start,
                    "end": source.end,
                    "quote": source.quote,
                }
            )
    return rows


def matrix_csv(matrix: TargetMatrix) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in flat_rows(matrix):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()
