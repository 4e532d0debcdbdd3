"""The ingestion report of an added plan: what was read, the facts per kind, and what a maintainer should check."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.domain.indicators import BY_CODE
from assistant.domain.normalize import fold
from assistant.facts.kinds import FACT_KINDS
from assistant.facts.model import Fact
from assistant.ingest.corpus import Plan
from assistant.ingest.metadata import METADATA_FIELDS

TEMPLATE_PARTS = {
    "purpose": "Mục đích, yêu cầu",
    "targets": "Mục tiêu",
    "tasks": "Nhiệm vụ, giải pháp",
    "funding": "Kinh phí",
    "organization": "Tổ chức thực hiện",
}


@dataclass
class IngestReport:
    """One added plan: source, format, pages, metadata read, facts per kind, warnings, seconds taken."""

    plan_id: str
    province: str
    source: str
    format: str
    pages: int
    ocr_pages: list[int]
    metadata: dict[str, Any]
    metadata_blank: list[str]
    facts: dict[str, int]
    invalid_syllables_before: float | None
    invalid_syllables_after: float | None
    warnings: list[str] = field(default_factory=list)
    derived_indicators: list[str] = field(default_factory=list)
    rows_split_by_lexicon: list[str] = field(default_factory=list)
    unknown_units: list[str] = field(default_factory=list)
    missing_parts: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _unknown_units(facts: list[Fact]) -> list[str]:
    from assistant.domain.units import KNOWN_UNITS, known_unit_names

    known = {fold(u) for u in [*KNOWN_UNITS, *known_unit_names()]}
    names: set[str] = set()
    for fact in facts:
        for name in [*fact.lead_units, *fact.coordinating_units, fact.responsible_unit]:
            if name and fold(name) not in known and not fold(name).startswith(("cac ", "co quan", "don vi")):
                names.add(name)
    return sorted(names)


def build_report(
    plan: Plan, facts: list[Fact], source: str, fmt: str, pages: int, ocr_pages: list[int]
) -> IngestReport:
    own = [f for f in facts if f.plan_id == plan.id]
    counts = {kind: sum(1 for f in own if f.kind == kind) for kind in FACT_KINDS}
    found = plan.text_metadata
    blank = [name for name in METADATA_FIELDS if found is not None and not getattr(found, name)]
    metadata = {name: getattr(plan.meta, name) for name in METADATA_FIELDS}
    metadata["legal_basis"] = list(plan.meta.legal_basis)
    derived = sorted(
        {f"{f.indicator} ({f.wording[:60]})" for f in own if f.kind == "target" and f.indicator not in BY_CODE}
    )
    split_rows = [
        f"{table.title} › {row.number}"
        for table in plan.structure.tables
        for row in table.rows
        if getattr(row, "split_by_lexicon", False)
    ]
    kinds = plan.structure.section_kinds()
    missing = [label for kind, label in TEMPLATE_PARTS.items() if kind not in kinds]
    report = IngestReport(
        plan_id=plan.id,
        province=plan.province,
        source=source,
        format=fmt,
        pages=pages,
        ocr_pages=ocr_pages,
        metadata=metadata,
        metadata_blank=blank,
        facts=counts,
        invalid_syllables_before=plan.invalid_share_before,
        invalid_syllables_after=plan.invalid_share_after,
        derived_indicators=derived,
        rows_split_by_lexicon=split_rows,
        unknown_units=_unknown_units(own),
        missing_parts=missing,
    )
    if derived:
        report.warnings.append(f"{len(derived)} chỉ tiêu riêng của kế hoạch (mã suy từ lời văn): hãy kiểm tra")
    if split_rows:
        report.warnings.append(f"{len(split_rows)} dòng bảng được tách ô theo danh mục đơn vị: hãy kiểm tra")
    if report.unknown_units:
        report.warnings.append(f"{len(report.unknown_units)} đơn vị chưa có trong bảng tên đơn vị")
    if blank:
        report.warnings.append("văn bản để trống hoặc không có: " + ", ".join(blank))
    if missing:
        report.warnings.append("không thấy phần của mẫu: " + ", ".join(missing))
    if ocr_pages:
        report.warnings.append(f"{len(ocr_pages)} trang đọc bằng OCR: hãy đối chiếu số liệu với bản gốc")
    for kind in ("target", "task"):
        if counts[kind] == 0:
            report.warnings.append(f"không trích được dòng {kind} nào")
    return report
