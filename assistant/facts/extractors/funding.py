"""Funding: the sources of money the KINH PHÍ section names, each source once."""

from __future__ import annotations

import re

from assistant.domain.normalize import collapse_spaces, fold
from assistant.facts.extractors.context import Extractor, PlanContext
from assistant.facts.extractors.text import clauses
from assistant.facts.model import Fact

FUNDING_SOURCES: list[tuple[str, str]] = [
    (r"ngan sach nha nuoc|ngan sach dia phuong|von dau tu phat trien|kinh phi su nghiep", "state_budget"),
    (r"long ghep", "program_integration"),
    (r"tai tro|vien tro", "sponsorship_aid"),
    (r"xa hoi hoa", "socialization"),
    (r"hop phap khac", "other_lawful"),
    (
        r"nguon thu (?:su nghiep|cua (?:cac )?(?:co quan|don vi)|hop phap cua (?:cac )?co quan)"
        r"|quy phat trien hoat dong su nghiep",
        "agency_revenue",
    ),
    (r"da duoc .*giao tai quyet dinh", "allocated_budget"),
]


class FundingExtractor(Extractor):
    """The first clause of KINH PHÍ that names each of :data:`FUNDING_SOURCES`."""

    kind = "funding"

    def after_tables(self, ctx: PlanContext, earlier: list[Fact]) -> list[Fact]:
        facts: list[Fact] = []
        seen: set[str] = set()
        for block in ctx.plan.structure.blocks:
            if block.section_kind != "funding" or block.kind == "heading" and block.level == 1:
                continue
            for c_start, c_end in clauses(block.text):
                clause = block.text[c_start:c_end]
                folded = fold(clause)
                for pattern, code in FUNDING_SOURCES:
                    if re.search(pattern, folded) and code not in seen:
                        seen.add(code)
                        facts.append(
                            ctx.fact(
                                self.kind,
                                block.section,
                                "body",
                                block.start + c_start,
                                block.start + c_end,
                                source=code,
                                value_text=collapse_spaces(clause.strip(" -.")),
                            )
                        )
        return facts
