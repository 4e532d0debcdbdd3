"""The tasks of a plan's appendix, all of them or those a question filters by time frame ("thường xuyên", "hằng
năm", a year) or by the unit that leads them; one line per task, cited."""

from __future__ import annotations

import re

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.answer.routes.task_count import _short
from assistant.answer.words import lines
from assistant.domain.normalize import fold

# question words → the time-frame kinds (facts' ``time_frame_kind``) they select
TIME_FILTERS = [
    (re.compile(r"thuong xuyen|ongoing|continuous"), {"ongoing"}),
    (re.compile(r"hang nam|yearly|annual|every year"), {"yearly"}),
    (re.compile(r"khi co yeu cau|on request"), {"on_request"}),
    (re.compile(r"khi co huong dan|sau khi co huong dan|after guidance"), {"after_guidance"}),
]


class TaskList(Route):
    name = "task_list"
    templates = {
        "vi": {
            "all": "Các nhiệm vụ trong phụ lục của {province}:",
            "filtered": "Các nhiệm vụ trong phụ lục của {province} có thời gian thực hiện “{words}”:",
            "none": "Phụ lục của {province} không có nhiệm vụ nào có thời gian thực hiện “{words}”.",
            "no_table": "Kế hoạch của {province} không có phụ lục phân công nhiệm vụ.",
            "line": "Nhiệm vụ {number}: {content} — chủ trì: {lead}; thời gian: {time} {marker}",
        },
        "en": {
            "all": "The tasks in the {province} appendix:",
            "filtered": "Tasks in the {province} appendix with the time frame “{words}”:",
            "none": "No task in the {province} appendix has the time frame “{words}”.",
            "no_table": "The {province} plan has no task-assignment appendix.",
            "line": "Task {number}: {content} — lead: {lead}; time frame: {time} {marker}",
        },
    }

    def score(self, frame, ctx, search) -> float:
        return 0.8 if frame.asked == "task_list" and frame.aggregate != "count" else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        kinds, words = set(), ""
        for pattern, selected in TIME_FILTERS:
            if m := pattern.search(frame.folded):
                kinds, words = selected, m.group(0)
                break
        cite = ctx.citations()
        blocks, used, found = [], [], False
        for province in ctx.scope(frame):
            tasks = ctx.select("task", [province])
            if not tasks:
                if frame.provinces:
                    blocks.append(self.t(frame, "no_table", province=province))
                continue
            if kinds:
                tasks = [f for f in tasks if f.time_frame_kind in kinds or fold(words) in fold(f.time_frame)]
            unit = ctx.units.named_one(frame.question)
            if unit:
                tasks = [
                    f for f in tasks if any(ctx.units.mentions(unit, u) for u in f.lead_units + f.coordinating_units)
                ]
            if not tasks:
                blocks.append(self.t(frame, "none", province=province, words=words))
                continue
            found = True
            used.extend(tasks)
            head = self.t(frame, "filtered" if kinds else "all", province=province, words=words)
            items = [
                self.t(
                    frame,
                    "line",
                    number=f.number,
                    content=_short(f.content),
                    lead=", ".join(f.lead_units) or "—",
                    time=f.time_frame or "—",
                    marker=cite.fact(f),
                )
                for f in tasks
            ]
            blocks.append(lines(head, items))
        if not blocks:
            return None
        status = "answered" if found else "not_found"
        return Draft("\n\n".join(blocks), status, "facts", cite.items, used, states="task_list")


ROUTE = TaskList()
