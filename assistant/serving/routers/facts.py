"""Route of the facts table: ``GET /v1/facts``, filtered by province, kind, indicator, year and plan; JSON or CSV."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from assistant.domain.normalize import fold
from assistant.domain.provinces import province_spellings
from assistant.facts.model import Fact
from assistant.facts.store import export_facts
from assistant.serving.errors import V1_ERRORS, error_responses
from assistant.serving.schemas import FactKind, IndicatorCode, resolve_province
from assistant.serving.state import ApiState, get_state

router = APIRouter(prefix="/v1", tags=["facts"])


@router.get(
    "/facts",
    response_model=list[Fact],
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The matching facts"},
        **error_responses(*V1_ERRORS),
    },
    summary="The facts table, filtered",
    description="Rows of the facts table matching every filter given (province without regard to diacritics "
    "or case; a province without a plan or an unknown plan id matches nothing; a name that is no province is a "
    "422). `format=csv` returns text/csv with the columns of `assistant facts export`.",
)
def list_facts(
    province: str | None = Query(
        None,
        max_length=100,
        description="Province, e.g. 'Quảng Trị' or 'quang tri' (a name that is no province is a 422).",
        json_schema_extra={"enum": province_spellings()},
    ),
    kind: FactKind | None = Query(None, description="Fact kind."),
    indicator: IndicatorCode | None = Query(None, description="Indicator code (target facts)."),
    year: int | None = Query(None, ge=1900, le=2100, description="Target year."),
    plan_id: str | None = Query(None, max_length=100, description="Plan id (an unknown id matches nothing)."),
    fmt: Literal["json", "csv"] = Query("json", alias="format", description="json (default) or csv."),
    state: ApiState = Depends(get_state),
) -> Any:
    named = resolve_province(province)
    engine = state.engine()
    facts: list[Fact] = list(engine.facts)
    code = indicator.value if indicator is not None else None
    wanted = fold(named) if named else None
    facts = [
        f
        for f in facts
        if (kind is None or f.kind == kind)
        and (code is None or f.indicator == code)
        and (year is None or f.year == year)
        and (plan_id is None or f.plan_id == plan_id)
        and (wanted is None or fold(f.province) == wanted)
    ]
    if fmt == "csv":
        return Response(
            export_facts(facts, "csv"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="facts.csv"'},
        )
    return facts
