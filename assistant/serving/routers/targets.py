"""Route of the target comparison: indicator × province × year, conflicts marked, as JSON or CSV."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from assistant.domain.provinces import province_spellings
from assistant.serving.errors import V1_ERRORS, error_responses
from assistant.serving.routers.common import file_response, served_views
from assistant.serving.schemas import IndicatorCode, resolve_province
from assistant.serving.state import ApiState, get_state
from assistant.views.target_matrix import matrix_csv

router = APIRouter(prefix="/v1", tags=["targets"])


@router.get(
    "/targets/matrix",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **error_responses(*V1_ERRORS)},
    summary="Targets compared: indicator × province × year",
    description="Every target fact in a cell of its indicator, province and year; a cell whose targets disagree "
    "(same plan, indicator, year and qualifier) has `conflict: true` and both values with both source spans. "
    "`format=csv`: one row per target with its conflict mark and quote.",
)
def targets_matrix(
    indicator: IndicatorCode | None = Query(None, description="Indicator code."),
    province: str | None = Query(
        None, max_length=100, description="Province (any spelling).", json_schema_extra={"enum": province_spellings()}
    ),
    year: int | None = Query(None, ge=1900, le=2100, description="Target year."),
    fmt: Literal["json", "csv"] = Query("json", alias="format", description="json (default) or csv."),
    state: ApiState = Depends(get_state),
) -> Any:
    named = resolve_province(province)
    code = indicator.value if indicator is not None else None
    matrix = served_views(state).matrix(code, named, year)
    if fmt == "csv":
        return file_response(matrix_csv(matrix), "csv", "so-sanh-chi-tieu.csv")
    return matrix.to_dict()
