"""Built data fit to serve: what is stale or damaged is rebuilt in the same process before anything is served.

:func:`prepare_data` runs at every engine load. It removes what an interrupted build left behind, checks the
facts table (:func:`~assistant.facts.store.check_facts_db`) and the retrieval index
(:func:`~assistant.search.index.load_index` with the corpus), and rebuilds a part that fails, logging why (naming the
plan when one plan changed). A rebuilt index gets a new vector-store folder, so Chroma's cached client of the
old one is never reused: one start always suffices.

A read-only index folder is served as built when it is fresh and sound (the vector store is opened from a copy
in a temp folder, since Chroma cannot open a read-only store); when it is not, the parts are rebuilt in a temp
folder and served from there, and :attr:`Prepared.notes` says that a build is needed. Disk-full and permission
errors are :class:`~assistant.errors.StorageError` sentences.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.facts.store import TEMP_PREFIX, FactStore, build_facts_db, check_facts_db
from assistant.ingest.corpus import CORPUS_CACHE_FILE, Corpus
from assistant.search.index import (
    RETIRED_PREFIX,
    STAGING_PREFIX,
    IndexBuilder,
    IndexStale,
    IndexUnavailable,
    load_index,
)
from assistant.search.retrieval import HybridRetriever

log = logging.getLogger(__name__)

LEGACY_TEMP_AGE_S = 3600  # temp files without a process id are removed once this old
READ_ONLY_NOTE = (
    "Thư mục chỉ mục {folder} chỉ đọc và dữ liệu trong đó {what}; trợ lý đang dùng bản dựng tạm, "
    "hãy chạy 'assistant index build' ở nơi ghi được thư mục này."
)

NO_PLANS = "Không có kế hoạch nào dùng được trong kho văn bản; hãy sửa manifest.toml và các tệp kế hoạch."
ASK_ADMIN = "hãy xem nhật ký máy chủ và báo quản trị viên."


class DataUnusable(AssistantError):
    """A part was rebuilt and still fails its checks, or there is no plan to build from."""


@dataclass
class Prepared:
    """What the engine serves: the facts table, the retriever, and notes for /readyz (Vietnamese sentences)."""

    store: FactStore
    retriever: HybridRetriever
    notes: list[str] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)  # "facts", "index": what this load had to rebuild


def prepare_data(settings: Settings, corpus: Corpus, embedder, force: bool = False) -> Prepared:
    """Check, rebuild when needed, and open the facts table and the index (see the module docstring).
    ``force`` rebuilds both whatever the checks say."""
    if not corpus.plans:
        raise DataUnusable(NO_PLANS)
    writable = is_writable(settings.index_dir)
    if writable:
        remove_leftovers(settings.index_dir)
    else:
        log.warning("Index folder %s is read-only: nothing will be written there", settings.index_dir)
    scratch = _Scratch()
    notes: list[str] = []
    rebuilt: list[str] = []
    store = _prepare_facts(settings, corpus, force, writable, scratch, notes, rebuilt)
    retriever = _prepare_index(settings, corpus, embedder, force, writable, scratch, notes, rebuilt)
    return Prepared(store, retriever, notes, rebuilt)


def _prepare_facts(
    settings: Settings,
    corpus: Corpus,
    force: bool,
    writable: bool,
    scratch: _Scratch,
    notes: list[str],
    rebuilt: list[str],
) -> FactStore:
    path = settings.facts_db
    reasons = ["a rebuild was asked for"] if force else check_facts_db(path, corpus)
    if not reasons:
        return FactStore(path)
    target = path if writable else scratch.folder() / path.name
    log.warning("Facts table %s cannot be served (%s); rebuilding it in %s", path, "; ".join(reasons), target.parent)
    build_facts_db(corpus, target)
    problems = check_facts_db(target, corpus)
    if problems:
        raise DataUnusable(f"Bảng dữ liệu vừa dựng lại vẫn không dùng được ({'; '.join(problems)}); {ASK_ADMIN}")
    rebuilt.append("facts")
    if not writable:
        notes.append(READ_ONLY_NOTE.format(folder=settings.index_dir.name, what="có bảng dữ liệu đã cũ hoặc hỏng"))
    return FactStore(target)


def _prepare_index(
    settings: Settings,
    corpus: Corpus,
    embedder,
    force: bool,
    writable: bool,
    scratch: _Scratch,
    notes: list[str],
    rebuilt: list[str],
) -> HybridRetriever:
    copy_to = None if writable or settings.chroma_host else scratch.folder()
    try:
        if force:
            raise IndexUnavailable("a rebuild was asked for")
        return HybridRetriever(load_index(settings, embedder, corpus, store_copy=copy_to))
    except IndexUnavailable as problem:
        reasons = problem.reasons if isinstance(problem, IndexStale) else [str(problem)]
    target = settings if writable else replace(settings, index_dir=scratch.folder())
    log.warning(
        "Retrieval index in %s cannot be served (%s); rebuilding it in %s",
        settings.index_dir,
        "; ".join(reasons),
        target.index_dir,
    )
    IndexBuilder(target).build(corpus, embedder=embedder, force=True, reuse_from=settings.index_dir / "retrieval")
    try:
        index = load_index(target, embedder, corpus)
    except IndexUnavailable as error:
        raise DataUnusable(f"Chỉ mục tìm kiếm vừa dựng lại vẫn không dùng được ({error}); {ASK_ADMIN}") from error
    rebuilt.append("index")
    if not writable:
        notes.append(READ_ONLY_NOTE.format(folder=settings.index_dir.name, what="có chỉ mục tìm kiếm đã cũ hoặc hỏng"))
    return HybridRetriever(index)


def is_writable(folder: Path) -> bool:
    """True when a file can be created in ``folder`` (created when missing)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".probe-", dir=folder)
        os.close(handle)
        os.unlink(probe)
        return True
    except OSError:
        return False


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True


