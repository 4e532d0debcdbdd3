"""When something must be done: a task's time frame when the question names a task; the reporting deadline when
it asks about reports (or a task whose deliverable is a report)."""

from __future__ import annotations

import re

from assistant.answer.draft import Citations, Draft
from assistant.answer.routes.base import Route
from assistant.answer.routes.reporting import answer_reporting, report_line
from assistant.answer.routes.targets import answer_targets
from assistant.answer.routes.tasks import answer_tasks, find_tasks, task_line
from assistant.answer.words import content_words, overlap
from assistant.domain.normalize import fold
from assistant.understanding import QuestionFrame

TASK_WORDS_RE = re.compile(r"\bnhiem vu\b|\btask\b|\bdau viec\b")
REPORT_GENERIC_WORDS = frozenset(
    "bao cao ket qua truoc ngay han nao khi gui ve cho ai thuc hien ke hoach hang nam dinh ky cac co quan don vi "
    "tinh so thong tin truyen thong chuyen doi bao chi quy thang kh cds nam".split()
)
REPORT_MATCH = 0.5  # share of the question's own words a report's sentence must hold to be the one asked


def best_report(frame: QuestionFrame, ctx, rows=None):
    """The reporting deadline (of ``rows``, else of the plans in scope) whose sentence says what the question
    describes ("hạn gửi kết quả tự đánh giá …"), with how much of the question's own words it holds; None when
    none holds :data:`REPORT_MATCH`."""
    words = content_words(frame.topic or frame.folded, *ctx.scope(frame)) - REPORT_GENERIC_WORDS
    if len(words) < 2:
        return None
    scored = [
        (overlap(words, content_words(fold(f.quote)) - REPORT_GENERIC_WORDS), f)
        for f in (rows if rows is not None else ctx.select("reporting_deadline", ctx.scope(frame)))
    ]
    best = max(scored, key=lambda item: item[0], default=None)
    return best if best is not None and best[0] >= REPORT_MATCH else None


def _task_match(frame: QuestionFrame, tasks) -> float:
    words = content_words(frame.topic or frame.folded, *frame.provinces) - REPORT_GENERIC_WORDS
    said = set().union(*(content_words(fold(f"{f.content} {f.deliverable}")) for f in tasks))
    return overlap(words, said)


ABOUT_THE_PLAN_RE = re.compile(r"(?:ket qua|tinh hinh) (?:thuc hien |trien khai )?(?:ke hoach|kh)\b")
REPORT_WORDS_RE = re.compile(r"bao cao|danh gia dinh ky|tong hop|\bnop\b|report|submit")


def answer_deadline(frame: QuestionFrame, ctx, cite: Citations) -> Draft | None:
    reporting = frame.asked == "reporting_deadline"
    if frame.task_number or not reporting:
        draft = answer_tasks(frame, ctx, cite)
        report = best_report(frame, ctx)
        is_task = draft is not None and draft.facts and draft.facts[0].kind == "task"
        # a report the plan describes in prose may match the question better than any task row
        if is_task and (report is None or report[0] <= _task_match(frame, draft.facts)):
            return draft
        if report is not None and not frame.task_number:
            return Draft(report_line(report[1], frame, cite), "answered", "facts", cite.items, [report[1]])
    names_a_task = frame.task_number or TASK_WORDS_RE.search(frame.folded)
    recurring = frame.constraint_values("recurrence")  # "báo cáo quý": the plan's reports of that recurrence
    reports = ctx.select("reporting_deadline", ctx.scope(frame)) if recurring else []
    if reporting and any(f.recurrence in recurring for f in reports):
        return answer_reporting(frame, ctx, cite)
    if reporting and not ABOUT_THE_PLAN_RE.search(frame.folded):
        for province in ctx.scope(frame):  # a task whose deliverable is a report, else the plan's reporting
            tasks, _ = find_tasks(frame, ctx, province)
            strong = names_a_task or (tasks and _task_match(frame, tasks) >= REPORT_MATCH)
            if strong and tasks and any(re.search(r"bao cao", fold(f.deliverable)) for f in tasks):
                text = "\n".join(task_line(f, frame, cite) for f in tasks)
                return Draft(text, "answered", "facts", cite.items, tasks, states="time_frame")
    if reporting:
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
