"""User-facing errors: each carries one sentence saying what was wrong and what to do."""

from __future__ import annotations


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
