"""An int8 copy of the verified fp32 ONNX export (onnxruntime dynamic quantization), checked against it.

:func:`ensure_int8_export` quantizes the weights of every MatMul and fused Attention node of the fp32 export to
int8, per output channel (activations are quantized on the fly, per tensor), once, into a sibling folder
``<fp32 export>-int8-v1/`` (``model.onnx``, ``model.onnx.data``, ``assistant-onnx.json``), atomically and under
its own lock. Before the folder is kept, every verification sample is embedded by both exports: the cosine of
each int8 vector with its fp32 vector (the fp32 export reproduces the sentence-transformers fp32 weights to
0.999) must reach :data:`INT8_MIN_COSINE`; the manifest records each cosine and the min/mean for queries and for
passages. The backend ``onnx-int8`` embeds queries with it and passages with the fp32 export, so an index built
with fp32 is searched unchanged. Activations are quantized with the range of the whole run, so an int8 vector
depends a little on the other texts of its batch (and their padding): queries are embedded one at a time.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.search.embeddings.common import (
    BACKEND_ENV,
    CACHE_ENV,
    OnnxExportError,
    build_once,
    first_sentence,
    make_readable,
    quiet,
    read_manifest,
    row_cosines,
    write_json,
)
from assistant.search.embeddings.onnx_export import (
    ONNX_DATA_FILE,
    ONNX_MANIFEST_NAME,
    ONNX_MODEL_FILE,
    OnnxEncoder,
    OnnxManifest,
    OnnxPipeline,
    export_files_intact,
    export_versions,
    onnxruntime_tool_loggers,
    prompt_names,
    sample_text,
    verification_samples,
)

log = logging.getLogger(__name__)

#: Bump when the quantization recipe or the folder's layout changes; each version has its own folder.
INT8_FORMAT_VERSION = 1
INT8_SUFFIX = f"-int8-v{INT8_FORMAT_VERSION}"
#: Minimum cosine between an int8 vector and the fp32 export's vector of the same text, on every sample.
INT8_MIN_COSINE = 0.98
INT8_RECIPE: dict[str, Any] = {
    "method": "onnxruntime.quantization.quantize_dynamic",
    "op_types": ["MatMul", "Attention"],
    "weights": "int8, symmetric, per output channel",
    "activations": "uint8, per tensor, computed at run time",
}
_KEEP_FP32 = f"hãy đặt {BACKEND_ENV}=onnx để dùng bản fp32."


@dataclass(frozen=True)
class Int8Verification:
    """Cosine between the int8 and the fp32 export's vectors of one sample."""

    kind: str  # "query" or "passage"
    text: str
    tokens: int
    cosine: float


@dataclass(frozen=True)
class Int8Manifest:
    """What an int8 export was made from and how close it stays to it; written last, so it marks a kept export."""

    format_version: int
    source_digest: str  # of the model folder, as in the fp32 export's manifest
    source_created: str  # when that fp32 export was made: a new export is quantized again
    recipe: dict[str, Any]
    files: dict[str, int]
    versions: dict[str, str]
    verification: list[Int8Verification]
    query_min_cosine: float
    query_mean_cosine: float
    passage_min_cosine: float
    passage_mean_cosine: float
    seconds: float
    created: str

    @property
    def min_cosine(self) -> float:
        return min(self.query_min_cosine, self.passage_min_cosine)

    @classmethod
    def read(cls, export_dir: Path) -> Int8Manifest:
        return read_manifest(export_dir / ONNX_MANIFEST_NAME, cls, Int8Verification)

    def write(self, export_dir: Path) -> None:
        write_json(export_dir / ONNX_MANIFEST_NAME, asdict(self))


def int8_export_dir(fp32_dir: Path) -> Path:
    """The int8 export's folder, next to the fp32 export it is made from."""
    return fp32_dir.with_name(fp32_dir.name + INT8_SUFFIX)


