"""When something must be done: a task's time frame when the question names a task; the reporting deadline when
it asks about reports (or a task whose deliverable is a report)."""

from __future__ import annotations

import re

from assistant.answer.draft import Citations, Draft
from assistant.answer.routes.base import Route
from assistant.answer.routes.reporting import answer_reporting
from assistant.answer.routes.targets import answer_targets
from assistant.answer.routes.tasks import answer_tasks, find_tasks, task_line
from assistant.normalize import fold
from assistant.understanding import QuestionFrame

ABOUT_THE_PLAN_RE = re.compile(r"(?:ket qua|tinh hinh) (?:thuc hien |trien khai )?(?:ke hoach|kh)\b")
REPORT_WORDS_RE = re.compile(r"bao cao|danh gia dinh ky|tong hop|\bnop\b|report|submit")


def answer_deadline(frame: QuestionFrame, ctx, cite: Citations) -> Draft | None:
    reporting = frame.asked == "reporting_deadline"
    if frame.task_number or not reporting:
        draft = answer_tasks(frame, ctx, cite)
        if draft is not None and (draft.facts and draft.facts[0].kind == "task"):
            return draft
    if reporting and not ABOUT_THE_PLAN_RE.search(frame.folded):
        for province in ctx.scope(frame):  # a task whose deliverable is a report, else the plan's reporting
            tasks, _ = find_tasks(frame, ctx, province)
            if tasks and any(re.search(r"bao cao", fold(f.deliverable)) for f in tasks):
                text = "\n".join(task_line(f, frame, cite) for f in tasks)
                return Draft(text, "answered", "facts", cite.items, tasks, states="time_frame")
        return answer_reporting(frame, ctx, cite)
    if REPORT_WORDS_RE.search(frame.folded):
        return answer_reporting(frame, ctx, cite)
    if frame.indicators:
        return answer_targets(frame, ctx, cite)
    return None


class Deadlines(Route):
    name = "deadlines"

    def score(self, frame, ctx, search) -> float:
        return 0.8 if frame.asked == "time_frame" else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        return answer_deadline(frame, ctx, ctx.citations())


ROUTE = Deadlines()
