"""Targets of one or more provinces from the facts table: the indicator and year asked (or all of a plan's
targets), each with its own cited clause; a plan that contradicts itself shows both values; an indicator or year
a plan does not set is said so, with what it does set."""

from __future__ import annotations

import re

from assistant.answer.draft import Citations, Draft
from assistant.answer.measures import answers_count, counted
from assistant.answer.routes.base import Route
from assistant.answer.words import content_words, lines, overlap
from assistant.domain.indicators import BY_CODE
from assistant.domain.normalize import collapse_spaces, fold
from assistant.facts.extract import value_mentions
from assistant.facts.model import Fact
from assistant.understanding import QuestionFrame, indicator_label

TEMPLATES = {
    "vi": {
        "targets_of": "Chỉ tiêu của {province}",
        "year": "năm {year}",
        "appendix": "phụ lục, năm {year}",
        "conflict": "Lưu ý: kế hoạch của {province} ghi hai giá trị khác nhau cho {label} năm {year}: {values}. "
        "Hãy đối chiếu với văn bản gốc.",
        "no_target_year": "Kế hoạch của {province} không đặt chỉ tiêu {label} cho năm {years}; kế hoạch chỉ nêu:",
        "no_target": "Kế hoạch của {province} không có chỉ tiêu về {label}.",
        "no_money": "Kế hoạch của {province} không nêu số tiền cho việc này; các chỉ tiêu liên quan:",
        "no_count": "Kế hoạch của {province} không nêu con số cụ thể đó; các chỉ tiêu liên quan (theo tỷ lệ):",
        "no_targets_year": "Kế hoạch của {province} không đặt chỉ tiêu nào cho năm {years}; các năm có chỉ tiêu: "
        "{available}.",
        "this": "này",
        "growth": " (tăng doanh thu tối thiểu {growth}%)",
        "appendix_table": "Phụ lục — {title}:",
    },
    "en": {
        "targets_of": "Targets of {province}",
        "year": "{year}",
        "appendix": "appendix, {year}",
        "conflict": "Note: the {province} plan gives two different values for {label} in {year}: {values}. "
        "Please check the original.",
        "no_target_year": "The {province} plan sets no {label} target for {years}; it only states:",
        "no_target": "The {province} plan has no target on {label}.",
        "no_money": "The {province} plan states no sum of money for this; related targets:",
        "no_count": "The {province} plan does not give that number; related targets (as shares):",
        "no_targets_year": "The {province} plan sets no targets for {years}; years with targets: {available}.",
        "this": "this",
        "growth": " (revenue +{growth}% or more)",
        "appendix_table": "Appendix — {title}:",
    },
}
TARGET_GENERIC_WORDS = frozenset(
    "muc tieu chi tieu nam dat ra gi nhung bao nhieu phan tram den target targets goal goals co quan bao chi the nao"
    " con thi".split()
)
TIME_WORDS = frozenset("nam thang ngay lan giai doan".split())
COUNT_RE = re.compile(r"(?:bao nhieu|\bmay) (?!phan tram|ty le|%)([a-z]+(?: [a-z]+)?)")


def t(frame: QuestionFrame, key: str, **values) -> str:
    return TEMPLATES[frame.language][key].format(**values)


def fact_label(fact: Fact, language: str) -> str:
    """A target's indicator as the answer names it: the national label, or the plan's own wording of it."""
    if fact.indicator in BY_CODE:
        return indicator_label(fact.indicator, language)
    return collapse_spaces(str(fact.qualifiers.get("label") or fact.wording))


def target_order(fact: Fact) -> tuple:
    return (fact.year or 0, fact.origin != "body", fact.indicator)


