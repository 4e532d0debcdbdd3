"""Routes of the deadline calendar: an iCalendar file, and the items as JSON with what falls due next."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from assistant.domain.provinces import province_spellings
from assistant.serving.errors import V1_ERRORS, ApiError, error_responses
from assistant.serving.routers.common import MEDIA_TYPES, served_views, slug, unknown_unit
from assistant.serving.schemas import resolve_province
from assistant.serving.state import ApiState, get_state
from assistant.views.duty_sheet import UnknownUnit

router = APIRouter(prefix="/v1", tags=["calendar"])
ProvinceQuery = Query(
    None,
    max_length=100,
    description="Only this province's plan (any spelling; a name that is no province is a 422).",
    json_schema_extra={"enum": province_spellings()},
)
UnitQuery = Query(None, max_length=200, description="Only the items on this unit's duty sheet (a 404 if no unit).")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _calendar(state: ApiState, province: str | None, unit: str | None):
    named = resolve_province(province)
    try:
        return served_views(state).calendar(named, (unit or "").strip() or None)
    except UnknownUnit as error:
        raise unknown_unit(error) from error


def parse_day(text: str | None) -> date:
    """``YYYY-MM-DD`` (today when not given); a 422 in one sentence otherwise."""
    if text is None:
        return date.today()
    match = _DATE_RE.match(text.strip())
    try:
        if match is None:
            raise ValueError
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ApiError(
            422, "invalid_date", f"Ngày '{text[:20]}' không hợp lệ; hãy viết theo dạng YYYY-MM-DD, ví dụ 2026-11-25."
        ) from None


@router.get(
    "/calendar.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}, **error_responses(404, *V1_ERRORS)},
    summary="The deadline calendar as an iCalendar (.ics) file",
    description="Dated items as all-day VEVENTs (yearly reporting deadlines with an RRULE; ranges and quarters on "
    "the last day of their period); items without a date ('Thường xuyên', 'Khi có yêu cầu') as VTODOs without a "
    "date. Each DESCRIPTION quotes its source span.",
)
def calendar_ics(
    province: str | None = ProvinceQuery, unit: str | None = UnitQuery, state: ApiState = Depends(get_state)
) -> Response:
    from assistant.views.ics import to_ics  # icalendar: on first use

    calendar = _calendar(state, province, unit)
    scope = " - ".join(p for p in (calendar.province, calendar.unit) if p)
    name = "Lịch hạn kế hoạch chuyển đổi số báo chí" + (f" ({scope})" if scope else "")
    filename = "lich-han" + (f"-{slug(scope)}" if scope else "") + ".ics"
    return Response(
        to_ics(calendar, name),
        media_type=MEDIA_TYPES["ics"],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/calendar",
    responses=error_responses(404, *V1_ERRORS),
    summary="The deadline calendar as JSON, with what falls due from a day on",
    description="`dated` and `undated` items, and `upcoming`: the next occurrence of each dated item on or after "
    "`today` (default: the server's date), soonest first. A filter that matches nothing gives empty lists and "
    "a `message`.",
)
def calendar_json(
    province: str | None = ProvinceQuery,
    unit: str | None = UnitQuery,
    today: str | None = Query(
        None,
        max_length=20,
        description="The day to count from, YYYY-MM-DD (default: today).",
        json_schema_extra={"format": "date"},
    ),
    state: ApiState = Depends(get_state),
) -> dict[str, Any]:
    day = parse_day(today)
    return _calendar(state, province, unit).to_dict(day)
