"""Shared fixtures: the real corpus, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.corpus import Corpus, load_corpus
from assistant.facts import Fact
from assistant.factstore import extract_all

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return load_corpus(REPO / "corpus")


@pytest.fixture(scope="session")
def facts(corpus: Corpus) -> list[Fact]:
    return extract_all(corpus)
