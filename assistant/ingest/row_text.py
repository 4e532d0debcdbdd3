"""The text form of a table row whose cells are known (Word tables, PDF tables, scans): cells joined by tabs."""

from __future__ import annotations

import re

CELL_SEPARATOR = "\t"


def clean_cell(text: str) -> str:
    """A cell's text on one line: inner line breaks and tabs become spaces."""
    return re.sub(r"\s+", " ", text or "").strip()


def table_line(cells: list[str]) -> str:
    """One row: its cells joined by tabs (an empty cell stays as an empty field)."""
    return CELL_SEPARATOR.join(clean_cell(cell) for cell in cells)


def rows_to_text(rows: list[list[str]]) -> str:
    """A table: one tab-separated line per row, rows with no text dropped."""
    return "\n".join(table_line(row) for row in rows if any(clean_cell(c) for c in row))
