"""Retrieval index: passages embedded into Chroma (through llama-index) and a BM25 index, built atomically.

Layout under ``<index_dir>/retrieval/``:

- ``manifest.json``  — model, dimension, build time, per-plan content hashes, the hash of the code that built it
  (:mod:`~assistant.artifacts.freshness`), SHA-256 of every other file but the vector store, passage count, collection;
- ``passages.json``  — every passage (span, section, text, embedded text);
- ``vectors.npy``    — passage embeddings (reused for unchanged passages on the next build);
- ``bm25/``          — bm25s index over lowercase, diacritic-folded syllables;
- ``syllables.pickle`` — syllable statistics of the passages (diacritic restoration of questions);
- ``chroma-<build>/`` — the embedded Chroma store (absent when a Chroma server is configured); a new folder name
  for each build, so that a process that rebuilt its index never reopens Chroma's cached client of the old one.

A build writes a new folder (``retrieval.new-<pid>``) beside the old one and swaps it in with renames, so a crash
mid-build leaves the old index usable (and the next start removes the leftovers). A build with no change in plan
texts, chunking code or model only reads the manifest. :func:`load_index` checks every part before it is used
(checksums, BM25 arrays, vectors, the vector store's count and a self-query, and, given the corpus, freshness).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import pickle
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from assistant.artifacts.cache import read_cache, write_cache
from assistant.artifacts.freshness import INDEX_CODE, code_hash, stale_reasons
from assistant.artifacts.integrity import (
    bm25_problem,
    checksum_problem,
    collection_problem,
    folder_checksums,
    sqlite_problem,
    vectors_problem,
)
from assistant.config import Settings
from assistant.domain.normalize import fold
from assistant.domain.syllable_stats import SyllableStats
from assistant.errors import AssistantError, as_storage_error
from assistant.ingest.corpus import Corpus
from assistant.search.chunking import Passage, chunk_plan

log = logging.getLogger(__name__)

COLLECTION_PREFIX = "plan-passages"
TOKEN_RE = re.compile(r"\w+", re.UNICODE)
# Bump when the BM25 tokenization or the stored layout changes, so that existing indexes are rebuilt.
INDEX_FORMAT = "4"
SYLLABLES_FILE = "syllables.pickle"  # syllable statistics of the passages
EMBEDDINGS_CACHE = "embeddings.cache"  # beside retrieval/: passage vectors by text hash, kept through a damaged index
STAGING_PREFIX = "retrieval.new-"  # a build in progress: retrieval.new-<pid>
RETIRED_PREFIX = "retrieval.old-"  # the previous index between the two renames of a swap: retrieval.old-<pid>


class IndexUnavailable(AssistantError):
    """The retrieval index is missing or damaged; it can be rebuilt with ``assistant index build``."""


class IndexStale(IndexUnavailable):
    """The retrieval index was built from other plan texts or other code; ``reasons`` name the plans."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(
            "Chỉ mục tìm kiếm đã cũ so với kho văn bản hoặc mã nguồn; hãy chạy 'assistant index build' để dựng lại."
        )
        self.reasons = reasons


def bm25_tokens(text: str, marked: bool = True) -> list[str]:
    """What BM25 indexes and queries use: folded syllables and numbers, folded syllable bigrams ("chu_tri"),
    and, with ``marked``, each syllable that carries marks as written ("ký", kept apart from "kỹ" and "kỳ").

    Most Vietnamese words have two syllables, so the bigrams stand in for words without a word segmenter.
    Queries typed without diacritics use ``marked=False``: their plain syllables say nothing about marks.
    """
    words = TOKEN_RE.findall(text.lower())
    syllables = [fold(w) for w in words]
    tokens = syllables + [f"{a}_{b}" for a, b in zip(syllables, syllables[1:], strict=False)]
    if marked:
        tokens += [w for w, f in zip(words, syllables, strict=True) if w != f]
    return tokens


@dataclass
class IndexManifest:
    model_setting: str
    model_name: str
    dimension: int
    built_at: str
    plans: dict[str, dict[str, Any]]  # plan_id -> {"province", "sha256", "passages"}
    passages: int
    passages_sha256: str
    index_format: str
    collection: str
    chroma: str  # "embedded" or "http://host:port"
    build_seconds: float = 0.0
    code_sha256: str = ""  # the code that built it (assistant.artifacts.freshness.INDEX_CODE)
    files: dict[str, str] = field(default_factory=dict)  # SHA-256 of every file but manifest.json and the store
    chroma_dir: str = "chroma"  # the embedded store's folder

    @classmethod
    def read(cls, folder: Path) -> IndexManifest:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return cls(**data)

    def write(self, folder: Path) -> None:
        (folder / "manifest.json").write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), "utf-8")


