"""A chat message as HTML: the answer's text with its [n] markers, the verification badge, the numbered sources
(each opening to its quote highlighted in ~400 characters of the plan's text) and the time taken; also the
question, the waiting line and an error, each kept as one Markdown block.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.ingest.corpus import Plan, PlanMeta
from assistant.schema import Answer, Citation
from assistant.serving.tabs.common import esc

CONTEXT_CHARS = 200  # plan text shown on each side of a cited span (~400 characters of context)
BADGES = {  # status → (css class, label, tooltip)
    "verified": (
        "ok",
        "✓ Đã đối chiếu bảng dữ liệu",
        "Mọi số liệu trong câu trả lời khớp với bảng dữ liệu, và câu trả lời đúng điều được hỏi.",
    ),
    "partially_verified": (
        "warn",
        "⚠ Chưa đối chiếu được toàn bộ",
        "Một số số liệu chưa khớp được với bảng dữ liệu; hãy xem nguồn trích dẫn.",
    ),
    "not_verified": ("warn", "⚠ Chưa đối chiếu được", "Số liệu chưa khớp được với bảng dữ liệu; hãy xem nguồn."),
    "no_claims": ("neutral", "Không có số liệu cần đối chiếu", "Câu trả lời không chứa số liệu để đối chiếu."),
    "not_found": ("neutral", "Không tìm thấy trong các kế hoạch", "Kho văn bản không có thông tin để trả lời."),
    "not_addressed": ("neutral", "Không tìm thấy trong các kế hoạch", "Các kế hoạch không nêu điều được hỏi."),
    "unconfirmed": (
        "neutral",
        "Trích từ văn bản kế hoạch",
        "Các câu được trích nguyên văn từ kế hoạch; nội dung chưa được đối chiếu với bảng dữ liệu.",
    ),
}


def one_line(fragment: str) -> str:
    """Chat messages are Markdown: keep each HTML message a single block (no blank lines, no raw newlines)."""
    return fragment.replace("\r", "").replace("\n", "<br>")


def _inline(text: str) -> str:
    escaped = esc(text)
    return re.sub(r"\[(\d{1,3})\]", r'<span class="cite-ref">[\1]</span>', escaped)


def render_answer_text(text: str) -> str:
    """The answer's text as HTML: "- " lines become a list, other lines paragraphs, [n] markers chips."""
    parts: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if items:
            parts.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
            items.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("- ", "• ", "* ")):
            items.append(_inline(stripped[2:].strip()))
            continue
        flush()
        if stripped:
            parts.append(f"<p>{_inline(stripped)}</p>")
    flush()
    return "".join(parts)


def plan_label(plan: Plan | None, meta: PlanMeta | None = None) -> str:
    meta = plan.meta if plan else meta
    if meta is None:
        return ""
    number = f"Kế hoạch số {meta.plan_number}" if meta.plan_number else "Kế hoạch"
    label = f"{number} của UBND tỉnh {meta.province}" + ("" if meta.plan_number else " (văn bản chưa ghi số)")
    return f"{label}: {meta.title}" if meta.title else label


def _context(plan: Plan, citation: Citation) -> tuple[str, str, str, bool, bool]:
    """(before, quote, after, clipped_left, clipped_right): ~400 characters of plan text around the cited span."""
    text = plan.text
    start, end = citation.start, citation.end
    if not (0 <= start < end <= len(text)) or text[start:end] != citation.quote:
        found = text.find(citation.quote) if citation.quote else -1
        if found < 0:
            return "", citation.quote, "", False, False
        start, end = found, found + len(citation.quote)
    left = max(0, start - CONTEXT_CHARS)
    right = min(len(text), end + CONTEXT_CHARS)
    if left > 0:  # start at a line start when one is near, else at a word start
        newline = text.find("\n", left, start)
        if newline != -1 and start - newline > 40:
            left = newline + 1
        else:
            space = text.find(" ", left, start)
            left = space + 1 if space != -1 else left
    if right < len(text):  # end at a line end when one is near, else at a word end
        newline = text.rfind("\n", end, right)
        if newline != -1 and newline - end > 40:
            right = newline
        else:
            space = text.rfind(" ", end, right)
            right = space if space != -1 else right
    cut_left = left > 0 and text[left - 1] != "\n"
    cut_right = right < len(text) and text[right] != "\n"
    return text[left:start], text[start:end], text[end:right], cut_left, cut_right


def render_source(citation: Citation, plan: Plan | None) -> str:
    """One numbered source: a <details> whose summary names plan and section and whose body highlights the quote."""
    if plan is not None:
        before, quote, after, cut_left, cut_right = _context(plan, citation)
    else:
        before, quote, after, cut_left, cut_right = "", citation.quote, "", False, False
    flat = " ".join(quote.split())
    preview = flat if len(flat) <= 110 else flat[:107].rsplit(" ", 1)[0] + "…"
    body = (
        ("…" if cut_left else "") + esc(before) + f"<mark>{esc(quote)}</mark>" + esc(after) + ("…" if cut_right else "")
    )
    section = f' · <span class="src-where">{esc(citation.section)}</span>' if citation.section else ""
    return (
        f'<details class="src" data-n="{citation.n}"><summary><span class="src-n">[{citation.n}]</span>'
        f"<b>{esc(citation.province)}</b>{section}"
        f'<span class="src-preview">“{esc(preview)}”</span></summary>'
        f'<div class="src-body"><div class="src-plan">{esc(plan_label(plan))}</div>'
        f'<div class="src-ctx">{body}</div></div></details>'
    )


def render_badge(answer: Answer) -> str:
    key = "not_found" if answer.status == "not_found" else answer.verification.status
    css_class, label, tooltip = BADGES[key]
    return f'<span class="badge {css_class}" title="{esc(tooltip)}">{esc(label)}</span>'


def render_answer(answer: Answer, corpus: Any | None) -> str:
    """An assistant message: answer text, verification badge, expandable numbered sources, timing."""
    parts = ['<div class="ans">', render_answer_text(answer.answer), render_badge(answer)]
    unverified = [c.text for c in answer.verification.claims if not c.verified]
    if unverified and answer.status != "not_found":
        parts.append(f'<p class="unverified">Chưa khớp bảng dữ liệu: {esc(", ".join(unverified))}</p>')
    if answer.citations:
        parts.append('<div class="sources"><div class="sources-title">Nguồn trích dẫn</div>')
        for citation in answer.citations:
            plan = corpus.get(citation.plan_id) if corpus is not None else None
            parts.append(render_source(citation, plan))
        parts.append("</div>")
    total = answer.timings_ms.get("total")
    if total is not None:
        parts.append(f'<div class="timing">Trả lời trong {total / 1000:.2f} giây</div>'.replace(".", ",", 1))
    parts.append("</div>")
    return one_line("".join(parts))


def error_html(message: str) -> str:
    return one_line(f'<div class="ans"><p class="err">{esc(message)}</p></div>')


def pending_html(first_load: bool) -> str:
    text = (
        "Đang khởi động trợ lý (lần đầu mất khoảng 10–20 giây)"
        if first_load
        else "Đang tìm trong các kế hoạch và đối chiếu số liệu"
    )
    return f'<div class="ans"><p class="pending">{text}</p></div>'


def user_html(question: str) -> str:
    return one_line(f'<div class="user-q">{esc(question)}</div>')
