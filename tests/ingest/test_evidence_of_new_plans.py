"""Every fact read from a plan of another province holds up in the evidence check its answers go through."""

from __future__ import annotations

import pytest

from assistant.ingest.corpus import Corpus
from assistant.verification.evidence import check_fact

from .conftest import PLANS_DIR, SLUGS, extract


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("name", ["plan.txt", "plan.md"])
def test_every_fact_of_a_new_plan_passes_the_evidence_check(cleaner, slug: str, name: str) -> None:
    plan, facts, _ = extract(PLANS_DIR / slug / name, cleaner, slug)
    corpus = Corpus([plan], {})
    problems = [str(problem) for fact in facts for problem in check_fact(fact, corpus)]
    assert facts and not problems, "\n".join(problems[:10])
