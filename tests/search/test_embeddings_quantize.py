"""The int8 export: its verification logic on small arrays and manifests (no model), then the session's model
quantized once and checked against its fp32 export."""

from __future__ import annotations

import json
import stat
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from assistant.search.embeddings.common import BACKEND_ENV, OnnxExportError, cosine, row_cosines
from assistant.search.embeddings.embedder import Embedder
from assistant.search.embeddings.onnx_export import (
    ONNX_DATA_FILE,
    ONNX_DIR,
    ONNX_MANIFEST_NAME,
    ONNX_MODEL_FILE,
    OnnxManifest,
    folder_digest,
    verification_samples,
)
from assistant.search.embeddings.quantize import (
    INT8_FORMAT_VERSION,
    INT8_MIN_COSINE,
    Int8Manifest,
    check_int8,
    cosine_summary,
    int8_export_dir,
    usable_int8_export,
)
from tests.search.embedding_texts import PASSAGES, VI_QUERIES, stamps

SAMPLES = [("query", "mục tiêu"), ("passage", "Đào tạo cán bộ."), ("query", "kinh phí")]
TOKENS = [4, 6, 5]


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_check_int8_records_each_sample_and_refuses_a_vector_too_far_from_fp32() -> None:
    rng = np.random.default_rng(0)
    fp32 = _unit(rng.normal(size=(3, 8)))
    close = _unit(fp32 + 0.01 * rng.normal(size=(3, 8)))
    results = check_int8(SAMPLES, TOKENS, fp32, close, "m")
    assert [(v.kind, v.text, v.tokens) for v in results] == [(*s, n) for s, n in zip(SAMPLES, TOKENS, strict=True)]
    for v, a, b in zip(results, fp32, close, strict=True):
        assert v.cosine == pytest.approx(cosine(a, b), abs=1e-6) and v.cosine > INT8_MIN_COSINE
    q_min, q_mean = cosine_summary(results, "query")
    assert q_min == min(results[0].cosine, results[2].cosine)
    assert q_mean == pytest.approx((results[0].cosine + results[2].cosine) / 2, abs=1e-6)
    assert cosine_summary(results, "passage") == (results[1].cosine, results[1].cosine)
    assert cosine_summary([], "query") == (1.0, 1.0)

    far = close.copy()
    far[1] = _unit(fp32[1:2] + 0.5 * rng.normal(size=(1, 8)))[0]  # one passage drifts
    assert cosine(fp32[1], far[1]) < INT8_MIN_COSINE
    with pytest.raises(OnnxExportError) as info:
        check_int8(SAMPLES, TOKENS, fp32, far, "m")
    message = str(info.value)
    assert "\n" not in message and message.endswith(".") and f"{BACKEND_ENV}=onnx" in message and "6 token" in message
    broken = close.copy()
    broken[2] = np.nan  # a NaN vector is a failure, not a pass
    with pytest.raises(OnnxExportError):
        check_int8(SAMPLES, TOKENS, fp32, broken, "m")
    with pytest.raises(ValueError):
        check_int8(SAMPLES, TOKENS, fp32, close[:2], "m")


def _fp32_manifest(**changes: object) -> OnnxManifest:
    fields = {
        "format_version": 2,
        "source_digest": "d" * 64,
        "model_name": "m",
        "files": {},
        "dimension": 8,
        "max_seq_length": 512,
        "pad_token_id": 1,
        "opset": 17,
        "graph": "bert-fused",
        "versions": {},
        "verification": [],
        "min_cosine": 1.0,
        "seconds": 0.0,
        "created": "2026-01-01T00:00:00+0000",
    }
    return OnnxManifest(**{**fields, **changes})