def target_phrase(fact: Fact, frame: QuestionFrame, cite: Citations, with_year: bool = True) -> str:
    """One target as the answer states it: the plan's own clause (or the appendix cell) and its citation."""
    marker = cite.fact(fact)
    if fact.origin == "appendix":
        label = fact_label(fact, frame.language)
        growth = fact.qualifiers.get("min_revenue_growth_pct")
        extra = t(frame, "growth", growth=growth) if growth is not None else ""
        return f"{fact.value_text}{extra} — {label} ({t(frame, 'appendix', year=fact.year)}) {marker}"
    wording = collapse_spaces(fact.wording)
    if len(value_mentions(wording)) > 1 and len(set(re.findall(r"năm (20\d\d)", wording))) > 1:
        # one clause, a value for each of several years: the year's value first, then what it counts
        head = f"{fact.year}: " if frame.language == "en" else f"{t(frame, 'year', year=fact.year).capitalize()}: "
        return f"{head if with_year else ''}{fact.value_text} — {fact_label(fact, frame.language)} {marker}"
    if frame.language == "en":
        head = f"{fact.year}: " if with_year else ""
        return f"{head}{fact_label(fact, 'en')} — “{wording}” {marker}"
    head = f"{t(frame, 'year', year=fact.year).capitalize()}: " if with_year else ""
    return f"{head}{wording} {marker}"


def conflict_notes(rows: list[Fact], frame: QuestionFrame, all_facts: list[Fact]) -> list[str]:
    """A warning per conflict group among ``rows``: both values, where each is written."""
    notes, seen = [], set()
    for fact in rows:
        if fact.conflict_group and fact.conflict_group not in seen:
            seen.add(fact.conflict_group)
            group = [f for f in all_facts if f.conflict_group == fact.conflict_group]
            values = " / ".join(
                f"{f.value_text} ({'phụ lục' if f.origin == 'appendix' else 'phần mục tiêu'})" for f in group
            )
            label = fact_label(fact, frame.language)
            notes.append(t(frame, "conflict", province=fact.province, label=label, year=fact.year, values=values))
    return notes


def unmet_measure(frame: QuestionFrame, facts: list[Fact]) -> str | None:
    """``"money"`` when the question asks for a sum the targets (shares) cannot give; ``"count"`` when it asks a
    count the targets do not give (:mod:`assistant.answer.measures`); None when they answer it."""
    if "money" in frame.constraint_values("quantity"):
        return "money"
    words = counted(frame)
    return "count" if words and not answers_count(frame, words, facts) else None


def narrow_by_wording(facts: list[Fact], frame: QuestionFrame, province: str) -> list[Fact]:
    """Without an indicator, keep the targets whose wording names what the question names (if any does)."""
    asked = frame.topic if "topic" in frame.inherited else frame.folded  # a follow-up: the words asked before too
    words = content_words(asked, province) - TARGET_GENERIC_WORDS - {str(y) for y in frame.years}
    if not words:
        return facts
    # the targets of the asked year first: a per-year table names the same thing in its own words
    dated = [f for f in facts if f.year in frame.years]
    for pool in ([dated, facts] if dated else [facts]):
        scored = [(overlap(words, content_words(fold(f"{f.wording} {f.unit}"))), f) for f in pool]  # "tập", "người"
        best = max((s for s, _ in scored), default=0.0)
        if best >= 0.5:
            return [f for s, f in scored if s >= best - 1e-9]
    return facts


APPENDIX_ROWS_INLINE = 8  # more appendix targets than this are shown one line per table row


def _phrases(facts: list[Fact], frame: QuestionFrame, cite: Citations) -> list[str]:
    """One line per target, a clause naming two indicators once."""
    lines_, seen = [], set()
    for fact in sorted(facts, key=target_order):
        phrase = target_phrase(fact, frame, cite)
        if phrase not in seen:
            seen.add(phrase)
            lines_.append(phrase)
    return lines_


