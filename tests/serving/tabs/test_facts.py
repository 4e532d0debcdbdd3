"""The facts tab: rows filtered by province, kind and year (a span of years counts for each of its years), readable
columns for each kind, and a CSV named after the filters, with a BOM for spreadsheet programs."""

from __future__ import annotations

from assistant.serving.tabs.facts import (
    ALL_KINDS,
    ALL_YEARS,
    COLUMNS,
    KIND_LABELS,
    fact_years,
    facts_frame,
    facts_widths,
    filter_facts,
    write_csv,
)


def test_filters(facts) -> None:
    everything = filter_facts(facts, "Tất cả các tỉnh", ALL_KINDS, ALL_YEARS)
    assert everything == facts
    targets = filter_facts(facts, "Lai Châu", KIND_LABELS["target"], "2025")
    assert targets and all(f.province == "Lai Châu" and f.kind == "target" and 2025 in fact_years(f) for f in targets)
    assert filter_facts(facts, "Lai Châu", KIND_LABELS["target"], "1999") == []


def test_columns_for_each_kind(facts) -> None:
    tasks = filter_facts(facts, None, KIND_LABELS["task"], None)
    frame = facts_frame(tasks, KIND_LABELS["task"])
    assert list(frame.columns) == [name for name, _, _ in COLUMNS["task"]] and len(frame) == len(tasks)
    assert list(facts_frame(facts[:3], ALL_KINDS).columns) == ["Tỉnh", "Loại", "Nội dung", "Mục"]
    assert len(facts_widths(KIND_LABELS["target"])) == len(COLUMNS["target"])


def test_csv_named_after_the_filters(facts, tmp_path) -> None:
    rows = filter_facts(facts, "Quảng Trị", KIND_LABELS["target"], ALL_YEARS)
    path = write_csv(rows, "Quảng Trị", KIND_LABELS["target"], ALL_YEARS, folder=tmp_path)
    assert path.endswith("bang-du-lieu-quang-tri-chi-tieu.csv")
    data = (tmp_path / path.rsplit("/", 1)[1]).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and len(data.decode("utf-8-sig").splitlines()) > len(rows) // 2
