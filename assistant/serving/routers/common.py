"""What the view routes share: the served views, file responses, and the 404 for a name that is no unit."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import Response

from assistant.domain.normalize import fold
from assistant.serving.errors import ApiError
from assistant.serving.state import ApiState
from assistant.views.duty_sheet import UnknownUnit
from assistant.views.registry import Views, views_for

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "ics": "text/calendar; charset=utf-8",
}


def served_views(state: ApiState) -> Views:
    engine = state.engine()
    return views_for(engine.facts, engine.corpus.plans)


def unknown_unit(error: UnknownUnit) -> ApiError:
    return ApiError(404, "unknown_unit", str(error))


def slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "tat-ca"


def file_response(body: str | bytes, fmt: str, filename: str) -> Response:
    """A download: the body, its media type, and an attachment name (ASCII, and UTF-8 per RFC 6266)."""
    ascii_name = slug(filename.rsplit(".", 1)[0]) + "." + fmt
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(body, media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": disposition})
