"""The question frame: what a question asks (the attribute), about what (the subject), where and when (the scope),
and which constraints an answer must honour. Understanding builds it; answer routes score themselves against it;
the "addresses the question" gate checks a draft against it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# What is asked. One attribute per thing an answer can state; routes declare which ones they answer.
Attribute = Literal[
    "target_value",  # a target's value ("bao nhiêu phần trăm …", "mục tiêu 2025 về …")
    "baseline_year",  # the year a growth target is measured against ("so với doanh thu năm nào")
    "lead_units",  # who leads a task ("ai chủ trì")
    "coordinating_units",  # who coordinates ("đơn vị phối hợp")
    "time_frame",  # when a task is done ("thời gian thực hiện")
    "deliverable",  # a task's result or product
    "task_details",  # what a task is, with its units and time frame ("nhiệm vụ 3 là gì?")
    "reporting_deadline",  # who reports to whom, by which date
    "duties",  # what an agency must do (Tổ chức thực hiện)
    "funding_sources",  # where the money comes from
    "amount",  # a sum of money
    "plan_number",  # the plan's number and issue date
    "signer",  # who signed the plan
    "legal_basis",  # the documents the plan implements
    "documents_cited",  # where a plan cites a named document
    "outline",  # the plan's own headings: groups of tasks, parts, items of a section
    "task_list",  # the tasks (of a unit, of a period, of the appendix)
    "passage",  # anything the plans say in prose (purposes, solutions, requirements …)
    "greeting",  # hello / thanks: not a question about the plans
]
# How the answer combines facts over provinces, tasks or years.
Aggregate = Literal["compare", "highest", "lowest", "difference", "which", "latest", "earliest", "count"]
Level = Literal["provincial", "national"]
ConstraintKind = Literal["unit", "document", "part", "quantity", "year", "province", "agency_kind", "recurrence"]


@dataclass(frozen=True)
class Cue:
    """One thing understanding found in the question, and the words that showed it (the frame's trace)."""

    what: str  # "attribute:lead_units", "aggregate:compare", "level:national", "quantity:people" …
    words: str


@dataclass(frozen=True)
class Constraint:
    """Something an answer must honour: a named unit or document must be what the answer is about, a part
    ("phụ lục") must be where the answer comes from, a quantity word must be what the answer measures."""

    kind: ConstraintKind
    value: str
    words: str = ""  # as typed in the question


@dataclass
class Subject:
    """What the question is about."""

    indicators: list[str] = field(default_factory=list)  # indicator codes
    task_number: str | None = None
    words: str = ""  # the folded words that say what the question is about (task or topic words)
    units: list[str] = field(default_factory=list)  # agencies named in the question, canonical names
    documents: list[str] = field(default_factory=list)  # document numbers named in the question ("2317" in part)
    excluded_documents: list[str] = field(default_factory=list)  # set aside ("ngoài QĐ 348, …")


@dataclass
class Scope:
    provinces: list[str] = field(default_factory=list)  # named or inherited provinces of the corpus
    unknown_provinces: list[str] = field(default_factory=list)  # named provinces without a plan in the corpus
    years: list[int] = field(default_factory=list)
    level: Level = "provincial"


@dataclass
class QuestionFrame:
    """What the assistant understood of a question (see the module docstring)."""

    question: str  # as asked, shorthand spelled out
    folded: str  # folded (no marks, lower case), "AI" spelled out
    language: Literal["vi", "en"]
    asked: Attribute | None  # the attribute asked; None when no cue says (the passage route may still answer)
    also_asked: list[Attribute] = field(default_factory=list)  # further attributes the question asks at once
    aggregate: Aggregate | None = None
    subject: Subject = field(default_factory=Subject)
    scope: Scope = field(default_factory=Scope)
    constraints: list[Constraint] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)
    follow_up: bool = False
    inherited: list[str] = field(default_factory=list)  # what a follow-up took from the conversation

    # -- shorthands the routes read ---------------------------------------------------------------------
    @property
    def provinces(self) -> list[str]:
        return self.scope.provinces

    @property
    def years(self) -> list[int]:
        return self.scope.years

    @property
    def indicators(self) -> list[str]:
        return self.subject.indicators

    @property
    def task_number(self) -> str | None:
        return self.subject.task_number

    @property
    def topic(self) -> str:
        return self.subject.words

    def constraint_values(self, kind: ConstraintKind) -> list[str]:
        return [c.value for c in self.constraints if c.kind == kind]

    def describe(self) -> str:
        """One line for the debug log: attribute, aggregate, subject, scope, constraints."""
        parts = [f"asked={self.asked}"]
        if self.also_asked:
            parts.append(f"also={','.join(self.also_asked)}")
        if self.aggregate:
            parts.append(f"aggregate={self.aggregate}")
        if self.subject.indicators:
            parts.append(f"indicators={','.join(self.subject.indicators)}")
        if self.subject.task_number:
            parts.append(f"task={self.subject.task_number}")
        if self.subject.units:
            parts.append(f"units={'|'.join(self.subject.units)}")
        if self.scope.provinces or self.scope.unknown_provinces:
            parts.append(f"provinces={','.join(self.scope.provinces + self.scope.unknown_provinces)}")
        if self.scope.years:
            parts.append(f"years={','.join(map(str, self.scope.years))}")
        if self.scope.level != "provincial":
            parts.append(f"level={self.scope.level}")
        if self.constraints:
            parts.append("constraints=" + ";".join(f"{c.kind}:{c.value}" for c in self.constraints))
        if self.inherited:
            parts.append(f"inherited={','.join(self.inherited)}")
        return " ".join(parts)
