"""Facts extraction: targets, tasks, reporting deadlines, responsibilities, funding and legal basis of a plan.

Input: a loaded :class:`~assistant.ingest.corpus.Plan` (clean text plus its
:class:`~assistant.ingest.structure.PlanStructure`).
Output: a list of :class:`Fact` rows, each with the plan id, province, section path, origin (body, appendix,
footnote) and a source span into the plan text whose quote contains the fact's value.

Extraction follows the national template, never a file's line numbers:
- target: bullets under the year sub-sections of MỤC TIÊU ("Mục tiêu đến năm 2025", "a) Đến năm 2030 …"),
  split into clauses; per-year appendix tables (columns "Kế hoạch năm 2023" …) give one row per year.
- task: rows of the appendix assignment table (columns recognised from its header).
- reporting_deadline: sentences with "báo cáo" and "trước ngày D/M" (or "D tháng M").
- responsibility: numbered units under TỔ CHỨC THỰC HIỆN and their duties.
- funding: the sources named under KINH PHÍ.
- legal_basis: decisions, resolutions, directives and plans cited with number and date.
Where a plan gives two values for the same indicator, year and qualifier, both rows are kept and share a
``conflict_group``.

Each kind has its extractor, one file under :mod:`assistant.facts.extractors`; :data:`EXTRACTORS` lists them in
the order they run (see :class:`~assistant.facts.extractors.context.Extractor`). Adding a fact kind is adding its
entry to :mod:`assistant.facts.kinds`, its extractor's file, and the extractor to that list.
"""

from __future__ import annotations

from assistant.facts.extractors.context import Extractor, PlanContext, PlanText
from assistant.facts.extractors.funding import FundingExtractor
from assistant.facts.extractors.legal_basis import LegalBasisExtractor
from assistant.facts.extractors.reporting import ReportingDeadlineExtractor
from assistant.facts.extractors.responsibilities import ResponsibilityExtractor
from assistant.facts.extractors.targets import TargetExtractor, value_mentions
from assistant.facts.extractors.tasks import TaskExtractor, classify_time_frame
from assistant.facts.model import Fact

__all__ = ["EXTRACTORS", "FactExtractor", "PlanText", "classify_time_frame", "mark_conflicts", "value_mentions"]

# In the order they run; the fact ids number the facts in this order (``{plan_id}:{kind}:{n}``).
EXTRACTORS: tuple[Extractor, ...] = (
    TargetExtractor(),
    TaskExtractor(),
    ReportingDeadlineExtractor(),
    ResponsibilityExtractor(),
    FundingExtractor(),
    LegalBasisExtractor(),
)


class FactExtractor:
    """Extracts every kind of fact from one plan (see the module docstring)."""

    def run(self, plan: PlanText) -> list[Fact]:
        ctx = PlanContext(plan)
        facts: list[Fact] = []
        for extractor in EXTRACTORS:
            facts += extractor.before_tables(ctx)
        for table in plan.structure.tables:  # in the plan's order, each by the first extractor that reads it
            reader = next((e for e in EXTRACTORS if e.reads_table(table)), None)
            if reader is not None:
                facts += reader.from_table(ctx, table)
        for extractor in EXTRACTORS:
            facts += extractor.after_tables(ctx, facts)
        mark_conflicts(facts)
        return facts


def mark_conflicts(facts: list[Fact]) -> None:
    """Give targets that disagree (same plan, indicator, year, unit and qualifier; other value) a shared group."""
    groups: dict[tuple, list[Fact]] = {}
    for fact in facts:
        if fact.kind != "target" or fact.value is None:
            continue
        key = (
            fact.plan_id,
            fact.indicator,
            fact.year,
            fact.unit,
            fact.qualifiers.get("min_revenue_growth_pct"),
        )
        groups.setdefault(key, []).append(fact)
    for key, members in groups.items():
        if len({m.value for m in members}) > 1:
            group_id = f"{key[0]}:{key[1]}:{key[2]}"
            for member in members:
                member.conflict_group = group_id
