"""Responsibilities: the numbered units under TỔ CHỨC THỰC HIỆN, each with the duties written under it."""

from __future__ import annotations

import re

from assistant.facts.extractors.context import Extractor, PlanContext
from assistant.facts.extractors.text import units_of_heading
from assistant.facts.model import Fact


class ResponsibilityExtractor(Extractor):
    """One responsibility per unit a second-level heading of TỔ CHỨC THỰC HIỆN names."""

    kind = "responsibility"

    def after_tables(self, ctx: PlanContext, earlier: list[Fact]) -> list[Fact]:
        facts: list[Fact] = []
        blocks = [b for b in ctx.plan.structure.blocks if b.section_kind == "organization"]
        i = 0
        while i < len(blocks):
            block = blocks[i]
            if block.kind != "heading" or block.level != 2:
                i += 1
                continue
            heading = re.sub(r"^\d{1,2}[.,]\s*", "", block.text).strip()
            unit_text, _, inline = heading.partition(": ")
            # "Các sở: Tài chính, Kế hoạch và Đầu tư" names units after the colon; otherwise it holds duties.
            names_units = re.fullmatch(r"các sở", unit_text.strip(), re.IGNORECASE) is not None
            if inline and not names_units:
                duties_parts = [(block.start + block.text.index(inline), block.end)]
            else:
                unit_text, duties_parts = heading.rstrip(":"), []
                if inline:
                    unit_text = heading
            j = i + 1
            while j < len(blocks) and not (blocks[j].kind == "heading" and blocks[j].level <= 2):
                if not blocks[j].text.rstrip().endswith("./."):
                    duties_parts.append((blocks[j].start, blocks[j].end))
                j += 1
            units = units_of_heading(unit_text, ctx.declared, ctx.plan.text)
            if units and duties_parts:
                start, end = block.start, duties_parts[-1][1]
                duties = "\n".join(ctx.plan.text[a:b] for a, b in duties_parts)
                for name, original in units:
                    facts.append(
                        ctx.fact(
                            self.kind,
                            block.section,
                            "body",
                            start,
                            end,
                            responsible_unit=name,
                            unit_original=original,
                            duties=duties,
                        )
                    )
            i = j
        return facts