def usable_int8_export(export_dir: Path, fp32: OnnxManifest) -> Int8Manifest | None:
    """The int8 export's manifest if it is complete, verified and made from the fp32 export as it is now."""
    try:
        manifest = Int8Manifest.read(export_dir)
        if (
            manifest.format_version != INT8_FORMAT_VERSION
            or manifest.source_digest != fp32.source_digest
            or manifest.source_created != fp32.created
            or not manifest.verification
            or manifest.min_cosine < INT8_MIN_COSINE
            or not export_files_intact(export_dir, manifest.files)
        ):
            return None
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return manifest


def ensure_int8_export(
    fp32_dir: Path, fp32: OnnxManifest, pipeline: OnnxPipeline, name: str
) -> tuple[Path, Int8Manifest]:
    """Return the verified int8 export of the fp32 export in ``fp32_dir``, quantizing it once if needed.

    Raises :class:`~assistant.search.embeddings.common.OnnxExportError` when quantizing, verifying or writing fails.
    """
    target = int8_export_dir(fp32_dir)
    manifest = usable_int8_export(target, fp32)
    if manifest is not None:
        return target, manifest

    def build(tmp: Path) -> Int8Manifest:
        log.info("Quantizing the ONNX export of %s to int8 in %s (once; about 15 s)", name, target)
        return _build_int8_export(fp32_dir, fp32, pipeline, tmp, name)

    try:
        manifest = build_once(
            target, target.parent / f".{target.name}.lock", lambda: usable_int8_export(target, fp32), build
        )
    except OSError as exc:
        raise OnnxExportError(
            f"Không ghi được bản int8 của mô hình nhúng vào {target.parent} ({first_sentence(exc)}); hãy giải phóng "
            f"dung lượng đĩa (cần khoảng 450 MB), đặt {CACHE_ENV} sang một thư mục ghi được, hoặc {_KEEP_FP32}"
        ) from exc
    log.info(
        "int8 export of %s ready (cosine vs fp32: queries min %.4f mean %.4f, passages min %.4f mean %.4f)",
        name,
        manifest.query_min_cosine,
        manifest.query_mean_cosine,
        manifest.passage_min_cosine,
        manifest.passage_mean_cosine,
    )
    return target, manifest


def _build_int8_export(
    fp32_dir: Path, fp32: OnnxManifest, pipeline: OnnxPipeline, tmp: Path, name: str
) -> Int8Manifest:
    """Quantize, verify, and finally write the manifest that marks ``tmp`` complete."""
    started = time.perf_counter()
    try:
        quantize_graph(fp32_dir / ONNX_MODEL_FILE, tmp)
    except Exception as exc:
        problem = first_sentence(exc)
        raise OnnxExportError(f"Không lượng tử hóa được {name} sang int8 ({problem}); {_KEEP_FP32}") from exc
    try:
        reference = OnnxEncoder.open(fp32_dir, fp32, pipeline)
        candidate = OnnxEncoder.open(tmp, fp32, pipeline)
        verification = verify_int8(reference, candidate, name)
    except OnnxExportError:
        raise
    except Exception as exc:
        raise OnnxExportError(
            f"Không kiểm tra được bản int8 của {name} so với bản fp32 ({first_sentence(exc)}); {_KEEP_FP32}"
        ) from exc
    queries, passages = cosine_summary(verification, "query"), cosine_summary(verification, "passage")
    make_readable(tmp)
    manifest = Int8Manifest(
        format_version=INT8_FORMAT_VERSION,
        source_digest=fp32.source_digest,
        source_created=fp32.created,
        recipe=dict(INT8_RECIPE),
        files={f: (tmp / f).stat().st_size for f in (ONNX_MODEL_FILE, ONNX_DATA_FILE)},
        versions=export_versions(),
        verification=verification,
        query_min_cosine=queries[0],
        query_mean_cosine=queries[1],
        passage_min_cosine=passages[0],
        passage_mean_cosine=passages[1],
        seconds=round(time.perf_counter() - started, 2),
        created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )
    manifest.write(tmp)
    return manifest


