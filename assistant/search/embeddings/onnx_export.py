"""A model's fp32 ONNX export: made once, verified against sentence-transformers, and run without torch.

A model whose pipeline is exactly Transformer → Pooling (mean, prompt included) → Normalize (the default e5
folder is) can run on **onnxruntime**: :func:`ensure_onnx_export` exports the same fp32 network, mean pooling and
L2 normalization to ONNX once (``torch.onnx``, opset 17; BERT models then get onnxruntime's offline BERT fusions:
fused attention, skip-LayerNorm and bias-GELU), checks it against sentence-transformers (token ids identical and
cosine >= :data:`ONNX_MIN_COSINE` on the verification samples, alone and as one padded batch, including a text
longer than 512 tokens), and writes ``model.onnx`` + ``model.onnx.data`` (weights, memory-mapped by onnxruntime)
+ ``assistant-onnx.json`` (source folder digest, verification results) atomically, under the materialization
lock. The export of the default model lives in ``<materialized folder>/onnx-v2/``; other models' exports live in
``<cache_dir>/onnx-v2/<folder name>-<digest>/``. :class:`OnnxEncoder` runs an export without torch or
sentence-transformers: it tokenizes with the ``tokenizers`` library from the model's ``tokenizer.json``
(truncation to the model's max length, 512 for e5) and applies the prompts of
``config_sentence_transformers.json``, exactly as sentence-transformers does.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.search.embeddings.common import (
    BACKEND_ENV,
    CACHE_ENV,
    OnnxExportError,
    build_once,
    cosine,
    first_sentence,
    make_readable,
    package_version,
    quiet,
    read_json,
    read_manifest,
    write_json,
)
from assistant.search.embeddings.materialize import VERIFICATION_SAMPLES, load_sentence_transformer, materialize_lock

if TYPE_CHECKING:
    import onnxruntime
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

#: Bump when the ONNX export's layout or the way it is made changes, so old exports are redone. Each format
#: version has its own folder, so processes of different versions sharing a cache do not redo each other's.
ONNX_FORMAT_VERSION = 2
ONNX_DIR = f"onnx-v{ONNX_FORMAT_VERSION}"
#: Every export folder (fp32 or int8, of any format version) holds this file: :func:`folder_digest` skips them.
ONNX_MANIFEST_NAME = "assistant-onnx.json"
ONNX_MODEL_FILE = "model.onnx"
ONNX_DATA_FILE = "model.onnx.data"
ONNX_OPSET = 17
#: Minimum cosine between the ONNX export and sentence-transformers on every verification sample.
ONNX_MIN_COSINE = 0.999
#: Checked on top of :data:`~assistant.search.embeddings.materialize.VERIFICATION_SAMPLES` when an export is
#: verified.
ONNX_EXTRA_SAMPLES: tuple[tuple[str, str], ...] = (
    ("query", "Ai chịu trách nhiệm triển khai kế hoạch chuyển đổi số báo chí của tỉnh?"),
    ("query", "ke hoach chuyen doi so bao chi giai doan 2025 2030 co muc tieu gi"),
    ("query", "Kinh phí thực hiện lấy từ nguồn nào?"),
    ("query", "Năm 2025 có bao nhiêu phóng viên được bồi dưỡng kỹ năng số?"),
    ("passage", "Xây dựng nền tảng số dùng chung, kho dữ liệu báo chí và hệ thống quản trị nội dung tập trung."),
)
_NO_ONNX = f"hãy đặt {BACKEND_ENV}=sentence-transformers để chạy mô hình không qua ONNX."

#: Prompt names every SentenceTransformer has (empty unless the folder sets them; sentence-transformers >= 5).
_ST_DEFAULT_PROMPT_NAMES = ("query", "document")
_LEGACY_POOLING_PREFIX = "pooling_mode_"


# ------------------------------------------------------------------------------ what a folder allows


@dataclass(frozen=True)
class OnnxPipeline:
    """What the onnxruntime backend needs from a sentence-transformers folder, read from its JSON files only."""

    tokenizer_file: Path
    prompts: dict[str, str]
    default_prompt_name: str | None
    do_lower_case: bool


def _is_plain_mean_pooling(config: dict[str, Any]) -> bool:
    """Mean pooling over every token (prompt included), in the new or the legacy ``pooling_mode_*`` layout."""
    if not config.get("include_prompt", True):
        return False
    mode = config.get("pooling_mode")
    if mode is None:
        active = [k for k, v in config.items() if k.startswith(_LEGACY_POOLING_PREFIX) and v is True]
        return active == ["pooling_mode_mean_tokens"]
    return mode == "mean" or (isinstance(mode, list) and mode == ["mean"])


def onnx_pipeline(folder: Path) -> OnnxPipeline | None:
    """The folder's pipeline when it is Transformer → mean Pooling → Normalize with a ``tokenizer.json``, else None.

    Only JSON files are read (no torch, no transformers): this decides which backend a model can use.
    """
    try:
        modules = sorted(read_json(folder / "modules.json"), key=lambda m: int(m.get("idx", 0)))
        kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
        if kinds != ["Transformer", "Pooling", "Normalize"]:
            return None
        transformer_dir = folder / (modules[0].get("path") or "")
        if not _is_plain_mean_pooling(read_json(folder / (modules[1].get("path") or "") / "config.json")):
            return None
        tokenizer_file = transformer_dir / "tokenizer.json"
        if not tokenizer_file.is_file():
            return None
        sbert_path = transformer_dir / "sentence_bert_config.json"
        sbert = read_json(sbert_path) if sbert_path.is_file() else {}
        st_path = folder / "config_sentence_transformers.json"
        st_config = read_json(st_path) if st_path.is_file() else {}
        prompts = dict.fromkeys(_ST_DEFAULT_PROMPT_NAMES, "")
        for prompt_name, text in (st_config.get("prompts") or {}).items():
            prompts[str(prompt_name)] = str(text or "")
        default_name = st_config.get("default_prompt_name")
        return OnnxPipeline(
            tokenizer_file=tokenizer_file,
            prompts=prompts,
            default_prompt_name=str(default_name) if default_name is not None else None,
            do_lower_case=bool(sbert.get("do_lower_case", False)),
        )
    except (OSError, ValueError, TypeError, AttributeError, KeyError, IndexError):
        return None


def prompt_names(prompts: dict[str, Any]) -> tuple[str | None, str | None]:
    """The prompt names used for queries and for passages, among those a model defines."""
    query = "query" if "query" in prompts else None
    passage = next((p for p in ("passage", "document") if p in prompts), None)
    return query, passage


def folder_digest(folder: Path) -> str:
    """Identify a model folder cheaply: small files by content, large ones by name and size.

    Only the folder and its direct subfolders (sentence-transformers modules) are read; hidden files and this
    module's exports (subfolders holding :data:`ONNX_MANIFEST_NAME`: fp32 or int8, of any format version) are
    left out, so exporting a folder does not change its name.
    """
    digest = hashlib.sha256()
    exports = {p.parent.name for p in folder.glob(f"*/{ONNX_MANIFEST_NAME}")}  # derived from the folder
    for p in sorted([*folder.glob("*"), *folder.glob("*/*")]):
        parts = p.relative_to(folder).parts
        if not p.is_file() or any(part.startswith(".") for part in parts) or parts[0] in exports:
            continue
        size = p.stat().st_size
        digest.update(f"{p.relative_to(folder)}\0{size}\0".encode())
        if size <= 1 << 20:
            digest.update(p.read_bytes())
    return digest.hexdigest()


# ------------------------------------------------------------------------------ the export's manifest


@dataclass(frozen=True)
class OnnxVerification:
    """Cosine between the ONNX export and sentence-transformers on one sample, alone and inside a padded batch."""

    prompt: str
    text: str
    tokens: int
    cosine: float
    batch_cosine: float


@dataclass(frozen=True)
class OnnxManifest:
    """What an ONNX export was made from; written last, so its presence marks a complete, verified export."""

    format_version: int
    source_digest: str
    model_name: str
    files: dict[str, int]
    dimension: int
    max_seq_length: int
    pad_token_id: int
    opset: int
    graph: str
    versions: dict[str, str]
    verification: list[OnnxVerification]
    min_cosine: float
    seconds: float
    created: str

    @classmethod
    def read(cls, export_dir: Path) -> OnnxManifest:
        return read_manifest(export_dir / ONNX_MANIFEST_NAME, cls, OnnxVerification)

    def write(self, export_dir: Path) -> None:
        write_json(export_dir / ONNX_MANIFEST_NAME, asdict(self))


def export_files_intact(export_dir: Path, files: dict[str, int]) -> bool:
    """Whether ``files`` (an export manifest's names and sizes) are the graph and its weights, each at its size;
    raises OSError when one is missing."""
    if set(files) != {ONNX_MODEL_FILE, ONNX_DATA_FILE}:
        return False
    return all((export_dir / rel).stat().st_size == size for rel, size in files.items())


def usable_export(export_dir: Path, source_digest: str) -> OnnxManifest | None:
    """The export's manifest if it is complete, verified and made from the folder as it is now, else None."""
    try:
        manifest = OnnxManifest.read(export_dir)
        if (
            manifest.format_version != ONNX_FORMAT_VERSION
            or manifest.source_digest != source_digest
            or not manifest.verification
            or manifest.min_cosine < ONNX_MIN_COSINE
            or not export_files_intact(export_dir, manifest.files)
        ):
            return None
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return manifest


def export_versions() -> dict[str, str]:
    """Versions of the libraries that make and run an export, recorded in its manifest."""
    dists = ("torch", "transformers", "sentence-transformers", "onnx", "onnxruntime", "tokenizers")
    return {dist: package_version(dist) for dist in dists}


# ------------------------------------------------------------------------------ the torch-free encoder


def _onnx_threads() -> int:
    """Threads for one onnxruntime inference: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _has_lowercase(normalizer: Any) -> bool:
    from tokenizers import normalizers

    if normalizer is None:
        return False
    if isinstance(normalizer, normalizers.Lowercase):
        return True
    if isinstance(normalizer, normalizers.Sequence):
        return any(isinstance(normalizer[i], normalizers.Lowercase) for i in range(len(normalizer)))
    return False


class OnnxEncoder:
    """Tokenize with ``tokenizers`` and embed with onnxruntime: an exported Transformer → mean → Normalize.

    Texts get the same prompts as sentence-transformers, are truncated to the model's max length, sorted by
    length and run in padded batches; rows come back in input order as L2-normalized float32 vectors. One
    encoder may be used from several threads at once (onnxruntime sessions and tokenizers are thread-safe).
    """

    input_names = ("ids", "mask")
    output_name = "emb"

    def __init__(
        self,
        session: onnxruntime.InferenceSession,
        tokenizer: Tokenizer,
        manifest: OnnxManifest,
        pipeline: OnnxPipeline,
        export_dir: Path,
    ) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.manifest = manifest
        self.pipeline = pipeline
        self.export_dir = export_dir

    @classmethod
    def open(cls, export_dir: Path, manifest: OnnxManifest, pipeline: OnnxPipeline) -> OnnxEncoder:
        """Start an onnxruntime session on the export and load the tokenizer (concurrently: both take ~1 s)."""
        import onnxruntime as ort
        from tokenizers import Tokenizer, normalizers

        options = ort.SessionOptions()
        options.intra_op_num_threads = _onnx_threads()
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only: onnxruntime's warnings go to stderr, not to logging
        # The pool's threads busy-wait between the parallel sections of one run, and stop when the run ends: one
        # query's p95 falls from about 22 to 15 ms on 2 cores (waking sleeping threads is the tail), while the CPU
        # between runs stays free for the rest of the server (spinning on after a run cost ~35% more CPU per query).
        options.add_session_config_entry("session.intra_op.allow_spinning", "1")
        options.add_session_config_entry("session.force_spinning_stop", "1")
        opened: dict[str, Any] = {}

        def start_session() -> None:  # onnxruntime releases the GIL; the tokenizer's JSON parse does not
            try:
                opened["session"] = ort.InferenceSession(
                    str(export_dir / ONNX_MODEL_FILE), sess_options=options, providers=["CPUExecutionProvider"]
                )
            except Exception as exc:  # re-raised below, in the caller's thread
                opened["error"] = exc

        starter = threading.Thread(target=start_session, name="onnx-session", daemon=True)
        starter.start()
        try:
            tokenizer = Tokenizer.from_file(str(pipeline.tokenizer_file))
        finally:
            starter.join()
        if "error" in opened:
            raise opened["error"]
        if pipeline.do_lower_case and not _has_lowercase(tokenizer.normalizer):  # as sentence-transformers does
            current = tokenizer.normalizer
            tokenizer.normalizer = normalizers.Sequence([normalizers.Lowercase(), *([current] if current else [])])
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=manifest.max_seq_length)
        encoder = cls(opened["session"], tokenizer, manifest, pipeline, export_dir)
        encoder.embed_ids([encoder.token_ids(["warm-up"])[0]])  # first run allocates; keep it out of queries
        return encoder

    @property
    def dimension(self) -> int:
        return self.manifest.dimension

    def prompt(self, prompt_name: str | None) -> str:
        """The text sentence-transformers prepends for ``prompt_name`` (None: the model's default prompt)."""
        if prompt_name is None:
            name = self.pipeline.default_prompt_name
            return self.pipeline.prompts.get(name, "") if name is not None else ""
        return self.pipeline.prompts[prompt_name]

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of already-prompted texts, with special tokens, truncated to the model's max length."""
        if len(texts) == 1:
            return [self.tokenizer.encode(texts[0]).ids]
        return [e.ids for e in self.tokenizer.encode_batch(list(texts))]

    def encode(self, texts: Sequence[str], prompt_name: str | None, batch_size: int = 32) -> np.ndarray:
        """Embed ``texts`` with the prompt ``prompt_name``: array ``(len(texts), dimension)``, float32, unit rows."""
        prompt = self.prompt(prompt_name)
        return self.embed_ids(self.token_ids([prompt + t for t in texts] if prompt else list(texts)), batch_size)

    def embed_ids(self, ids: Sequence[Sequence[int]], batch_size: int = 32) -> np.ndarray:
        """Run token id lists through the model, longest first, in right-padded batches of ``batch_size``."""
        out = np.empty((len(ids), self.dimension), dtype=np.float32)
        lengths = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids))
        order = np.argsort(-lengths, kind="stable")
        step = max(1, int(batch_size))
        pad_id = self.manifest.pad_token_id
        for start in range(0, len(ids), step):
            rows = order[start : start + step]
            width = max(1, int(lengths[rows[0]]))
            batch = np.full((len(rows), width), pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = int(lengths[i])
                batch[r, :n] = ids[i]
                mask[r, :n] = 1
            (vectors,) = self.session.run([self.output_name], {"ids": batch, "mask": mask})
            out[rows] = vectors
        return out


# ------------------------------------------------------------------------------ making the export


def onnx_export_dir(folder: Path, cache_dir: Path, source_digest: str, inside: bool) -> Path:
    """Where the export of ``folder`` goes: inside it (materialized folders) or under ``cache_dir/onnx-v2``."""
    if inside:
        return folder / ONNX_DIR
    slug = "".join(c if c.isalnum() or c in "-_." else "-" for c in folder.name).strip(".-") or "model"
    return Path(cache_dir).expanduser() / ONNX_DIR / f"{slug[:60]}-{source_digest[:16]}"


def ensure_onnx_export(
    folder: Path, name: str, cache_dir: Path, pipeline: OnnxPipeline, inside: bool = False
) -> tuple[Path, OnnxManifest]:
    """Return a verified ONNX export of the sentence-transformers ``folder``, making it once if needed.

    An export already inside the folder (``<folder>/onnx-v2``, as for the materialized default model) is used
    when its manifest matches the folder's digest; otherwise the export is made in :func:`onnx_export_dir`:
    in a temporary folder next to it, verified, then renamed into place, under the same inter-process lock
    as materialization (for a materialized folder) so that concurrent first loads export once.
    Raises :class:`~assistant.search.embeddings.common.OnnxExportError` when exporting, verifying or writing fails.
    """
    digest = folder_digest(folder)
    target = onnx_export_dir(folder, cache_dir, digest, inside)
    for candidate in dict.fromkeys([folder / ONNX_DIR, target]):
        manifest = usable_export(candidate, digest)
        if manifest is not None:
            return candidate, manifest

    def build(tmp: Path) -> OnnxManifest:
        log.info("Exporting %s to ONNX in %s (once; about 30 s)", name, target)
        return _build_onnx_export(folder, tmp, name, digest, pipeline)

    lock = materialize_lock(folder) if inside else target.parent / f".{target.name}.lock"
    try:
        manifest = build_once(target, lock, lambda: usable_export(target, digest), build)
    except OSError as exc:
        raise OnnxExportError(
            f"Không ghi được bản xuất ONNX của mô hình nhúng vào {target.parent} ({first_sentence(exc)}); hãy giải "
            f"phóng dung lượng đĩa (cần khoảng 500 MB), đặt {CACHE_ENV} sang một thư mục ghi được, hoặc đặt "
            f"{BACKEND_ENV}=sentence-transformers."
        ) from exc
    log.info(
        "ONNX export of %s ready (made in %.1f s, min cosine vs sentence-transformers %.6f)",
        name,
        manifest.seconds,
        manifest.min_cosine,
    )
    return target, manifest


def _build_onnx_export(folder: Path, tmp: Path, name: str, digest: str, pipeline: OnnxPipeline) -> OnnxManifest:
    """Export, verify, and finally write the manifest that marks ``tmp`` complete."""
    started = time.perf_counter()
    st_model = load_sentence_transformer(folder)
    try:
        _check_exportable(st_model, pipeline, name)
        try:
            graph = _export_graph(st_model, tmp)
        except Exception as exc:
            raise OnnxExportError(f"Không xuất được {name} sang ONNX ({first_sentence(exc)}); {_NO_ONNX}") from exc
        manifest = OnnxManifest(
            format_version=ONNX_FORMAT_VERSION,
            source_digest=digest,
            model_name=name,
            files={f: (tmp / f).stat().st_size for f in (ONNX_MODEL_FILE, ONNX_DATA_FILE)},
            dimension=int(st_model.get_embedding_dimension()),
            max_seq_length=int(st_model.max_seq_length),
            pad_token_id=int(st_model.tokenizer.pad_token_id or 0),
            opset=ONNX_OPSET,
            graph=graph,
            versions=export_versions(),
            verification=[],
            min_cosine=0.0,
            seconds=0.0,
            created="",
        )
        try:
            encoder = OnnxEncoder.open(tmp, manifest, pipeline)
            verification = _verify_onnx_export(st_model, encoder, name)
        except OnnxExportError:
            raise
        except Exception as exc:
            raise OnnxExportError(
                f"Không kiểm tra được bản xuất ONNX của {name} so với sentence-transformers "
                f"({first_sentence(exc)}); {_NO_ONNX}"
            ) from exc
        del encoder
    finally:
        del st_model
        gc.collect()
    manifest = replace(
        manifest,
        verification=verification,
        min_cosine=min(min(v.cosine, v.batch_cosine) for v in verification),
        seconds=round(time.perf_counter() - started, 2),
        created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )
    make_readable(tmp)
    manifest.write(tmp)
    return manifest


def _check_exportable(st_model: SentenceTransformer, pipeline: OnnxPipeline, name: str) -> None:
    """The loaded model is what the folder's JSON promised, and the runtime will apply the same prompts."""
    kinds = [type(m).__name__ for m in st_model]
    pooling = st_model[1] if len(kinds) > 1 else None
    problem = ""
    if kinds != ["Transformer", "Pooling", "Normalize"]:
        problem = f"các mô-đun của nó là {' → '.join(kinds)}"
    elif getattr(pooling, "pooling_mode", None) not in ("mean", ("mean",)) or not pooling.include_prompt:
        problem = "cách gộp (pooling) của nó không phải trung bình đơn thuần"
    elif not hasattr(st_model[0], "auto_model") or st_model.tokenizer is None or not st_model.tokenizer.is_fast:
        problem = "nó không có tokenizer nhanh hoặc không có mô hình transformers"
    elif not st_model.max_seq_length:
        problem = "nó không khai báo độ dài chuỗi tối đa"
    elif dict(st_model.prompts) != pipeline.prompts or st_model.default_prompt_name != pipeline.default_prompt_name:
        problem = "sentence-transformers hiểu các prompt của nó khác với config_sentence_transformers.json"
    if problem:
        raise OnnxExportError(
            f"{name} không chạy được trên onnxruntime vì {problem}; hãy đặt {BACKEND_ENV}=sentence-transformers "
            "(hoặc auto) để chạy bằng sentence-transformers."
        )


def _export_graph(st_model: SentenceTransformer, tmp: Path) -> str:
    """Write the transformer + mean pooling + L2 normalization as ``model.onnx`` with external weights.

    BERT models are traced with eager attention, whose pattern onnxruntime's BERT fusions recognize
    (embedding + LayerNorm, Attention, SkipLayerNormalization and BiasGelu kernels: ~35% more passages/s
    on CPU than the traced SDPA graph); other models, or a fusion that does not cover every layer, keep the
    plain traced graph. Returns which graph was written: ``"bert-fused"`` or ``"plain"``.
    """
    import onnx
    import torch

    class MeanPooledNormalized(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            out = self.model(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).to(out.dtype)
            pooled = (out * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    auto_model = st_model[0].auto_model.eval()
    config = auto_model.config
    set_attention = getattr(auto_model, "set_attn_implementation", None)
    previous_attention = getattr(config, "_attn_implementation", None)
    fuse = bool(getattr(config, "model_type", "") == "bert" and set_attention is not None and previous_attention)
    wrapper = MeanPooledNormalized(auto_model).eval()
    # Two texts of different lengths: the trace must see real padding, or transformers may drop the mask path.
    example = st_model.tokenizer(
        ["query: xin chào", "passage: kế hoạch chuyển đổi số báo chí của tỉnh đến năm 2025"],
        padding=True,
        return_tensors="pt",
    )
    ids, mask = example["input_ids"], example["attention_mask"]
    if int(mask.min()) != 0:
        raise ValueError("the tracing example has no padding")
    raw = tmp / "traced.onnx"
    try:
        if fuse:
            set_attention("eager")
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # TracerWarnings and the TorchScript exporter's deprecation notice
            torch.onnx.export(
                wrapper,
                (ids, mask),
                str(raw),
                input_names=list(OnnxEncoder.input_names),
                output_names=[OnnxEncoder.output_name],
                dynamic_axes={
                    "ids": {0: "batch", 1: "tokens"},
                    "mask": {0: "batch", 1: "tokens"},
                    "emb": {0: "batch"},
                },
                opset_version=ONNX_OPSET,
                do_constant_folding=True,
                dynamo=False,
            )
    finally:
        if fuse:
            set_attention(previous_attention)  # the verification compares with the model as it normally runs
    proto, graph = None, "plain"
    if fuse:
        proto = _fuse_bert(raw, int(config.num_attention_heads), int(config.hidden_size), int(config.num_hidden_layers))
        graph = "bert-fused" if proto is not None else graph
    if proto is None:
        proto = onnx.load(str(raw))
    raw.unlink()
    # Weights in a separate file: onnxruntime memory-maps it, so a session opens in ~0.5 s instead of ~1.5 s
    # and processes sharing the cache share the pages.
    onnx.save_model(
        proto,
        str(tmp / ONNX_MODEL_FILE),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=ONNX_DATA_FILE,
        size_threshold=1024,
    )
    return graph


def onnxruntime_tool_loggers(module: Any) -> list[str]:
    """Loggers of the modules of an onnxruntime tool package (they log every step at INFO under bare names)."""
    package = str(Path(module.__file__).parent)
    return [n for n, m in list(sys.modules.items()) if str(getattr(m, "__file__", "") or "").startswith(package)]


def _fuse_bert(path: Path, heads: int, hidden: int, layers: int) -> Any:
    """onnxruntime's BERT fusions applied to the traced graph (offline, hardware-independent), or None."""
    try:
        from onnxruntime.transformers import optimizer

        with warnings.catch_warnings(), quiet(onnxruntime_tool_loggers(optimizer)):
            warnings.simplefilter("ignore")
            optimized = optimizer.optimize_model(
                str(path), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=0, use_gpu=False
            )
            fused = optimized.get_fused_operator_statistics()
    except Exception as exc:  # the plain graph is still correct, only slower
        log.warning("onnxruntime's BERT fusions failed (%s); keeping the plain ONNX graph", first_sentence(exc))
        return None
    if fused.get("Attention", 0) != layers or fused.get("SkipLayerNormalization", 0) != 2 * layers:
        log.info("onnxruntime's BERT fusions covered only part of the graph (%s); keeping the plain graph", fused)
        return None
    return optimized.model


# ------------------------------------------------------------------------------ verification


def verification_samples() -> list[tuple[str, str]]:
    """(kind, text) pairs an export is checked on: the materialization's, a few more, and a passage longer than
    512 tokens (to check that both sides truncate the same way)."""
    samples = [*VERIFICATION_SAMPLES, *ONNX_EXTRA_SAMPLES]
    return [*samples, ("passage", " ".join(text for _, text in samples) * 8)]


def sample_text(text: str) -> str:
    """A sample's text as a manifest records it (long texts shortened)."""
    return text if len(text) <= 120 else text[:117] + "..."


def _verify_onnx_export(st_model: SentenceTransformer, encoder: OnnxEncoder, name: str) -> list[OnnxVerification]:
    """Compare the export with sentence-transformers: token ids, and cosine alone and in one padded batch."""
    query_name, passage_name = prompt_names(encoder.pipeline.prompts)
    samples = verification_samples()
    named = [(query_name if kind == "query" else passage_name, text) for kind, text in samples]
    texts = [encoder.prompt(p) + text for p, text in named]
    reference = np.vstack(
        [
            st_model.encode(
                [text],
                prompt_name=p,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
            for p, text in named
        ]
    ).astype(np.float32)
    ours_ids = [encoder.token_ids([t])[0] for t in texts]
    max_len = encoder.manifest.max_seq_length
    st_ids = [st_model.tokenizer(t, truncation=True, max_length=max_len)["input_ids"] for t in texts]
    alone = np.vstack([encoder.embed_ids([ids]) for ids in ours_ids])
    # One right-padded batch of the mixed-length samples (the long one is checked alone: padding 12 short texts
    # to 512 tokens would cost seconds and test nothing more).
    batched = alone.copy()
    short = [i for i, ids in enumerate(ours_ids) if len(ids) < max_len]
    batched[short] = encoder.embed_ids([ours_ids[i] for i in short], batch_size=len(short))
    results: list[OnnxVerification] = []
    for i, (p, text) in enumerate(named):
        kind = samples[i][0]
        if list(ours_ids[i]) != list(st_ids[i]):
            raise OnnxExportError(
                f"Thư viện tokenizers và sentence-transformers tách token mẫu {kind} thứ {i + 1}/{len(samples)} "
                f"của {name} khác nhau ({len(ours_ids[i])} so với {len(st_ids[i])} token); {_NO_ONNX}"
            )
        results.append(
            OnnxVerification(
                prompt=p or "",
                text=sample_text(text),
                tokens=len(ours_ids[i]),
                cosine=round(cosine(alone[i], reference[i]), 7),
                batch_cosine=round(cosine(batched[i], reference[i]), 7),
            )
        )
    worst = min(results, key=lambda v: min(v.cosine, v.batch_cosine))
    if min(worst.cosine, worst.batch_cosine) < ONNX_MIN_COSINE:
        raise OnnxExportError(
            f"Bản xuất ONNX của {name} không tái tạo được vector của sentence-transformers (cosine "
            f"{min(worst.cosine, worst.batch_cosine):.5f} ở một mẫu {worst.tokens} token, tối thiểu "
            f"{ONNX_MIN_COSINE}); {_NO_ONNX}"
        )
    for v in results:
        log.debug(
            "ONNX verified %r: %d tokens, cosine %.7f (batched %.7f)", v.text[:40], v.tokens, v.cosine, v.batch_cosine
        )
    return results