def test_int8_reuse_check_follows_the_fp32_export(tmp_path: Path) -> None:
    (tmp_path / ONNX_MODEL_FILE).write_bytes(b"graph")
    (tmp_path / ONNX_DATA_FILE).write_bytes(b"weights")
    manifest = {
        "format_version": INT8_FORMAT_VERSION,
        "source_digest": "d" * 64,
        "source_created": "2026-01-01T00:00:00+0000",
        "recipe": {},
        "files": {ONNX_MODEL_FILE: 5, ONNX_DATA_FILE: 7},
        "versions": {},
        "verification": [{"kind": "query", "text": "t", "tokens": 3, "cosine": 0.995}],
        "query_min_cosine": 0.995,
        "query_mean_cosine": 0.995,
        "passage_min_cosine": 0.996,
        "passage_mean_cosine": 0.996,
        "seconds": 0.0,
        "created": "",
    }

    def usable(fp32: OnnxManifest | None = None, **changes: object) -> bool:
        (tmp_path / ONNX_MANIFEST_NAME).write_text(json.dumps({**manifest, **changes}))
        return usable_int8_export(tmp_path, fp32 or _fp32_manifest()) is not None

    assert usable()
    assert not usable(_fp32_manifest(created="2026-02-02T00:00:00+0000"))  # the fp32 export was made again
    assert not usable(_fp32_manifest(source_digest="e" * 64))  # from another model folder
    assert not usable(format_version=INT8_FORMAT_VERSION + 1)
    assert not usable(passage_min_cosine=INT8_MIN_COSINE - 0.01)
    assert not usable(verification=[])
    assert not usable(files={ONNX_MODEL_FILE: 5, ONNX_DATA_FILE: 8})
    assert int8_export_dir(Path("/c/model/onnx-v2")) == Path(f"/c/model/onnx-v2-int8-v{INT8_FORMAT_VERSION}")


# ---------------------------------------------------------------- the session's model


def test_int8_export_is_verified_against_fp32_and_kept_beside_it(
    int8_embedder: Embedder, onnx_embedder: Embedder, materialized: tuple[Path, float], digest_before_export: str
) -> None:
    folder, _ = materialized
    export = folder / f"{ONNX_DIR}-int8-v{INT8_FORMAT_VERSION}"
    assert int8_embedder.backend == "onnx-int8" and int8_embedder.query_onnx.export_dir == export
    assert int8_embedder.onnx.export_dir == onnx_embedder.onnx.export_dir == folder / ONNX_DIR  # passages: fp32
    assert int8_embedder.name == onnx_embedder.name  # the same index serves both
    assert folder_digest(folder) == digest_before_export  # so a folder loaded by path keeps its name
    assert sorted(p.name for p in export.iterdir()) == sorted([ONNX_MANIFEST_NAME, ONNX_MODEL_FILE, ONNX_DATA_FILE])
    manifest = Int8Manifest.read(export)
    fp32 = OnnxManifest.read(folder / ONNX_DIR)
    assert usable_int8_export(export, fp32) == manifest
    assert manifest.files[ONNX_DATA_FILE] < fp32.files[ONNX_DATA_FILE]
    assert [(v.kind, v.tokens) for v in manifest.verification][-1] == ("passage", 512)
    assert [v.kind for v in manifest.verification] == [kind for kind, _ in verification_samples()]
    assert INT8_MIN_COSINE <= manifest.min_cosine <= 0.9999  # quantized: close, but not the same vectors
    assert manifest.query_min_cosine == min(v.cosine for v in manifest.verification if v.kind == "query")
    assert json.loads((export / ONNX_MANIFEST_NAME).read_text())["verification"][0] == asdict(manifest.verification[0])
    for p in [export, *export.iterdir()]:
        assert stat.S_IMODE(p.stat().st_mode) == (0o755 if p.is_dir() else 0o644), p


def test_int8_queries_stay_close_to_fp32_and_passages_are_fp32(
    int8_embedder: Embedder, onnx_embedder: Embedder
) -> None:
    ours = int8_embedder.query_onnx.encode(VI_QUERIES, "query")
    theirs = onnx_embedder.onnx.encode(VI_QUERIES, "query")
    assert ours.dtype == np.float32 and ours.shape == theirs.shape
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert INT8_MIN_COSINE <= row_cosines(ours, theirs).min() < 0.99999
    # Activations are quantized per batch (their range includes the other rows and the padding), so a query is
    # compared with itself embedded alone, as the engine embeds questions.
    alone = int8_embedder.query_onnx.encode([VI_QUERIES[0]], "query")
    np.testing.assert_array_equal(int8_embedder.embed_queries([VI_QUERIES[0]]), alone)
    assert cosine(alone[0], ours[0]) > 0.99
    np.testing.assert_array_equal(int8_embedder.embed_passages(PASSAGES), onnx_embedder.embed_passages(PASSAGES))
    scores = onnx_embedder.embed_passages(PASSAGES) @ int8_embedder.embed_queries(["mục tiêu đào tạo cán bộ"])[0]
    assert int(np.argmax(scores)) == 1, scores  # the training passage, as with fp32


def test_second_int8_load_reuses_the_export(int8_embedder: Embedder, e5_cache: Path) -> None:
    export = int8_embedder.query_onnx.export_dir
    before = stamps(export.parent)
    again = Embedder.load(cache_dir=e5_cache, backend="int8")
    assert again.backend == "onnx-int8" and again.query_onnx.export_dir == export
    assert stamps(export.parent) == before