def quantize_graph(source: Path, tmp: Path) -> None:
    """Write the int8 dynamic quantization of the ONNX graph ``source`` (weights beside it) into ``tmp``."""
    import onnx
    from onnxruntime import quantization
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = onnx.load(str(source))
    # The BERT fusions' contrib ops (Attention, SkipLayerNormalization...) need their domain declared for the
    # quantizer's shape inference; onnxruntime runs the graph either way.
    if not any(opset.domain == "com.microsoft" for opset in model.opset_import):
        model.opset_import.append(onnx.helper.make_opsetid("com.microsoft", 1))
    # The quantizer logs through the root logger ("consider pre-processing", every skipped node).
    with warnings.catch_warnings(), quiet(["", *onnxruntime_tool_loggers(quantization)]):
        warnings.simplefilter("ignore")
        quantize_dynamic(
            model,
            tmp / ONNX_MODEL_FILE,
            op_types_to_quantize=list(INT8_RECIPE["op_types"]),
            per_channel=True,
            weight_type=QuantType.QInt8,
            use_external_data_format=True,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},  # contrib ops' outputs are fp32
        )
    written = sorted(p.name for p in tmp.iterdir())
    if written != sorted([ONNX_MODEL_FILE, ONNX_DATA_FILE]):
        raise ValueError(f"the quantizer wrote {written}")


def verify_int8(reference: OnnxEncoder, candidate: OnnxEncoder, name: str) -> list[Int8Verification]:
    """Embed every verification sample alone with both exports and compare (see :func:`check_int8`)."""
    query_name, passage_name = prompt_names(reference.pipeline.prompts)
    samples = verification_samples()
    named = [(query_name if kind == "query" else passage_name, text) for kind, text in samples]
    ids = [reference.token_ids([reference.prompt(p) + text])[0] for p, text in named]
    fp32 = np.vstack([reference.embed_ids([i]) for i in ids])
    int8 = np.vstack([candidate.embed_ids([i]) for i in ids])
    return check_int8(samples, [len(i) for i in ids], fp32, int8, name)


def check_int8(
    samples: Sequence[tuple[str, str]], tokens: Sequence[int], fp32: np.ndarray, int8: np.ndarray, name: str
) -> list[Int8Verification]:
    """One :class:`Int8Verification` per ``(kind, text)`` sample from the two exports' vectors (rows in sample
    order); raises :class:`~assistant.search.embeddings.common.OnnxExportError` when a cosine is below
    :data:`INT8_MIN_COSINE` or not finite."""
    if fp32.shape != int8.shape or len(samples) != len(fp32) or len(tokens) != len(fp32) or not len(fp32):
        raise ValueError(f"{len(samples)} samples, {len(tokens)} token counts, vectors {fp32.shape} and {int8.shape}")
    cosines = np.nan_to_num(row_cosines(fp32.astype(np.float64), int8.astype(np.float64)), nan=-1.0)
    results = [
        Int8Verification(kind=kind, text=sample_text(text), tokens=int(n), cosine=round(float(c), 6))
        for (kind, text), n, c in zip(samples, tokens, cosines, strict=True)
    ]
    worst = min(results, key=lambda v: v.cosine)
    if worst.cosine < INT8_MIN_COSINE:
        raise OnnxExportError(
            f"Bản int8 của {name} lệch quá xa bản fp32 (cosine {worst.cosine:.4f} ở một mẫu {worst.tokens} token, "
            f"tối thiểu {INT8_MIN_COSINE}); {_KEEP_FP32}"
        )
    return results


def cosine_summary(verification: Sequence[Int8Verification], kind: str) -> tuple[float, float]:
    """Min and mean cosine over the samples of ``kind`` (``"query"`` or ``"passage"``); (1.0, 1.0) when none."""
    values = [v.cosine for v in verification if v.kind == kind]
    if not values:
        return 1.0, 1.0
    return round(min(values), 6), round(float(np.mean(values)), 6)