def appendix_lines(frame: QuestionFrame, plan, facts: list[Fact], cite: Citations) -> list[str]:
    """A per-year appendix as the plan lays it out: each table (period) under its own title, one line per
    indicator with its value year by year, the row cited."""
    out = []
    for table in plan.structure.tables:
        rows = [f for f in facts if table.start <= f.start < table.end]
        if not rows:
            continue
        title = next(
            (b for b in plan.structure.blocks if collapse_spaces(b.text) == collapse_spaces(table.title)), None
        )
        marker = f" {cite.cite(plan.id, title.start, title.end, title.section)}" if title else ""
        out.append(f"{t(frame, 'appendix_table', title=collapse_spaces(table.title))}{marker}")
        by_row: dict[int, list[Fact]] = {}
        for fact in rows:
            by_row.setdefault(fact.start, []).append(fact)
        for row in by_row.values():
            row.sort(key=lambda f: f.year or 0)
            values = ", ".join(f"{f.year}: {f.value_text}" for f in row)
            label = fact_label(row[0], frame.language)
            growth = row[0].qualifiers.get("min_revenue_growth_pct")
            extra = t(frame, "growth", growth=growth) if growth is not None else ""
            marker = cite.cite(plan.id, row[0].start, max(f.end for f in row), row[0].section)
            out.append(f"  {label}{extra}: {values} {marker}")
    return out


def answer_targets(frame: QuestionFrame, ctx, cite: Citations) -> Draft | None:
    """The targets a frame asks for, province by province (see the module docstring)."""
    blocks: list[str] = []
    used: list[Fact] = []
    found_any = False
    for province in ctx.scope(frame):
        rows = ctx.select("target", [province])
        if not rows:
            continue
        chosen = [f for f in rows if not frame.indicators or f.indicator in frame.indicators]
        if not frame.indicators:
            chosen = narrow_by_wording(chosen, frame, province)
        with_year = [f for f in chosen if not frame.years or f.year in frame.years]
        if not frame.years and not frame.indicators:
            with_year = chosen
        if not with_year:
            if not frame.provinces:
                continue
            blocks.append(_missing_target(frame, ctx, province, rows, chosen, cite, used))
            continue
        appendix = [f for f in with_year if f.origin == "appendix"]
        if appendix and "appendix" in frame.constraint_values("part"):  # "phụ lục … gồm những chỉ tiêu nào"
            groups = {f.conflict_group for f in appendix if f.conflict_group}
            with_year = [f for f in with_year if f.origin == "appendix" or f.conflict_group in groups]
        if not frame.indicators and len(appendix) > APPENDIX_ROWS_INLINE:  # a per-year table: one line a row
            body = [f for f in with_year if f.origin != "appendix"]
            items = _phrases(body, frame, cite)
            items += appendix_lines(frame, ctx.plan_of[province], appendix, cite)
        else:
            items = _phrases(with_year, frame, cite)
        used.extend(with_year)
        items += conflict_notes(with_year, frame, ctx.facts)
        unmet = unmet_measure(frame, with_year)
        if unmet:  # asked for money or a count the plan does not give: say so, show what it does set
            header = t(frame, "no_money" if unmet == "money" else "no_count", province=province)
        else:
            found_any = True
            header = t(frame, "targets_of", province=province) + ":"
        blocks.append(lines(header, items))
    if not blocks:
        return None
    text = "\n\n".join(blocks)
    return Draft(text, "answered" if found_any else "not_found", "facts", cite.items, used, states="target_value")


def _missing_target(frame, ctx, province, rows, chosen, cite, used) -> str:
    label = ", ".join(ctx.indicator_label(c, frame.language) for c in frame.indicators) or t(frame, "this")
    years = ", ".join(str(y) for y in frame.years)
    if chosen and (frame.indicators or len(chosen) < len(rows)):  # the indicator (or wording) exists, not that year
        head = t(frame, "no_target_year", province=province, label=label, years=years)
        shown = sorted(chosen, key=target_order)[:4]
        used.extend(shown)
        return lines(head, [target_phrase(f, frame, cite) for f in shown])
    if frame.indicators:
        return t(frame, "no_target", province=province, label=label)
    available = ", ".join(str(y) for y in sorted({f.year for f in rows}))
    return t(frame, "no_targets_year", province=province, years=years, available=available)


class Targets(Route):
    name = "targets"
    templates = TEMPLATES

    def score(self, frame, ctx, search) -> float:
        if frame.asked == "target_value" and frame.aggregate is None:
            return 0.8
        if frame.asked is None and frame.indicators:
            return 0.2  # "Lai Châu cam kết gì về vùng sâu, vùng xa?": after the passages, the targets
        return 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        return answer_targets(frame, ctx, ctx.citations())


ROUTE = Targets()
