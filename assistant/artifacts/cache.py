"""Checksummed cache files: a pickle written atomically after a header holding its SHA-256, read back only when
the header, the checksum and the caller's key all match (anything else reads as a miss and the cache is rebuilt).

The checksum guards against damage (a truncated or garbled file), so a broken cache is never unpickled; it is
not a defence against someone who can write the index folder.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAGIC = b"assistant-cache-1\n"


def write_cache(path: Path, key: str, value: Any) -> None:
    """Write ``(key, value)`` to ``path`` through a temp file and a rename; OSError when it cannot be written."""
    payload = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
    header = MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with partial.open("wb") as handle:
            handle.write(header)
            handle.write(payload)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def read_cache(path: Path, key: str) -> Any | None:
    """The cached value when ``path`` is intact and was written for ``key``; None otherwise (logged when damaged)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    digest_end = len(MAGIC) + 64
    if not data.startswith(MAGIC) or data[digest_end : digest_end + 1] != b"\n":
        log.warning("Cache %s has no valid header; it will be rebuilt", path.name)
        return None
    payload = data[digest_end + 1 :]
    if hashlib.sha256(payload).hexdigest().encode() != data[len(MAGIC) : digest_end]:
        log.warning("Cache %s fails its checksum (damaged); it will be rebuilt", path.name)
        return None
    try:
        cached_key, value = pickle.loads(payload)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        log.warning("Cache %s cannot be read with this code; it will be rebuilt", path.name)
        return None
    return value if cached_key == key else None
