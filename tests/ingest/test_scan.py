"""Scans of the three new plans (pages rendered with a Debian font, blurred and noised) read by Tesseract."""

from __future__ import annotations

import pytest

from assistant.ingest import ReadOptions

from .conftest import PLANS_DIR, SLUGS, extract, needs_font, needs_tesseract
from .plan_files import make_pdf, make_scan


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, cleaner):
    needs_tesseract()
    needs_font()
    folder = tmp_path_factory.mktemp("scans")
    results = {}
    for slug in SLUGS:
        markdown = (PLANS_DIR / slug / "plan.md").read_text(encoding="utf-8")
        scan = make_scan(make_pdf(markdown, folder / f"{slug}.pdf"), folder / f"{slug}-scan.pdf")
        results[slug] = extract(scan, cleaner, slug, ReadOptions(ocr="auto"))
    return results


def _share(scanned, kind: str) -> float:
    correct = sum(result[2][kind].true_positives for result in scanned.values())
    expected = sum(result[2][kind].expected for result in scanned.values())
    return correct / expected


def test_scans_are_read_by_ocr(scanned) -> None:
    for plan, _facts, _scores in scanned.values():
        assert plan.meta.ocr is True and plan.text_metadata is not None


@pytest.mark.parametrize("kind", ["target", "task", "lead_units"])
def test_scans_yield_95_percent_of_targets_and_tasks(scanned, kind: str) -> None:
    assert _share(scanned, kind) >= 0.95, {slug: r[2][kind].missed for slug, r in scanned.items()}


def test_scans_keep_the_time_frames_and_metadata(scanned) -> None:
    assert _share(scanned, "time_frame") >= 0.9
    assert _share(scanned, "metadata") >= 0.9


@pytest.mark.parametrize("slug", SLUGS)
def test_no_plan_falls_behind(scanned, slug: str) -> None:
    scores = scanned[slug][2]
    assert scores["target"].recall >= 0.9 and scores["task"].recall >= 0.9
