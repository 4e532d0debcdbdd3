"""Tasks of the plans' assignment tables: the task a question names (by number, by its words, or the tasks a
named unit leads), with its lead and coordinating units, time frame and deliverable, each row cited. A task
number a plan does not have, or a plan without a task table, is said so."""

from __future__ import annotations

import re

from assistant.answer.draft import Citations, Draft
from assistant.answer.routes.base import Route
from assistant.answer.routes.duty_match import duties_matching
from assistant.answer.words import content_words, f1, overlap
from assistant.domain.normalize import collapse_spaces, fold
from assistant.domain.units import split_units
from assistant.facts.model import Fact
from assistant.understanding import QuestionFrame

TASK_MATCH_F1 = 0.35
TASK_MATCH_MIN_F1 = 0.2  # a long task row that covers most of the question still matches …
TASK_MATCH_COVERAGE = 0.7  # … when it holds this share of the question's words
TASK_CUE_WORDS = frozenset(
    "chu tri phoi hop thoi gian thuc hien nhiem vu don vi nao lam han khi ket qua san pham phu trach gian "
    "lead coordinating task deadline who when".split()
)
TASK_ATTRIBUTES = {"lead_units", "coordinating_units", "task_details", "deliverable"}
TEMPLATES = {
    "vi": {
        "task": "Nhiệm vụ {number} ({content}) của {province}",
        "lead": "đơn vị chủ trì: {units}",
        "coordinating": "đơn vị phối hợp: {units}",
        "time": "thời gian thực hiện: {time}",
        "deliverable": "kết quả, sản phẩm: {deliverable}",
        "no_task_number": "Phụ lục của {province} không có nhiệm vụ số {number}; các nhiệm vụ có số: {numbers}.",
        "no_task_table": "Kế hoạch của {province} không có bảng phân công nhiệm vụ nêu đơn vị chủ trì, phối hợp.",
        "no_time": "Phụ lục không ghi thời gian thực hiện cho nhiệm vụ {number}.",
        "item": "Kế hoạch của {province} không có phụ lục phân công; trong phần nhiệm vụ, giải pháp, "
        "mục {item} {marker} gồm:",
    },
    "en": {
        "task": "Task {number} ({content}) of {province}",
        "lead": "lead unit: {units}",
        "coordinating": "coordinating units: {units}",
        "time": "time frame: {time}",
        "deliverable": "deliverable: {deliverable}",
        "no_task_number": "The {province} appendix has no task {number}; its tasks are numbered {numbers}.",
        "no_task_table": "The {province} plan has no task-assignment table naming lead and coordinating units.",
        "no_time": "The appendix gives no time frame for task {number}.",
        "item": "The {province} plan has no task appendix; in its tasks part, item {item} {marker} covers:",
    },
}


def t(frame: QuestionFrame, key: str, **values) -> str:
    return TEMPLATES[frame.language][key].format(**values)


def find_tasks(frame: QuestionFrame, ctx, province: str) -> tuple[list[Fact], str | None]:
    """The task(s) a question refers to in one province, or an explanation of why there is none."""
    tasks = ctx.select("task", [province])
    if not tasks:
        return [], t(frame, "no_task_table", province=province)
    if frame.task_number:
        exact = [f for f in tasks if f.number == frame.task_number]
        if exact and not exact[0].lead_units:  # a group row (5) stands for its sub-tasks (5.1, 5.2)
            exact += [f for f in tasks if f.parent == frame.task_number]
        if exact:
            return exact, None
        numbers = ", ".join(f.number for f in tasks)
        return [], t(frame, "no_task_number", province=province, number=frame.task_number, numbers=numbers)
    if frame.years and re.search(r"nhiem vu nao|nhung nhiem vu|which task", frame.folded):
        by_years = [f for f in tasks if f.start_year and all(f.start_year <= y <= f.end_year for y in frame.years)]
        if by_years:
            return by_years, None
    led = tasks_of_named_unit(frame, ctx, tasks)
    if led is not None:
        return led, None
    # Words no plan uses (English, typos) cannot match a task and would only dilute the score; the agencies the
    # question names say who, not what.
    topic = ctx.units.without(frame.topic or frame.folded, frame.subject.units)
    words = {w for w in content_words(topic, province) - TASK_CUE_WORDS if w in ctx.vocabulary}
    scored = []
    for fact in tasks:
        said = content_words(fold(f"{fact.content} {fact.deliverable}"), province) - TASK_CUE_WORDS
        score = f1(words, said)
        if score >= TASK_MATCH_F1 or (score >= TASK_MATCH_MIN_F1 and overlap(words, said) >= TASK_MATCH_COVERAGE):
            # how much of the question the task covers first (long task rows are not penalized), then F1
            scored.append(((round(overlap(words, said), 2), score), fact))
    if scored:
        scored.sort(key=lambda item: item[0], reverse=True)
        best = scored[0][0]
        return [f for score, f in scored if score == best][:2], None
    return [], None


