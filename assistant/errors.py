"""User-facing errors: each carries one sentence saying what was wrong and what to do."""

from __future__ import annotations

import errno
import shutil


class AssistantError(Exception):
    """Base class for errors shown to users as a single sentence, never as a stack trace."""


class PlanFileError(AssistantError):
    """A plan file is empty, not UTF-8, binary, or lacks the template's sections."""


class ManifestError(AssistantError):
    """The corpus manifest is missing or malformed."""


class FactsDatabaseMissing(AssistantError):
    """The facts database has not been built yet."""


class EmbeddingModelNotFound(AssistantError):
    """The configured embedding model path or name cannot be loaded."""


class ConfigError(AssistantError):
    """An ``ASSISTANT_*`` environment variable has a value that cannot be used."""


class StorageError(AssistantError):
    """Built data cannot be written: the disk is full, the folder is read-only or not ours to write."""


_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
_FULL_BYTES = 1 << 20
_NO_RIGHT = {errno.EACCES, errno.EPERM}


def as_storage_error(error: BaseException, path: object) -> StorageError | None:
    """One sentence for a failed write of ``path`` when ``error`` is about storage (disk full, read-only, no
    permission; an OSError or SQLite's and Chroma's words for the same), else None."""
    number = getattr(error, "errno", None)
    text = str(error).lower()
    if number in _NO_SPACE or "disk is full" in text or "no space left" in text or _nearly_full(error, path):
        return StorageError(f"Ổ đĩa chứa {path} đã đầy; hãy giải phóng dung lượng rồi chạy lại.")
    if number == errno.EROFS or "read-only file system" in text or "readonly database" in text:
        return StorageError(
            f"Thư mục {path} chỉ đọc; hãy cho phép ghi hoặc đặt ASSISTANT_INDEX_DIR sang một thư mục ghi được."
        )
    if number in _NO_RIGHT or "permission denied" in text:
        return StorageError(
            f"Không có quyền ghi vào {path}; hãy cấp quyền ghi hoặc đặt ASSISTANT_INDEX_DIR sang thư mục khác."
        )
    if isinstance(error, OSError):
        reason = error.strerror or type(error).__name__
        return StorageError(f"Không ghi được vào {path} ({reason}); hãy kiểm tra ổ đĩa và quyền ghi rồi chạy lại.")
    return None


def _nearly_full(error: BaseException, path: object) -> bool:
    """A short write reported without an errno (numpy's "N requested and M written") on a disk with no room."""
    if not isinstance(error, OSError) or error.errno is not None:
        return False
    try:
        return shutil.disk_usage(str(path)).free < _FULL_BYTES
    except OSError:
        return False


def storage_error(error: OSError | Exception, path: object) -> AssistantError:
    """:func:`as_storage_error`, or a general one-sentence error for a write that failed for another reason."""
    return as_storage_error(error, path) or StorageError(
        f"Không ghi được vào {path} ({type(error).__name__}); hãy kiểm tra ổ đĩa và quyền ghi rồi chạy lại."
    )
