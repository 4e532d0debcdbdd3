"""Reporting deadlines: who reports to whom (through whom), by which date, how often; each cited."""

from __future__ import annotations

import re

from assistant.answer.draft import Citations, Draft
from assistant.answer.routes.base import Route
from assistant.answer.words import lines
from assistant.understanding import QuestionFrame

TEMPLATES = {
    "vi": {
        "report": "{province}: {reporter} báo cáo kết quả về {recipient}{via} {when}",
        "via": " (qua {via})",
        "hằng năm": "trước ngày {date} hằng năm",
        "6 tháng": "định kỳ 6 tháng, trước ngày {date}",
        "quý": "hằng quý, trước ngày {day} tháng cuối quý",
        "một lần": "trước ngày {date}",
        "khi có yêu cầu": "khi có yêu cầu",
        "dated": "trước ngày {date}",
        "forward": ", để tổng hợp, báo cáo {forward}",
    },
    "en": {
        "report": "{province}: {reporter} report to {recipient}{via} {when}",
        "via": " (through {via})",
        "hằng năm": "before {date} every year",
        "6 tháng": "every six months, before {date}",
        "quý": "every quarter, before day {day} of its last month",
        "một lần": "before {date}",
        "khi có yêu cầu": "when requested",
        "dated": "before {date}",
        "forward": ", which consolidates them for {forward}",
    },
}
DATED_YEAR_RE = re.compile(r"\b(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(20\d\d)\b")


def when(fact, language: str) -> str:
    """When a report is due, as its recurrence says ("hằng năm", "6 tháng", "quý", "một lần", on request)."""
    t = TEMPLATES[language]
    if fact.day and fact.month:
        date = f"{fact.day:02d}/{fact.month}"
        if fact.recurrence == "một lần":  # a one-off report: its year, from the sentence that sets it
            dated = next((m for m in DATED_YEAR_RE.finditer(fact.quote) if int(m.group(1)) == fact.day), None)
            date = f"{date}/{dated.group(3)}" if dated else date
        return t.get(fact.recurrence, t["dated"]).format(date=date, day=fact.day)
    if fact.recurrence == "quý" and fact.day:
        return t["quý"].format(day=fact.day)
    return t["khi có yêu cầu"]


def report_line(fact, frame: QuestionFrame, cite: Citations) -> str:
    t = TEMPLATES[frame.language]
    via = t["via"].format(via=fact.via) if fact.via else ""
    line = t["report"].format(
        province=fact.province,
        reporter=fact.reporter,
        recipient=fact.recipient,
        via=via,
        when=when(fact, frame.language),
    )
    return line + (t["forward"].format(forward=fact.forward_to) if fact.forward_to else "") + f" {cite.fact(fact)}"


def named_parties(fact, units: list[str], ctx) -> int:
    """How many of the question's agencies a report names as its reporter, recipient or intermediary."""
    parties = [p for p in (fact.reporter, fact.recipient, fact.via) if p]
    return sum(1 for unit in units if any(ctx.units.mentions(p, unit) for p in parties))


def answer_reporting(frame: QuestionFrame, ctx, cite: Citations) -> Draft | None:
    """The plans' reporting deadlines: those between the agencies the question names, of the recurrence asked,
    or the one the question describes, else all."""
    from assistant.answer.routes.deadlines import best_report

    rows = ctx.select("reporting_deadline", ctx.scope(frame))
    if not rows:
        return None
    if frame.subject.units:  # "Sở TT&TT báo cáo UBND tỉnh …": the reports between those agencies
        scored = [(named_parties(f, frame.subject.units, ctx), f) for f in rows]
        most = max(score for score, _ in scored)
        rows = [f for score, f in scored if score == most] if most else rows
    wanted = frame.constraint_values("recurrence")
    if wanted and any(f.recurrence in wanted for f in rows):
        rows = [f for f in rows if f.recurrence in wanted]
    elif not wanted and not frame.aggregate and (described := best_report(frame, ctx, rows)) is not None:
        rows = [described[1]]
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
