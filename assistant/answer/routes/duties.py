"""What an agency must do: its duties under "Tổ chức thực hiện" (first lines, each cited), or the task it
coordinates when the question names a task ("Sở TTTT làm gì trong nhiệm vụ rà soát giấy phép?")."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.answer.draft import Citations, Draft
from assistant.answer.routes.base import Route
from assistant.answer.routes.duty_match import duties_matching
from assistant.answer.routes.tasks import answer_tasks
from assistant.answer.words import lines
from assistant.domain.normalize import collapse_spaces
from assistant.understanding import QuestionFrame

TEMPLATES = {
    "vi": {"duties": "Theo kế hoạch của {province}, {unit} có nhiệm vụ:"},
    "en": {"duties": "Under the {province} plan, {unit} is responsible for:"},
}


def unit_duties(frame: QuestionFrame, ctx, cite: Citations) -> Draft | None:
    """The duties of each unit the question names (the most specific name that matches), province by province;
    units sharing one duties paragraph ("Sở Tài chính, Sở Kế hoạch và Đầu tư: …") are answered together."""
    question = ctx.units.folded(frame.question)
    blocks, used = [], []
    for province in ctx.scope(frame):
        rows = ctx.select("responsibility", [province])
        matched = [f for f in rows if ctx.units.mentions(question, f.responsible_unit, folded=True)]
        # a name inside a longer matched name ("Sở" in "Sở Tài chính") is not what is asked
        matched = [
            f
            for f in matched
            if not any(
                g is not f
                and len(g.responsible_unit) > len(f.responsible_unit)
                and ctx.units.mentions(g.responsible_unit, f.responsible_unit)
                for g in matched
            )
        ]
        by_span: dict[tuple[int, int], list] = {}
        for fact in matched:
            by_span.setdefault((fact.start, fact.end), []).append(fact)
        for group in by_span.values():
            fact = group[0]
            used.extend(group)
            duties = [collapse_spaces(d).lstrip("-– ") for d in fact.duties.split("\n") if d.strip()]
            items = [f"{d} {ctx.cite_duty(fact, d, cite)}" for d in duties[:5]]
            unit = ", ".join(f.responsible_unit for f in group)
            blocks.append(lines(TEMPLATES[frame.language]["duties"].format(province=province, unit=unit), items))
    if not used:
        return duties_matching(frame, ctx, cite)
    return Draft("\n\n".join(blocks), "answered", "facts", cite.items, used, states="duties")


class Duties(Route):
    name = "duties"
    templates = TEMPLATES

    def score(self, frame, ctx, search) -> float:
        return 0.8 if frame.asked == "duties" else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        cite = ctx.citations()
        if re.search(r"nhiem vu (?!gi|cua)|trong viec", frame.folded):  # "làm gì trong nhiệm vụ rà soát giấy phép"
            as_task = replace(frame, asked="coordinating_units")  # the task it names (the agency's words left out)
            draft = answer_tasks(as_task, ctx, cite)
            if draft is not None and draft.facts and draft.facts[0].kind == "task":
                return draft
            cite.items.clear()
        return unit_duties(frame, ctx, cite)


ROUTE = Duties()
