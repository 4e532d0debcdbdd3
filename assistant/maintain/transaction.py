"""All-or-nothing changes to the corpus, the facts table and the retrieval index: stage, journal, swap.

A change (adding or removing plans) is built in a staging folder beside the corpus: a copy of the corpus
folder with the change made, and a facts table and retrieval index built from it. The commit point is one
atomic write of a journal listing the renames that put the staged folders in place; the renames follow.
Killed before the journal is written, nothing outside the staging folder has changed (the next run removes
it); killed after, the next run finishes the renames from the journal. Either way corpus, manifest, facts
and index are the old ones or the new ones, never a mix. One change at a time (a lock file).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.ingest import IngestError

log = logging.getLogger(__name__)

STAGING_PREFIX = ".assistant-ingest-"


@dataclass(frozen=True)
class Paths:
    """Where a change's folders are: the live corpus and index folders and the staging folder beside them."""

    corpus_dir: Path
    index_dir: Path

    @property
    def parent(self) -> Path:
        return self.corpus_dir.resolve().parent

    @property
    def parents(self) -> list[Path]:
        """The folders that hold staging folders: beside the corpus, and beside the index when elsewhere."""
        index_parent = self.index_dir.resolve().parent
        return [self.parent] if index_parent == self.parent else [self.parent, index_parent]

    @property
    def journal(self) -> Path:
        return self.parent / f".{self.corpus_dir.name}-ingest-journal.json"

    @property
    def lock(self) -> Path:
        return self.parent / f".{self.corpus_dir.name}-ingest.lock"


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_atomically(path: Path, data: str) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    _fsync_dir(path.parent)


def _apply(journal: Path) -> None:
    """Carry out the renames of a journal (again, when a run was killed halfway), then drop it and its staging."""
    entry = json.loads(journal.read_text(encoding="utf-8"))
    for n, (source, target) in enumerate(entry["moves"]):
        source, target = Path(source), Path(target)
        if not source.exists():
            continue  # moved by an earlier run
        if target.exists():
            device = target.parent.stat().st_dev
            folders = [Path(f) for f in entry.get("staging_dirs", [entry["staging"]])]
            home = next((f for f in folders if f.exists() and f.stat().st_dev == device), folders[0])
            aside = home / "replaced" / str(n)
            aside.parent.mkdir(parents=True, exist_ok=True)
            if aside.exists():
                shutil.rmtree(aside) if aside.is_dir() else aside.unlink()
            os.replace(target, aside)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        _fsync_dir(target.parent)
    journal.unlink()
    for staging in entry.get("staging_dirs", [entry["staging"]]):
        shutil.rmtree(staging, ignore_errors=True)


def recover(paths: Paths) -> None:
    """Finish a change whose journal was written; remove the staging folders of changes that never committed."""
    if paths.journal.exists():
        log.warning("Finishing an interrupted corpus change from %s", paths.journal)
        _apply(paths.journal)
    for parent in paths.parents:
        for stale in parent.glob(f"{STAGING_PREFIX}*") if parent.is_dir() else []:
            if stale.is_dir() and not _alive(stale):
                shutil.rmtree(stale, ignore_errors=True)


def _alive(staging: Path) -> bool:
    """True when the process that made ``staging`` still runs (its pid ends the folder's name)."""
    try:
        pid = int(staging.name.rsplit("-", 1)[-1])
    except ValueError:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _link_tree(source: Path, target: Path) -> None:
    """Copy a folder, hard-linking files where possible (staged files are replaced, never edited in place)."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link)


class Change:
    """A staged change: ``corpus`` and ``index`` are the staged folders to edit and build; commit swaps them in."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        # A new name per change: Chroma keeps one client per folder path for the life of the process.
        name = f"{STAGING_PREFIX}{time.time_ns()}-{os.getpid()}"
        self.staging_dirs = [parent / name for parent in paths.parents]
        for folder in self.staging_dirs:
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
        self.staging = self.staging_dirs[0]
        self.corpus = self.staging / "corpus"
        self.index = self.staging_dirs[-1] / "index"  # on the index's file system, so that renames stay atomic
        _link_tree(paths.corpus_dir, self.corpus)
        self.index.mkdir()
        retrieval = paths.index_dir / "retrieval"
        if retrieval.is_dir():
            shutil.copytree(retrieval, self.index / "retrieval")  # real copies: the index build rewrites files

    def commit(self) -> None:
        moves = [(self.corpus, self.paths.corpus_dir)]
        for name in ("facts.sqlite", "retrieval", "corpus.pickle"):
            if (self.index / name).exists():
                moves.append((self.index / name, self.paths.index_dir / name))
        self.paths.index_dir.mkdir(parents=True, exist_ok=True)
        journal = {
            "staging": str(self.staging),
            "staging_dirs": [str(folder) for folder in self.staging_dirs],
            "moves": [[str(a), str(b)] for a, b in moves],
        }
        _write_atomically(self.paths.journal, json.dumps(journal, ensure_ascii=False))  # the commit point
        _apply(self.paths.journal)

    def abandon(self) -> None:
        for folder in self.staging_dirs:
            shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def change(paths: Paths) -> Iterator[Change]:
    """A staged change under the lock; committed only by ``Change.commit``, removed on any error."""
    paths.parent.mkdir(parents=True, exist_ok=True)
    with paths.lock.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise IngestError("Một thao tác thêm/xóa kế hoạch khác đang chạy; hãy đợi nó xong rồi thử lại.") from error
        recover(paths)
        staged = Change(paths)
        try:
            yield staged
        finally:
            staged.abandon()