def tasks_of_named_unit(frame: QuestionFrame, ctx, tasks: list[Fact]) -> list[Fact] | None:
    """ "Sở TTTT chủ trì những nhiệm vụ nào?": every task the named unit leads (or coordinates, when asked)."""
    if not re.search(r"nhiem vu nao|nhung nhiem vu|cac nhiem vu|liet ke|which tasks|what tasks", frame.folded):
        return None
    unit = ctx.units.named_one(frame.question)
    if unit is None:
        return None
    coordinating = frame.asked == "coordinating_units" or ("phoi hop" in frame.folded and "chu tri" not in frame.folded)
    return [
        f
        for f in tasks
        if any(
            ctx.units.mentions(unit, x) or fold(x) == fold(unit)
            for x in (f.coordinating_units if coordinating else f.lead_units)
        )
    ]


def task_line(fact: Fact, frame: QuestionFrame, cite: Citations) -> str:
    """One task as the answer states it, the asked attribute first."""
    marker = cite.fact(fact)
    content = collapse_spaces(fact.content)
    if len(content) > 140:
        content = content[:137].rsplit(" ", 1)[0] + "…"
    parts = []
    if fact.lead_units:
        parts.append(t(frame, "lead", units=", ".join(fact.lead_units)))
    if fact.coordinating_units:
        units = ", ".join(fact.coordinating_units)
        original = collapse_spaces(fact.coordinating_units_original)
        if any(u.note for u in split_units(original)):  # the cell says more than the names ("Sở TTTT đôn đốc")
            units += f" (“{original}”)"
        parts.append(t(frame, "coordinating", units=units))
    if fact.time_frame:
        parts.append(t(frame, "time", time=fact.time_frame))
    wants_deliverable = re.search(r"ket qua|san pham|dau ra|deliverable", frame.folded)
    if fact.deliverable and (frame.asked != "lead_units" or wants_deliverable):
        parts.append(t(frame, "deliverable", deliverable=fact.deliverable))
    if frame.asked == "coordinating_units" and fact.coordinating_units:
        parts.insert(0, parts.pop(1 if fact.lead_units else 0))
    if frame.asked == "time_frame" and fact.time_frame:
        parts.insert(0, parts.pop(parts.index(t(frame, "time", time=fact.time_frame))))
    head = t(frame, "task", number=fact.number, content=content, province=fact.province)
    return f"{head}: {'; '.join(parts)} {marker}" if parts else f"{head} {marker}"


def answer_tasks(frame: QuestionFrame, ctx, cite: Citations) -> Draft | None:
    """The tasks a frame names, in every province of its scope (see the module docstring)."""
    items: list[str] = []
    used: list[Fact] = []
    problems: list[str] = []
    blank_time = False
    for province in ctx.scope(frame):
        tasks, problem = find_tasks(frame, ctx, province)
        if tasks:
            used.extend(tasks)
            items.extend(task_line(f, frame, cite) for f in tasks)
            if frame.asked == "time_frame" and all(not f.time_frame for f in tasks if f.lead_units):
                blank_time = True
                items.append(t(frame, "no_time", number=", ".join(f.number for f in tasks)))
        elif problem and frame.provinces:
            problems.append(problem)
    if not used and frame.task_number and frame.asked == "task_details":
        item = _numbered_item(frame, ctx, cite)  # a plan without a task table numbers its groups of tasks
        if item is not None:
            return item
    if not used:
        if problems and (frame.task_number or re.search(r"phu luc|bang phan cong|appendix", frame.folded)):
            listed = [f for p in frame.provinces for f in ctx.select("task", [p])]
            return Draft("\n".join(problems), "not_found", "facts", cite.items, listed)
        return duties_matching(frame, ctx, cite)  # plans without a task table state who does what in prose
    status = "not_found" if blank_time else "answered"
    return Draft("\n".join(items + problems), status, "facts", cite.items, used, states=frame.asked)


def _numbered_item(frame: QuestionFrame, ctx, cite: Citations) -> Draft | None:
    """ "Nhiệm vụ 2 của Huế là gì?" in a plan without a task table: its tasks part's item numbered 2, with what
    the item holds, each cited."""
    from assistant.answer.routes.outline import children, numbered_item

    items = []
    for province in ctx.scope(frame):
        if ctx.select("task", [province]):
            continue
        plan = ctx.plan_of[province]
        heading = numbered_item(plan.structure.blocks, frame.task_number)
        if heading is None:
            continue
        marker = cite.cite(plan.id, heading.start, heading.end, heading.section)
        inside = [
            f"{collapse_spaces(b.text).lstrip('-–+• ')} {cite.cite(plan.id, b.start, b.end, b.section)}"
            for b in children(plan.structure.blocks, heading)[:6]
        ]
        head = TEMPLATES[frame.language]["item"].format(
            province=province, item=collapse_spaces(heading.text), marker=marker
        )
        items.append("\n".join([head, *[f"- {line}" for line in inside]]))
    if not items:
        return None
    return Draft("\n\n".join(items), "answered", "passages", cite.items, [], states="task_details")


class Tasks(Route):
    name = "tasks"
    templates = TEMPLATES

    def score(self, frame, ctx, search) -> float:
        return 0.8 if frame.asked in TASK_ATTRIBUTES else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        return answer_tasks(frame, ctx, ctx.citations())


ROUTE = Tasks()