@dataclass
class IndexBuildReport:
    up_to_date: bool
    rebuilt_plans: list[str]
    passages: int
    embedded: int
    seconds: float
    manifest: IndexManifest | None = None
    notes: list[str] = field(default_factory=list)


def plan_hashes(corpus: Corpus) -> dict[str, dict[str, Any]]:
    return {
        plan.id: {"province": plan.province, "sha256": hashlib.sha256(plan.text.encode("utf-8")).hexdigest()}
        for plan in corpus.plans
    }


def chroma_client(settings: Settings, path: Path):
    """An HTTP client when a Chroma server is configured, else an embedded client stored in the folder ``path``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def _chroma_label(settings: Settings) -> str:
    return f"http://{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "embedded"


def llama_embedding(embedder):
    """Wrap our :class:`~assistant.search.embeddings.Embedder` as a llama-index embedding model."""
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.bridge.pydantic import PrivateAttr

    class PlanEmbedding(BaseEmbedding):
        _embedder: Any = PrivateAttr()

        def __init__(self, inner) -> None:
            super().__init__(model_name=inner.name, embed_batch_size=32)
            self._embedder = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._embedder.embed_queries([query])[0].tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._embedder.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._embedder.embed_passages(texts).tolist()

    return PlanEmbedding(embedder)


def disable_llm() -> None:
    """``Settings.llm = None`` for llama-index (it prints a notice; keep stdout clean for --json output)."""
    from llama_index.core import Settings as LlamaSettings

    with contextlib.redirect_stdout(io.StringIO()):
        LlamaSettings.llm = None


class IndexBuilder:
    """Builds the retrieval index for a corpus (see the module docstring)."""

    def __init__(self, settings: Settings, progress: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.progress = progress or (lambda message: log.info("%s", message))
        self.root = settings.index_dir / "retrieval"

    def is_up_to_date(self, passages: list[Passage]) -> bool:
        """True when the stored index was built from exactly these passages, model and store."""
        try:
            manifest = IndexManifest.read(self.root)
        except (OSError, ValueError, TypeError):
            return False
        return (
            manifest.passages_sha256 == passages_hash(passages)
            and manifest.index_format == INDEX_FORMAT
            and manifest.code_sha256 == code_hash(INDEX_CODE)
            and manifest.model_setting == self.settings.embedding_model
            and manifest.chroma == _chroma_label(self.settings)
            and checksum_problem(self.root, manifest.files) is None
        )

    def build(
        self, corpus: Corpus, embedder=None, force: bool = False, reuse_from: Path | None = None
    ) -> IndexBuildReport:
        """Build (or, unless ``force``, skip when up to date). Vectors of unchanged passages are reused from this
        index, or from ``reuse_from`` (another index folder, e.g. a read-only one). A write that fails (disk full,
        no permission) is a :class:`~assistant.errors.StorageError` in one sentence."""
        try:
            return self._build(corpus, embedder, force, reuse_from)
        except Exception as error:
            storage = as_storage_error(error, self.settings.index_dir)
            if storage is None:
                raise
            raise storage from error

    def _build(self, corpus: Corpus, embedder, force: bool, reuse_from: Path | None) -> IndexBuildReport:
        started = time.perf_counter()
        passages: list[Passage] = []
        for plan in corpus.plans:
            passages.extend(chunk_plan(plan))
        if not force and self.is_up_to_date(passages):
            manifest = IndexManifest.read(self.root)
            return IndexBuildReport(True, [], manifest.passages, 0, time.perf_counter() - started, manifest)
        if embedder is None:
            from assistant.search.embeddings import Embedder

            self.progress(f"Đang nạp mô hình nhúng {self.settings.embedding_model}…")
            settings = self.settings
            embedder = Embedder.load(settings.embedding_model, settings.cache_dir, settings.embedding_backend)
        cache = self.settings.index_dir / EMBEDDINGS_CACHE
        old_vectors = read_cache(cache, embedder.name) or {}
        old_vectors.update(self._reusable_vectors(embedder.name, reuse_from or self.root))
        vectors, embedded = self._embed(passages, embedder, old_vectors)
        with contextlib.suppress(OSError):  # a cache: losing it only costs embedding again
            write_cache(
                cache, embedder.name, {_text_key(p.embed_text): v for p, v in zip(passages, vectors, strict=True)}
            )
        hashes = plan_hashes(corpus)
        for plan_id, entry in hashes.items():
            entry["passages"] = sum(1 for p in passages if p.plan_id == plan_id)
        previous = self._previous_manifest()
        rebuilt = [
            plan_id
            for plan_id, entry in hashes.items()
            if previous is None or previous.plans.get(plan_id, {}).get("sha256") != entry["sha256"]
        ]
        stamp = int(time.time() * 1000)
        collection = f"{COLLECTION_PREFIX}-{stamp}"
        chroma_dir = f"chroma-{stamp}"
        staging = self.root.parent / f"{STAGING_PREFIX}{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            self._write(staging, passages, vectors, collection, chroma_dir)
            manifest = IndexManifest(
                model_setting=self.settings.embedding_model,
                model_name=embedder.name,
                dimension=int(vectors.shape[1]),
                built_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
                plans=hashes,
                passages=len(passages),
                passages_sha256=passages_hash(passages),
                index_format=INDEX_FORMAT,
                collection=collection,
                chroma=_chroma_label(self.settings),
                build_seconds=round(time.perf_counter() - started, 2),
                code_sha256=code_hash(INDEX_CODE),
                files=folder_checksums(staging, skip={chroma_dir}),
                chroma_dir=chroma_dir,
            )
            manifest.write(staging)
            self._swap(staging, previous)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return IndexBuildReport(False, rebuilt, len(passages), embedded, time.perf_counter() - started, manifest)

    # -- steps ---------------------------------------------------------------------------------------
    def _previous_manifest(self) -> IndexManifest | None:
        try:
            return IndexManifest.read(self.root)
        except (OSError, ValueError, TypeError):
            return None

    def _reusable_vectors(self, model_name: str, folder: Path) -> dict[str, np.ndarray]:
        """Embeddings of the index in ``folder`` keyed by the hash of the embedded text (same model only, and only
        when its passages and vectors still match their checksums: damaged vectors are never reused)."""
        try:
            previous = IndexManifest.read(folder)
        except (OSError, ValueError, TypeError):
            return {}
        if previous.model_name != model_name:
            return {}
        recorded = {name: previous.files.get(name, "") for name in ("passages.json", "vectors.npy")}
        if not all(recorded.values()) or checksum_problem(folder, recorded) is not None:
            return {}
        try:
            old_passages = json.loads((folder / "passages.json").read_text(encoding="utf-8"))
            old_vectors = np.load(folder / "vectors.npy")
        except (OSError, ValueError):
            return {}
        if len(old_passages) != len(old_vectors):
            return {}
        return {_text_key(p["embed_text"]): v for p, v in zip(old_passages, old_vectors, strict=True)}

    def _embed(self, passages: list[Passage], embedder, reuse: dict[str, np.ndarray]) -> tuple[np.ndarray, int]:
        vectors = np.zeros((len(passages), embedder.dimension), dtype=np.float32)
        todo: list[int] = []
        for i, passage in enumerate(passages):
            known = reuse.get(_text_key(passage.embed_text))
            if known is None:
                todo.append(i)
            else:
                vectors[i] = known
        batch = 64
        for begin in range(0, len(todo), batch):
            chunk = todo[begin : begin + batch]
            self.progress(f"Nhúng đoạn văn {begin + len(chunk)}/{len(todo)}")
            vectors[chunk] = embedder.embed_passages([passages[i].embed_text for i in chunk])
        return vectors, len(todo)

    def _write(
        self, folder: Path, passages: list[Passage], vectors: np.ndarray, collection: str, chroma_dir: str
    ) -> None:
        import bm25s

        (folder / "passages.json").write_text(
            json.dumps([asdict(p) for p in passages], ensure_ascii=False), encoding="utf-8"
        )
        np.save(folder / "vectors.npy", vectors)
        with (folder / SYLLABLES_FILE).open("wb") as handle:  # for restoring marks on questions typed without them
            pickle.dump(SyllableStats.from_texts([p.text for p in passages]), handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.progress("Dựng chỉ mục BM25…")
        retriever = bm25s.BM25()
        retriever.index([bm25_tokens(p.embed_text) or ["_"] for p in passages], show_progress=False)
        retriever.save(str(folder / "bm25"), show_progress=False)
        self.progress("Ghi kho vector Chroma…")
        self._write_chroma(folder / chroma_dir, passages, vectors, collection)

    def _write_chroma(self, path: Path, passages: list[Passage], vectors: np.ndarray, collection: str) -> None:
        from llama_index.core import StorageContext, VectorStoreIndex
        from llama_index.core.embeddings import MockEmbedding
        from llama_index.core.schema import TextNode
        from llama_index.vector_stores.chroma import ChromaVectorStore

        disable_llm()
        client = chroma_client(self.settings, path)
        try:
            chroma_collection = client.create_collection(collection, metadata={"hnsw:space": "cosine"})
            store = ChromaVectorStore(chroma_collection=chroma_collection)
            nodes = [
                TextNode(id_=p.id, text=p.embed_text, metadata=p.metadata(), embedding=vectors[i].tolist())
                for i, p in enumerate(passages)
            ]
            VectorStoreIndex(
                nodes,
                storage_context=StorageContext.from_defaults(vector_store=store),
                embed_model=MockEmbedding(embed_dim=int(vectors.shape[1])),  # vectors are given; nothing is embedded
                show_progress=False,
            )
        finally:
            client.close()  # releases Chroma's cached system for this path before the folder is renamed

    def _swap(self, staging: Path, previous: IndexManifest | None) -> None:
        old = self.root.parent / f"{RETIRED_PREFIX}{os.getpid()}"
        if self.root.exists():
            os.replace(self.root, old)
        os.replace(staging, self.root)
        shutil.rmtree(old, ignore_errors=True)
        if previous is not None and self.settings.chroma_host and previous.chroma == _chroma_label(self.settings):
            with contextlib.suppress(Exception):
                client = chroma_client(self.settings, self.root)
                client.delete_collection(previous.collection)
                client.close()


def passages_hash(passages: list[Passage]) -> str:
    """Hash of everything that goes into the index: ids, spans, texts and embedded texts of all passages."""
    digest = hashlib.sha256()
    for p in passages:
        digest.update(f"{p.id}\x1f{p.section}\x1f{p.kind}\x1f{p.embed_text}\x1e".encode())
    return digest.hexdigest()


def _text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass
class LoadedIndex:
    """The parts retrieval needs, loaded from disk (and the Chroma store)."""

    manifest: IndexManifest
    passages: list[Passage]
    bm25: Any
    provinces: np.ndarray  # province of each passage, for BM25 filtering
    collection: Any  # the Chroma collection: hybrid search asks it for ids and distances only
    embedder: Any  # the model the index was built with, for queries that come without a vector
    syllable_stats: Any = None  # SyllableStats of the passages (None for an index built without them)
    client: Any = None  # the Chroma client; close() releases it

    def close(self) -> None:
        """Release the vector store (Chroma caches one client per folder until every client is closed)."""
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close()

    @cached_property
    def vector_index(self) -> Any:
        """A llama-index VectorStoreIndex over the same collection (the naive-RAG baseline of the evals uses it).
        Built on first use: importing llama-index takes seconds that serving does not need to spend."""
        from llama_index.core import VectorStoreIndex
        from llama_index.vector_stores.chroma import ChromaVectorStore

        disable_llm()
        return VectorStoreIndex.from_vector_store(
            ChromaVectorStore(chroma_collection=self.collection), embed_model=llama_embedding(self.embedder)
        )


def load_index(
    settings: Settings, embedder, corpus: Corpus | None = None, store_copy: Path | None = None
) -> LoadedIndex:
    """Load the built index after checking every part; :class:`IndexUnavailable` (one sentence) when a part is
    missing or damaged, :class:`IndexStale` when, given ``corpus``, it was built from other plan texts or code.

    ``store_copy``: open a copy of the embedded vector store made in that folder (Chroma cannot open a store in
    a read-only folder)."""
    root = settings.index_dir / "retrieval"
    try:
        manifest = IndexManifest.read(root)
    except FileNotFoundError as error:
        raise IndexUnavailable(f"Chưa có chỉ mục tìm kiếm ({error.filename}).") from error
    except (ValueError, TypeError) as error:
        raise IndexUnavailable(f"Chỉ mục tìm kiếm trong {root} bị hỏng ({error}).") from error
    if manifest.index_format != INDEX_FORMAT:
        raise IndexUnavailable(f"Chỉ mục tìm kiếm trong {root} có định dạng cũ ({manifest.index_format}).")
    if manifest.chroma != _chroma_label(settings):
        raise IndexUnavailable("Chỉ mục được dựng cho một kho Chroma khác với cấu hình hiện tại.")
    if embedder.name != manifest.model_name:
        raise IndexUnavailable(
            f"Chỉ mục được dựng bằng mô hình {manifest.model_name}, khác mô hình đang dùng {embedder.name}."
        )
    damaged = checksum_problem(root, manifest.files)
    if damaged:
        raise IndexUnavailable(f"Chỉ mục tìm kiếm trong {root} bị hỏng: {damaged}.")
    try:
        raw = json.loads((root / "passages.json").read_text(encoding="utf-8"))
        passages = [Passage(**p) for p in raw]
    except FileNotFoundError as error:
        raise IndexUnavailable(f"Chưa có chỉ mục tìm kiếm ({error.filename}).") from error
    except (ValueError, TypeError) as error:
        raise IndexUnavailable(f"Chỉ mục tìm kiếm trong {root} bị hỏng ({error}).") from error
    if len(passages) != manifest.passages:
        raise IndexUnavailable(f"Chỉ mục tìm kiếm trong {root} không khớp manifest (số đoạn văn khác nhau).")
    if corpus is not None:
        _check_fresh(manifest, passages, corpus)
    try:
        vectors = np.load(root / "vectors.npy")
    except (OSError, ValueError) as error:
        raise IndexUnavailable(f"Chỉ mục tìm kiếm trong {root} bị hỏng (vectors.npy: {error}).") from error
    problem = vectors_problem(vectors, len(passages), manifest.dimension)
    import bm25s

    try:
        bm25 = bm25s.BM25.load(str(root / "bm25"), show_progress=False)
    except Exception as error:  # noqa: BLE001 - any failure here means the index cannot be used
        raise IndexUnavailable(f"Không mở được chỉ mục BM25 trong {root} ({type(error).__name__}).") from error
    problem = problem or bm25_problem(bm25, len(passages))
    if problem:
        raise IndexUnavailable(f"Chỉ mục tìm kiếm trong {root} bị hỏng: {problem}.")
    client, collection = _open_store(settings, root, manifest, store_copy)
    problem = collection_problem(collection, [p.id for p in passages], vectors)
    if problem:
        client.close()
        raise IndexUnavailable(f"Kho vector của chỉ mục trong {root} bị hỏng: {problem}.")
    provinces = np.array([fold(p.province) for p in passages])
    stats = None
    try:
        with (root / SYLLABLES_FILE).open("rb") as handle:  # its checksum was verified above
            stats = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass  # counted again from the passages
    return LoadedIndex(manifest, passages, bm25, provinces, collection, embedder, stats, client)


def _check_fresh(manifest: IndexManifest, passages: list[Passage], corpus: Corpus) -> None:
    recorded = {plan_id: entry.get("sha256", "") for plan_id, entry in manifest.plans.items()}
    reasons = stale_reasons(recorded, manifest.code_sha256, corpus, INDEX_CODE)
    if not reasons:
        texts = {plan.id: plan.text for plan in corpus.plans}
        for passage in passages:
            text = texts.get(passage.plan_id)
            if text is None or text[passage.start : passage.end] != passage.text:
                reasons.append(f"passage {passage.id} of plan {passage.plan_id} no longer quotes its plan's text")
                break
    if reasons:
        raise IndexStale(reasons)


def _open_store(settings: Settings, root: Path, manifest: IndexManifest, store_copy: Path | None) -> tuple[Any, Any]:
    """The Chroma client and collection (checked with SQLite first when the store is embedded)."""
    path = root / manifest.chroma_dir
    if not settings.chroma_host:
        damaged = sqlite_problem(path / "chroma.sqlite3") if (path / "chroma.sqlite3").is_file() else "it is missing"
        if damaged:
            raise IndexUnavailable(f"Kho vector của chỉ mục trong {root} bị hỏng: {damaged}.")
        if store_copy is not None:
            target = store_copy / f"{manifest.chroma_dir}-{os.getpid()}-{time.monotonic_ns()}"
            shutil.copytree(path, target)
            path = target
    client = None
    try:
        client = chroma_client(settings, path)
        return client, client.get_collection(manifest.collection)
    except Exception as error:  # noqa: BLE001 - any failure here means the index cannot be used
        if client is not None:
            client.close()
        raise IndexUnavailable(f"Không mở được kho vector trong {root} ({type(error).__name__}).") from error
