"""Retrieval index and hybrid search with the real embedding model and a real Chroma store (embedded and server)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.evaluation.retrieval import evaluate, first_hit_rank, load_questions
from assistant.search.index import IndexBuilder, IndexUnavailable, bm25_tokens, load_index
from assistant.search.retrieval import HybridRetriever
from tests.conftest import REPO


def _passage_containing(result, text: str) -> bool:
    return any(text in " ".join(h.passage.text.split()) for h in result.hits)


def test_bm25_tokens_fold_marks_and_add_bigrams() -> None:
    tokens = bm25_tokens("Ai chủ trì?")
    assert {"ai", "chu", "tri", "chu_tri", "chủ", "trì"} <= set(tokens)
    assert "chủ" not in bm25_tokens("Ai chủ trì?", marked=False)


def test_finds_the_lead_unit_row_without_diacritics(retriever) -> None:
    result = retriever.search("ai chu tri nhiem vu 5.1 cua lai chau")
    assert result.provinces == ["Lai Châu"]
    assert all(h.passage.province == "Lai Châu" for h in result.hits)
    assert _passage_containing(result, "5.1 Theo dõi, đánh giá kết quả triển khai Quy")


def test_finds_a_target_in_the_ocr_plan(retriever) -> None:
    result = retriever.search("Thái Bình đặt mục tiêu năm 2028 về tòa soạn hội tụ thế nào?", k=5)
    assert result.hits and result.hits[0].passage.plan_id == "thai-binh"
    assert any("tòa soạn hội" in h.passage.text and h.passage.kind == "appendix_row" for h in result.hits)


def test_short_province_names_and_explicit_filter(retriever) -> None:
    result = retriever.search("Hạn báo cáo hằng năm của TT Huế là ngày nào?")
    assert result.provinces == ["Thừa Thiên Huế"]
    assert _passage_containing(result, "trước ngày 01 tháng 11 hằng năm")
    filtered = retriever.search("hạn báo cáo hằng năm", province="Quảng Trị")
    assert {h.passage.province for h in filtered.hits} == {"Quảng Trị"}


def test_province_outside_the_corpus_returns_nothing(retriever) -> None:
    result = retriever.search("Mục tiêu chuyển đổi số báo chí của Hà Nội năm 2025?")
    assert result.hits == [] and result.unknown_provinces == ["Hà Nội"]


def test_quotes_are_exact_spans_of_the_plan_text(retriever, corpus) -> None:
    texts = {p.id: p.text for p in corpus.plans}
    for hit in retriever.search("kinh phí thực hiện kế hoạch", k=10).hits:
        p = hit.passage
        assert texts[p.plan_id][p.start : p.end] == p.text


def test_relevance_separates_related_and_unrelated_questions(retriever) -> None:
    related = retriever.search("Quảng Trị đặt mục tiêu tòa soạn hội tụ năm 2025 bao nhiêu phần trăm?")
    unrelated = retriever.search("giá vé máy bay đi Đà Lạt tháng sau")
    assert related.relevance > unrelated.relevance


def test_retrieval_set_quality_gate(retriever) -> None:
    questions = load_questions(REPO / "evals" / "retrieval.jsonl")
    assert len(questions) >= 80
    scores = {s.mode: s for s in evaluate(retriever, questions, {"thai-binh"})}
    assert scores["hybrid"].hit5 >= 0.95, scores["hybrid"].misses
    assert scores["hybrid"].mrr >= 0.83
    assert scores["hybrid"].mrr >= scores["dense"].mrr


def test_first_hit_rank_needs_overlap(retriever) -> None:
    question = load_questions(REPO / "evals" / "retrieval.jsonl")[0]
    result = retriever.search(question.question)
    rank = first_hit_rank(question, result.hits)
    assert rank is not None
    moved = replace(question, answers=[{**a, "start": 0, "end": 1} for a in question.answers])
    assert first_hit_rank(moved, result.hits) is None


def test_second_build_with_no_change_is_a_no_op(built_settings, corpus) -> None:
    started = time.perf_counter()
    report = IndexBuilder(built_settings).build(corpus)  # no embedder given: must not need one
    assert report.up_to_date and report.embedded == 0
    assert time.perf_counter() - started < 3


def test_crash_mid_build_leaves_the_old_index_usable(built_settings, corpus, embedder, monkeypatch, tmp_path) -> None:
    settings = replace(built_settings, index_dir=tmp_path)
    shutil.copytree(built_settings.index_dir / "retrieval", tmp_path / "retrieval")
    before = (tmp_path / "retrieval" / "manifest.json").read_text()

    def crash(*_args, **_kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(IndexBuilder, "_write_chroma", crash)
    with pytest.raises(RuntimeError):
        IndexBuilder(settings).build(corpus, embedder=embedder, force=True)
    assert (tmp_path / "retrieval" / "manifest.json").read_text() == before
    assert not list(tmp_path.glob("retrieval.new-*"))
    assert load_index(settings, embedder).manifest.passages > 0


def test_damaged_index_is_detected(built_settings, embedder, tmp_path) -> None:
    settings = replace(built_settings, index_dir=tmp_path)
    shutil.copytree(built_settings.index_dir / "retrieval", tmp_path / "retrieval")
    (tmp_path / "retrieval" / "passages.json").write_text("[{]", encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="hỏng"):
        load_index(settings, embedder)
    shutil.rmtree(tmp_path / "retrieval")
    with pytest.raises(IndexUnavailable, match="Chưa có"):
        load_index(settings, embedder)


def test_cli_search_json_and_batch(built_settings, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(built_settings.index_dir))
    runner = CliRunner()
    result = runner.invoke(app, ["search", "muc tieu 2030 cua thai binh", "-k", "3", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 3
    assert set(rows[0]) == {"plan_id", "province", "section", "text", "start", "end", "score"}
    batch = tmp_path / "in.jsonl"
    batch.write_text('{"id": "a", "question": "Ai ký kế hoạch của Huế?"}\n{"id": "b", "question": "kinh phi"}\n')
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["search", "--batch", str(batch), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"] and all(line["results"] for line in lines)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def chroma_server(tmp_path):
    chroma = Path(shutil.which("chroma") or REPO / ".venv" / "bin" / "chroma")
    port = _free_port()
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail("chroma run did not start within 30 s")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_index_on_a_chroma_server(chroma_server, built_settings, corpus, embedder, tmp_path) -> None:
    settings = replace(built_settings, index_dir=tmp_path / "index", chroma_host="127.0.0.1", chroma_port=chroma_server)
    report = IndexBuilder(settings).build(corpus, embedder=embedder)
    assert report.manifest.chroma == f"http://127.0.0.1:{chroma_server}"
    assert not (tmp_path / "index" / "retrieval" / "chroma").exists()
    result = HybridRetriever.load(settings, embedder=embedder).search("ai chu tri nhiem vu 5.1 cua lai chau")
    assert _passage_containing(result, "5.1 Theo dõi")
    # A rebuild swaps to a new collection and drops the old one from the server.
    first = report.manifest.collection
    second = IndexBuilder(settings).build(corpus, embedder=embedder, force=True).manifest.collection
    import chromadb

    names = {c.name for c in chromadb.HttpClient(host="127.0.0.1", port=chroma_server).list_collections()}
    assert second in names and first not in names


def test_dense_search_agrees_with_the_llama_index_retriever(retriever) -> None:
    """Hybrid search asks Chroma for ids and distances only; the ranking is the one llama-index gives."""
    from llama_index.core.schema import QueryBundle

    query = "tỷ lệ cơ quan báo chí ứng dụng trí tuệ nhân tạo"
    vector = retriever.index.embedder.embed_queries([query])[0]
    ours = retriever._dense(query, [], 10, vector)
    nodes = retriever.index.vector_index.as_retriever(similarity_top_k=10).retrieve(
        QueryBundle(query_str=query, embedding=[float(x) for x in vector])
    )
    assert [retriever.index.passages[i].id for i, _ in ours] == [n.node.node_id for n in nodes]
    top_index, top_cosine = ours[0]
    top_vector = retriever.index.embedder.embed_passages([retriever.index.passages[top_index].embed_text])[0]
    assert abs(top_cosine - float(np.dot(vector, top_vector))) < 1e-3  # the score is the cosine
