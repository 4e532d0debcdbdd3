"""Which plans have something, across the corpus: an appendix (and what it is about), a task table with a given
column, a part or task group on a topic, duties for a named agency. Each plan that has it is named with its own
cited evidence; the plans that do not are named too."""

from __future__ import annotations

import re

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.answer.routes.outline import OUTLINE_GENERIC_WORDS
from assistant.answer.words import content_words, lines, overlap
from assistant.domain.normalize import collapse_spaces, fold

APPENDIX_RE = re.compile(r"\bphu luc\b|\bappendix\b|\bannex\b")
COLUMN_RE = {
    "deliverable": re.compile(r"ket qua,? san pham|san pham|deliverable|output"),
    "time_frame": re.compile(r"thoi gian"),
    "coordinating": re.compile(r"phoi hop|coordinat"),
}
HEADING_MATCH = 0.6  # share of the question's topic words a heading must hold
WHICH_GENERIC = OUTLINE_GENERIC_WORDS | frozenset("rieng co ve nao ke hoach tinh which plan plans has have".split())


class WhichPlans(Route):
    name = "which_plans"
    templates = {
        "vi": {
            "appendix": "Các kế hoạch có phụ lục: {provinces}.",
            "column": "Các kế hoạch có bảng nhiệm vụ với cột “{column}”: {provinces}.",
            "heading": "Các kế hoạch có phần, nhóm nhiệm vụ này: {provinces}.",
            "duties": "Các kế hoạch giao nhiệm vụ cho {unit}: {provinces}.",
            "reported_to": "Các kế hoạch yêu cầu báo cáo {unit}: {provinces}.",
            "without": "Không có: {provinces}.",
            "none": "Không kế hoạch nào trong kho ({provinces}) có nội dung này.",
        },
        "en": {
            "appendix": "Plans with an appendix: {provinces}.",
            "column": "Plans whose task table has a “{column}” column: {provinces}.",
            "heading": "Plans with this part or task group: {provinces}.",
            "duties": "Plans that give duties to {unit}: {provinces}.",
            "reported_to": "Plans that require reports to {unit}: {provinces}.",
            "without": "Not in: {provinces}.",
            "none": "No plan in the corpus ({provinces}) has this.",
        },
    }
    COLUMN_LABELS = {"deliverable": "Kết quả, sản phẩm", "time_frame": "Thời gian", "coordinating": "Phối hợp"}

    def score(self, frame, ctx, search) -> float:
        if frame.aggregate not in {"which", "compare"} or frame.indicators or frame.subject.documents:
            return 0.0
        asked = {None, "passage", "outline", "duties", "task_list", "task_details", "deliverable"}
        return 0.84 if frame.asked in asked else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        cite = ctx.citations()
        unit = next((u for u in frame.subject.units if not fold(u).startswith(("cac ", "co quan"))), None)
        if unit and frame.asked == "duties":
            return self._duties(frame, ctx, cite, unit)
        column = next((name for name, p in COLUMN_RE.items() if p.search(frame.folded)), None)
        if APPENDIX_RE.search(frame.folded) and column and "cot" in frame.folded.split():
            return self._column(frame, ctx, cite, column)
        if APPENDIX_RE.search(frame.folded):
            return self._appendix(frame, ctx, cite)
        return self._heading(frame, ctx, cite)

    def _finish(self, frame, ctx, key: str, having: dict[str, list[str]], used, cite, **values) -> Draft:
        scope = ctx.scope(frame)
        if not having:
            return Draft(self.t(frame, "none", provinces=", ".join(scope)), "not_found", "facts", [], [])
        head = self.t(frame, key, provinces=", ".join(having), **values)
        items = [f"{p}: {'; '.join(evidence)}" for p, evidence in having.items()]
        text = lines(head, items)
        missing = [p for p in scope if p not in having]
        if missing:
            text += "\n" + self.t(frame, "without", provinces=", ".join(missing))
        return Draft(
            text, "answered", "facts" if used else "passages", cite.items, used, states=frame.asked or "passage"
        )

    def _appendix(self, frame, ctx, cite) -> Draft:
        having: dict[str, list[str]] = {}
        for province in ctx.scope(frame):
            plan = ctx.plan_of[province]
            titles = [b for b in plan.structure.blocks if b.section_kind == "appendix" and b.kind == "title"]
            if titles or plan.structure.tables:
                shown = titles[:2] if titles else []
                quote = " ".join(collapse_spaces(b.text) for b in shown)
                if shown:
                    marker = cite.cite(plan.id, shown[0].start, shown[-1].end, shown[0].section or "PHỤ LỤC")
                    having[province] = [f"{quote} {marker}"]
                else:
                    having[province] = []
        return self._finish(frame, ctx, "appendix", having, [], cite)

    def _column(self, frame, ctx, cite, column: str) -> Draft:
        having: dict[str, list[str]] = {}
        used = []
        for province in ctx.scope(frame):
            plan = ctx.plan_of[province]
            table = next((t for t in plan.structure.tables if t.kind == "tasks" and column in t.columns), None)
            if table is not None:  # the header row that names the column
                header = collapse_spaces(plan.text[table.start : table.end])
                having[province] = [f"{header[:160]} {cite.cite(plan.id, table.start, table.end, 'PHỤ LỤC')}"]
        return self._finish(frame, ctx, "column", having, used, cite, column=self.COLUMN_LABELS[column])

    def _heading(self, frame, ctx, cite) -> Draft | None:
        words = content_words(frame.folded) - WHICH_GENERIC
        if not words:
            return None
        having: dict[str, list[str]] = {}
        for province in ctx.scope(frame):
            plan = ctx.plan_of[province]
            for block in plan.structure.blocks:
                if block.kind != "heading" or block.section_kind == "recipients":
                    continue
                if overlap(words, content_words(fold(block.text))) >= HEADING_MATCH:
                    marker = cite.cite(plan.id, block.start, block.end, block.section)
                    having.setdefault(province, []).append(f"{collapse_spaces(block.text)} {marker}")
        if not having:
            return None
        return self._finish(frame, ctx, "heading", having, [], cite)

    def _duties(self, frame, ctx, cite, unit: str) -> Draft:
        if re.search(r"bao cao|report", frame.folded):  # "kế hoạch nào yêu cầu báo cáo Bộ TTTT?"
            return self._reported_to(frame, ctx, cite, unit)
        having: dict[str, list[str]] = {}
        used = []
        for province in ctx.scope(frame):
            rows = [f for f in ctx.select("responsibility", [province]) if ctx.units.mentions(f.responsible_unit, unit)]
            if rows:
                fact = rows[0]
                used.append(fact)
                first = collapse_spaces(fact.duties.split("\n")[0]).lstrip("-– ")
                having[province] = [f"{fact.responsible_unit}: {first[:160]} {ctx.cite_duty(fact, first, cite)}"]
        return self._finish(frame, ctx, "duties", having, used, cite, unit=unit)

    def _reported_to(self, frame, ctx, cite, unit: str) -> Draft:
        from assistant.answer.routes.reporting import report_line

        having: dict[str, list[str]] = {}
        used = []
        for province in ctx.scope(frame):
            for fact in ctx.select("reporting_deadline", [province]):
                names = [fact.recipient, fact.via, *fact.forward_to.split(", ")]
                if any(n and ctx.units.mentions(n, unit) for n in names):
                    used.append(fact)
                    having.setdefault(province, []).append(report_line(fact, frame, cite).split(": ", 1)[-1])
        return self._finish(frame, ctx, "reported_to", having, used, cite, unit=unit)


ROUTE = WhichPlans()
