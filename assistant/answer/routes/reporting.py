"""Reporting deadlines: who reports to whom (through whom), by which date, how often; each cited."""

from __future__ import annotations

from assistant.answer.draft import Citations, Draft
from assistant.answer.routes.base import Route
from assistant.answer.words import lines
from assistant.understanding import QuestionFrame

TEMPLATES = {
    "vi": {
        "report": "{province}: {reporter} báo cáo kết quả về {recipient}{via} trước ngày {date}{recurrence}",
        "via": " (qua {via})",
        "yearly": " hằng năm",
        "forward": ", để tổng hợp, báo cáo {forward}",
    },
    "en": {
        "report": "{province}: {reporter} report to {recipient}{via} before {date}{recurrence}",
        "via": " (through {via})",
        "yearly": " every year",
        "forward": ", which consolidates them for {forward}",
    },
}


def report_line(fact, frame: QuestionFrame, cite: Citations) -> str:
    t = TEMPLATES[frame.language]
    via = t["via"].format(via=fact.via) if fact.via else ""
    recurrence = t["yearly"] if fact.recurrence else ""
    line = t["report"].format(
        province=fact.province,
        reporter=fact.reporter,
        recipient=fact.recipient,
        via=via,
        date=f"{fact.day:02d}/{fact.month}",
        recurrence=recurrence,
    )
    return line + (t["forward"].format(forward=fact.forward_to) if fact.forward_to else "") + f" {cite.fact(fact)}"


def answer_reporting(frame: QuestionFrame, ctx, cite: Citations) -> Draft | None:
    rows = ctx.select("reporting_deadline", ctx.scope(frame))
    if not rows:
        return None
    items = [report_line(f, frame, cite) for f in rows]
    text = items[0] if len(items) == 1 else lines("", items)
    return Draft(text, "answered", "facts", cite.items, rows, states="reporting_deadline")


class Reporting(Route):
    name = "reporting"
    templates = TEMPLATES

    def score(self, frame, ctx, search) -> float:
        return 0.8 if frame.asked == "reporting_deadline" else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        from assistant.answer.routes.deadlines import answer_deadline

        if frame.aggregate:  # "tỉnh nào báo cáo sớm hơn?": the deadlines of every plan in scope
            return answer_reporting(frame, ctx, ctx.citations())
        return answer_deadline(frame, ctx, ctx.citations())


ROUTE = Reporting()