def _owner(name: str, prefix: str) -> int | None:
    """The process id in a temp name such as ``retrieval.new-1234`` or ``.facts-1234-x9.sqlite``."""
    digits = name[len(prefix) :].split("-", 1)[0].split(".", 1)[0]
    return int(digits) if digits.isdigit() else None


def remove_leftovers(index_dir: Path) -> list[str]:
    """Remove the staging folders and temp files of builds whose process is gone (a build killed midway);
    when a swap was cut between its two renames (no ``retrieval/``), first put back the newest complete copy.
    Returns the names removed or restored (each is logged)."""
    done: list[str] = []
    root = index_dir / "retrieval"
    folders = []
    for prefix in (STAGING_PREFIX, RETIRED_PREFIX):
        for path in index_dir.glob(prefix + "*"):
            pid = _owner(path.name, prefix)
            if path.is_dir() and pid is not None and not _pid_alive(pid):
                folders.append(path)
    if not root.exists():
        complete = [p for p in folders if (p / "manifest.json").is_file()]
        if complete:
            newest = max(complete, key=lambda p: (p / "manifest.json").stat().st_mtime)
            os.replace(newest, root)
            folders.remove(newest)
            log.warning("Restored the retrieval index from %s, left by an interrupted build", newest.name)
            done.append(newest.name)
    for path in folders:
        shutil.rmtree(path, ignore_errors=True)
        log.warning("Removed %s, left by an interrupted build", path.name)
        done.append(path.name)
    now = time.time()
    cache_prefix = f".{CORPUS_CACHE_FILE}."
    for pattern, prefix in ((TEMP_PREFIX + "*", TEMP_PREFIX), (cache_prefix + "*.tmp", cache_prefix)):
        for path in index_dir.glob(pattern):
            pid = _owner(path.name, prefix)
            try:
                stale = not _pid_alive(pid) if pid is not None else now - path.stat().st_mtime > LEGACY_TEMP_AGE_S
                if stale and path.is_file():
                    path.unlink()
                    log.warning("Removed %s, left by an interrupted build", path.name)
                    done.append(path.name)
            except OSError:
                continue
    return done


class _Scratch:
    """A temp folder made on first use and removed when the process exits (for a read-only index folder)."""

    def __init__(self) -> None:
        self._path: Path | None = None

    def folder(self) -> Path:
        if self._path is None:
            self._path = Path(tempfile.mkdtemp(prefix="assistant-scratch-"))
            atexit.register(shutil.rmtree, self._path, True)
        return self._path
