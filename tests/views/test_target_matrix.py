"""Target comparison on hand-built facts: cells, conflicts with both values and both citations, chart, CSV."""

from __future__ import annotations

import csv
import io

from assistant.views.target_matrix import build_matrix, matrix_csv, pivot_rows, series
from tests.views.facts import facts


def test_conflicts_keep_both_values_and_both_citations() -> None:
    matrix = build_matrix(facts())
    assert matrix.provinces == ["Phú Yên"] and matrix.years == [2025, 2030]
    cell = matrix.cell("converged_newsroom", "Phú Yên", 2025)
    assert cell is not None and cell.conflict
    assert [v.value for v in cell.values] == [40.0, 45.0]
    assert [v.source.quote.split("%")[0] for v in cell.values] == ["40", "45"]
    assert cell.label() == "⚠ 40% | 45%"
    assert not matrix.cell("converged_newsroom", "Phú Yên", 2030).conflict
    assert len(matrix.conflicts) == 1


def test_pivot_series_and_csv() -> None:
    matrix = build_matrix(facts())
    header, rows = pivot_rows(matrix)
    assert header == ["Chỉ tiêu", "Tỉnh", "2025", "2030"] and rows[0][1:] == ["Phú Yên", "⚠ 40% | 45%", "90%"]
    points = series(matrix, "converged_newsroom")
    assert [(p["year"], p["value"]) for p in points] == [(2025, 40.0), (2025, 45.0), (2030, 90.0)]
    table = list(csv.DictReader(io.StringIO(matrix_csv(matrix))))
    assert [r["conflict"] for r in table] == ["xung đột", "xung đột", ""]
    assert all(r["quote"] and r["plan_id"] == "phu-yen" for r in table)


def test_filters_that_match_nothing_say_so() -> None:
    empty = build_matrix(facts(), indicator="staff_training")
    assert empty.cells == [] and empty.message.startswith("Không có chỉ tiêu nào khớp bộ lọc")
    assert build_matrix(facts(), year=2030).years == [2030]
    assert build_matrix(facts(), province="phu yen").provinces == ["Phú Yên"]
