"""Every input format of the three new plans (written by others, never seen by the extractor) yields their gold."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import PLANS_DIR, SLUGS, extract, needs_font
from .plan_files import make_docx, make_pdf

# The bar for text, Word and text-layer PDF: every target, every task's lead, coordinating units and
# time frame, every reporting deadline and the metadata; nothing extra among targets, tasks and deadlines.
EXACT = ("target", "task", "lead_units", "coordinating_units", "time_frame", "reporting_deadline", "metadata")
ALSO = ("deliverable", "responsibility", "funding", "legal_basis", "deadline.recipient", "deadline.reporter")
FORMATS = ("txt", "md", "docx", "pdf")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[tuple[str, str], Path]:
    folder = tmp_path_factory.mktemp("formats")
    made: dict[tuple[str, str], Path] = {}
    for slug in SLUGS:
        markdown = (PLANS_DIR / slug / "plan.md").read_text(encoding="utf-8")
        made[(slug, "txt")] = PLANS_DIR / slug / "plan.txt"
        made[(slug, "md")] = PLANS_DIR / slug / "plan.md"
        made[(slug, "docx")] = make_docx(markdown, folder / f"{slug}.docx")
    return made


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("slug", SLUGS)
def test_every_format_yields_the_gold_facts(files, tmp_path, cleaner, slug: str, fmt: str) -> None:
    if fmt == "pdf":
        needs_font()
        markdown = (PLANS_DIR / slug / "plan.md").read_text(encoding="utf-8")
        path = make_pdf(markdown, tmp_path / f"{slug}.pdf")
    else:
        path = files[(slug, fmt)]
    _plan, _facts, scores = extract(path, cleaner, slug)
    for kind in EXACT:
        assert scores[kind].missed == [], f"{slug}.{fmt} {kind}: missed"
    for kind in ("target", "task", "reporting_deadline"):
        assert scores[kind].extra == [], f"{slug}.{fmt} {kind}: extracted but not in the gold"
    for kind in ALSO:
        assert scores[kind].recall == 1.0, f"{slug}.{fmt} {kind}: {scores[kind].missed}"


def test_word_tables_are_read_cell_by_cell(files, cleaner) -> None:
    plan, _facts, _scores = extract(files[(SLUGS[0], "docx")], cleaner, SLUGS[0])
    tasks = [t for t in plan.structure.tables if t.kind == "tasks"]
    assert tasks and all(row.known_cells is not None for row in tasks[0].rows)
    assert {"content", "lead", "coordinating", "time_frame"} <= set(tasks[0].columns)
