"""How many tasks a plan assigns: the numbered rows of its task appendix (sub-tasks such as 5.1, 5.2 named under
their task), or, for a plan without one, the numbered groups of its tasks part; each listed and cited, the count
computed from them (and checked again by the gate)."""

from __future__ import annotations

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.answer.routes.outline import outline_of
from assistant.answer.words import lines
from assistant.domain.normalize import collapse_spaces


def _short(text: str, limit: int = 90) -> str:
    text = collapse_spaces(text)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


class TaskCount(Route):
    name = "task_count"
    templates = {
        "vi": {
            "count": "Phụ lục của {province} có {n} nhiệm vụ được đánh số{subtasks}:",
            "subtasks": " (nhiệm vụ {parents} gồm các nhiệm vụ con {children})",
            "groups": "Kế hoạch của {province} không có phụ lục nhiệm vụ; phần nhiệm vụ, giải pháp gồm {n} nhóm:",
        },
        "en": {
            "count": "The {province} appendix has {n} numbered tasks{subtasks}:",
            "subtasks": " (task {parents} is split into {children})",
            "groups": "The {province} plan has no task appendix; its tasks part has {n} groups:",
        },
    }

    def score(self, frame, ctx, search) -> float:
        return 0.86 if frame.aggregate == "count" and frame.asked in {None, "outline", "task_list", "passage"} else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        cite = ctx.citations()
        blocks, used = [], []
        draft = Draft("", "answered", "facts")
        for province in ctx.scope(frame):
            tasks = ctx.select("task", [province])
            if tasks:
                main = [f for f in tasks if not f.parent]
                children = [f for f in tasks if f.parent]
                subtasks = ""
                if children:
                    parents = sorted({f.parent for f in children})
                    subtasks = self.t(
                        frame, "subtasks", parents=", ".join(parents), children=", ".join(f.number for f in children)
                    )
                head = self.t(frame, "count", province=province, n=len(main), subtasks=subtasks)
                items = [f"{f.number}. {_short(f.content)} {cite.fact(f)}" for f in main]
                blocks.append(lines(head, items))
                used.extend(tasks)
                draft.computed.append(("count", float(len(main)), main))
                continue
            plan = ctx.plan_of[province]
            part, groups = outline_of(plan.structure.blocks, "", province)
            if part is None or not groups:
                continue
            head = self.t(frame, "groups", province=province, n=len(groups))
            items = [
                f"{_short(b.text.lstrip('-–+• '))} {cite.cite(plan.id, b.start, b.end, b.section)}" for b in groups
            ]
            blocks.append(lines(head, items))
        if not blocks:
            return None
        draft.text, draft.citations, draft.facts, draft.states = "\n\n".join(blocks), cite.items, used, "task_list"
        return draft


ROUTE = TaskCount()
