"""What every line of a view cites: the plan it comes from and the exact span of that plan's text."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from assistant.facts.model import Fact


@dataclass(frozen=True)
class Source:
    """A cited span: plan, section, ``[start, end)`` into ``Plan.text`` and the quote found there."""

    plan_id: str
    province: str
    section: str
    start: int
    end: int
    quote: str

    @classmethod
    def of(cls, fact: Fact) -> Source:
        return cls(fact.plan_id, fact.province, fact.section, fact.start, fact.end, fact.quote)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def label(self) -> str:
        """One line naming where the quote is: province, section, offsets."""
        where = f" — {self.section}" if self.section else ""
        return f"{self.province}{where} [{self.start}:{self.end}]"


@dataclass(frozen=True)
class PlanRef:
    """What a view says of a plan in a heading: id, province, title, number and date as the text gives them."""

    id: str
    province: str
    title: str = ""
    plan_number: str = ""
    issue_date: str = ""  # ISO date, empty when the text leaves it blank

    @classmethod
    def of(cls, meta: Any) -> PlanRef:
        """From a :class:`~assistant.ingest.corpus.Plan` or its ``PlanMeta``, a facts-table ``plans`` row, a mapping."""
        if isinstance(meta, PlanRef):
            return meta
        meta = getattr(meta, "meta", meta)
        get = meta.get if isinstance(meta, dict) else lambda name, default="": getattr(meta, name, default)
        return cls(
            id=get("id", ""),
            province=get("province", ""),
            title=get("title", "") or "",
            plan_number=get("plan_number", "") or "",
            issue_date=get("issue_date", "") or "",
        )

    def number_and_date(self) -> str:
        """'Kế hoạch số 270/KH-UBND ngày 01/08/2023 của Ủy ban nhân dân tỉnh …', saying so where the plan leaves its
        number or date blank (never filled from elsewhere)."""
        number = f" số {self.plan_number}" if self.plan_number else ""
        date = ""
        if len(self.issue_date) == 10:
            year, month, day = self.issue_date.split("-")
            date = f" ngày {day}/{month}/{year}"
        text = f"Kế hoạch{number}{date} của Ủy ban nhân dân tỉnh {self.province}"
        blank = [word for word, given in (("số", number), ("ngày ban hành", date)) if not given]
        return text + (f" (văn bản để trống {' và '.join(blank)})" if blank else "")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
