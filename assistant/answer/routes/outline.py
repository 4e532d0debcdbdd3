"""The plan's own headings: the groups of tasks and solutions, the items of a named sub-section, or the parts of
the plan; each heading quoted and cited."""

from __future__ import annotations

import re

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.answer.words import content_words, lines, overlap
from assistant.domain.normalize import collapse_spaces, fold

OUTLINE_GENERIC_WORDS = frozenset(
    "nhiem vu giai phap ke hoach gom bao nhung nhom trong tam chinh chu yeu cac phan noi dung muc "
    "chuyen doi so chi co quan tinh liet ke ten giup minh cho toi em hoi "
    "main key tasks task solutions groups group plan parts sections outline".split()
)
OUTLINE_PARTS_RE = re.compile(r"\bphan\b|bo cuc|cau truc|parts|sections|outline")
OUTLINE_MATCH = 0.5  # share of the question's topic words a sub-section title must contain to be listed


def outline_of(blocks: list, folded_question: str, province: str) -> tuple[object | None, list]:
    """The heading to outline and its children. A sub-section whose title the question names lists its own
    items; "phần nào / bố cục" lists the plan's parts; otherwise the part of tasks and solutions is listed."""
    headings = [b for b in blocks if b.kind == "heading" and b.section_kind != "recipients"]
    words = content_words(folded_question, province) - OUTLINE_GENERIC_WORDS
    if words:
        scored = [(overlap(words, content_words(fold(h.text)) - OUTLINE_GENERIC_WORDS), h) for h in headings]
        best = max((score for score, _ in scored), default=0.0)
        named = [h for score, h in scored if score >= OUTLINE_MATCH and score == best and h.level >= 2]
        if named:
            return named[0], children(blocks, named[0])
    if OUTLINE_PARTS_RE.search(folded_question) and not re.search(r"nhiem vu|giai phap|task|solution", folded_question):
        return None, [h for h in headings if h.level == 1]
    part = next((h for h in headings if h.level == 1 and h.section_kind == "tasks"), None)
    return (part, children(blocks, part)) if part else (None, [])


def children(blocks: list, heading) -> list:
    """Sub-headings one level below ``heading``; without them, its bullets (or its paragraphs)."""
    start = blocks.index(heading)
    inside = []
    for block in blocks[start + 1 :]:
        if block.kind == "heading" and block.level <= heading.level:
            break
        inside.append(block)
    below = [b for b in inside if b.kind == "heading" and b.level == heading.level + 1]
    if below:
        return below
    bullets = [b for b in inside if b.kind == "bullet"]
    return bullets or [b for b in inside if b.kind == "paragraph"][:8]


def numbered_item(blocks: list, number: str):
    """The heading numbered ``number`` ("2.", "2)") in the plan's part of tasks and solutions, if any."""
    pattern = re.compile(rf"^\s*{re.escape(number)}\s*[.)]\s+\S")
    return next(
        (
            b
            for b in blocks
            if b.kind == "heading" and b.section_kind == "tasks" and b.level >= 2 and pattern.match(b.text)
        ),
        None,
    )


class Outline(Route):
    name = "outline"
    templates = {
        "vi": {
            "outline": "Theo kế hoạch của {province}, phần “{section}” {marker} gồm các mục:",
            "outline_parts": "Kế hoạch của {province} gồm các phần:",
        },
        "en": {
            "outline": "In the {province} plan, the part “{section}” {marker} covers:",
            "outline_parts": "The {province} plan has these parts:",
        },
    }

    def score(self, frame, ctx, search) -> float:
        return 0.8 if frame.asked == "outline" else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        cite = ctx.citations()
        blocks = []
        for province in ctx.scope(frame):
            plan = ctx.plan_of[province]
            parent, items = outline_of(plan.structure.blocks, frame.folded, province)
            if not items:
                continue
            if parent is None:
                header = self.t(frame, "outline_parts", province=province)
            else:
                section = collapse_spaces(parent.text).rstrip(":")
                marker = cite.cite(plan.id, parent.start, parent.end, parent.section)
                header = self.t(frame, "outline", province=province, section=section, marker=marker)
            quoted = [
                f"{collapse_spaces(b.text).lstrip('-–+• ')} {cite.cite(plan.id, b.start, b.end, b.section)}"
                for b in items
            ]
            blocks.append(lines(header, quoted))
        if not blocks:
            return None
        return Draft("\n\n".join(blocks), "answered", "passages", cite.items, [], states="outline")


ROUTE = Outline()
