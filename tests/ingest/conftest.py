"""Fixtures for ingestion tests: the new-plan test material and a cleaner built from the seed corpus."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from assistant.facts.extract import FactExtractor, PlanText
from assistant.facts.plan_gold import plan_metadata, score_plan
from assistant.ingest import ReadOptions, read_document
from assistant.ingest.corpus import PlanCleaner, PlanMeta
from tests.conftest import REPO

PLANS_DIR = REPO / "tests" / "data" / "plans"
SLUGS = sorted(p.name for p in PLANS_DIR.iterdir() if (p / "gold.json").is_file())


def gold(slug: str) -> dict:
    return json.loads((PLANS_DIR / slug / "gold.json").read_text(encoding="utf-8"))


def needs_tesseract() -> None:
    """Skip without Tesseract and its Vietnamese model, except under CI=true, where they must be installed."""
    import subprocess

    missing = shutil.which("tesseract") is None
    if not missing:
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False).stdout
        missing = "vie" not in langs.split()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI needs tesseract-ocr and tesseract-ocr-vie (apt-get install, see .ci/run)")
        pytest.skip("tesseract-ocr with the Vietnamese model is not installed")


def needs_font() -> None:
    from .plan_files import font_dir

    if font_dir() is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI needs fonts-dejavu-core (see .ci/run)")
        pytest.skip("no Vietnamese-capable font (fonts-dejavu-core)")


@pytest.fixture(scope="session")
def cleaner(corpus) -> PlanCleaner:
    return PlanCleaner([p.raw_text for p in corpus.plans if not p.meta.ocr])


def extract(path: Path, cleaner: PlanCleaner, slug: str, options: ReadOptions | None = None):
    """Read a file as `corpus add` does, clean it, and score its facts against the plan's gold."""
    extracted = read_document(path, options or ReadOptions())
    plan = cleaner.clean(PlanMeta(id=slug, province="", file=path.name, ocr=extracted.ocr), extracted.text)
    facts = FactExtractor().run(PlanText(plan.id, plan.province, plan.text, plan.structure))
    return plan, facts, score_plan(gold(slug), facts, plan_metadata(plan.meta), plan.text)
