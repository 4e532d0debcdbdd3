"""Routes of the duty sheets: the units the plans name, and one unit's sheet as JSON, CSV, Markdown or .docx."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from assistant.domain.normalize import fold
from assistant.domain.provinces import province_spellings
from assistant.serving.errors import V1_ERRORS, error_responses
from assistant.serving.routers.common import file_response, served_views, unknown_unit
from assistant.serving.schemas import resolve_province
from assistant.serving.state import ApiState, get_state
from assistant.views.duty_sheet import UnknownUnit

router = APIRouter(prefix="/v1", tags=["duty sheets"])
ProvinceQuery = Query(
    None,
    max_length=100,
    description="Only this province's plan (any spelling; a name that is no province is a 422).",
    json_schema_extra={"enum": province_spellings()},
)


class UnitSummary(BaseModel):
    name: str = Field(description="Canonical unit name, as the path of /v1/units/{unit}/duties takes it.")
    group: bool = Field(description="A group the plans name ('Các cơ quan báo chí'), not one agency.")
    provinces: list[str]
    items: int = Field(description="Lines on its duty sheet across the plans.")


class UnitList(BaseModel):
    units: list[UnitSummary]
    message: str = ""


class SourceSpan(BaseModel):
    plan_id: str
    province: str
    section: str
    start: int
    end: int
    quote: str = Field(description="Plan.text[start:end], word for word.")


class DutyLine(BaseModel):
    role: Literal["lead", "coordinate", "duty", "report_owed", "report_received"]
    role_label: str
    plan_id: str
    province: str
    number: str
    what: str
    time_frame: str
    named_as: str = Field(description="How the plan names the unit, or the group that holds it.")
    via_group: bool
    others: list[str]
    fact_id: str
    source: SourceSpan


class PlanHeading(BaseModel):
    id: str
    province: str
    title: str
    plan_number: str
    issue_date: str


class DutySheetBody(BaseModel):
    unit: str
    asked: str
    province: str | None
    plans: list[PlanHeading]
    counts: dict[str, int]
    items: list[DutyLine]
    message: str = Field(description="Why the sheet is empty (empty when it is not).")


@router.get(
    "/units", response_model=UnitList, responses=error_responses(*V1_ERRORS), summary="The units the plans name"
)
def list_units(province: str | None = ProvinceQuery, state: ApiState = Depends(get_state)) -> Any:
    named = resolve_province(province)
    units = served_views(state).units()
    if named:
        units = [u for u in units if any(fold(p) == fold(named) for p in u["provinces"])]
    message = "" if units else f"Kế hoạch của {named} không giao nhiệm vụ cho đơn vị nào." if named else ""
    return {"units": units, "message": message}


_FILES = {
    "text/csv": {"schema": {"type": "string"}},
    "text/markdown": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
        "schema": {"type": "string", "format": "binary"}
    },
}


@router.get(
    "/units/{unit}/duties",
    response_model=DutySheetBody,
    responses={200: {"content": _FILES, "description": "The duty sheet"}, **error_responses(404, *V1_ERRORS)},
    summary="One unit's duty sheet",
    description="Tasks the unit leads and coordinates, its duties under 'Tổ chức thực hiện', the reports it owes "
    "and receives, each with its time frame and source span. The unit in any spelling ('Sở TTTT', 'Đài PT-TH "
    "tỉnh'); a name that is no unit is a 404; a unit the plans give nothing is an empty sheet with a `message`. "
    "`format=csv|md|docx` downloads it.",
)
def unit_duties(
    unit: str = PathParam(max_length=200, description="A unit name or alias, e.g. 'Sở TTTT'."),
    province: str | None = ProvinceQuery,
    fmt: Literal["json", "csv", "md", "docx"] = Query("json", alias="format", description="json, csv, md or docx."),
    state: ApiState = Depends(get_state),
) -> Any:
    named = resolve_province(province)
    try:
        sheet = served_views(state).sheet(unit, named)
    except UnknownUnit as error:
        raise unknown_unit(error) from error
    if fmt == "json":
        return sheet.to_dict()
    from assistant.views.duty_formats import sheet_csv, sheet_docx, sheet_markdown  # python-docx: on first use

    writers = {"csv": sheet_csv, "md": sheet_markdown, "docx": sheet_docx}
    scope = f" - {named}" if named else ""
    return file_response(writers[fmt](sheet), fmt, f"Nhiệm vụ {sheet.unit}{scope}.{fmt}")
