"""A chat conversation written out: each question, its answer and the quoted sources (plan, section, quote), as
Markdown or a print-ready .docx."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from assistant.views.docx_writer import add_heading, new_document, to_bytes
from assistant.views.sources import PlanRef

TITLE = "Hội thoại với Trợ lý kế hoạch chuyển đổi số báo chí"
EMPTY = "Chưa có câu hỏi nào trong hội thoại."


def _turns(answers: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a for a in answers if isinstance(a, dict) and a.get("question")]


def _plan_line(citation: dict[str, Any], plans: dict[str, PlanRef]) -> str:
    plan = plans.get(citation.get("plan_id", ""))
    label = plan.number_and_date() if plan else f"Kế hoạch của tỉnh {citation.get('province', '')}"
    section = citation.get("section") or ""
    return f"{label}" + (f" — {section}" if section else "")


def _flat(text: str) -> str:
    return " ".join((text or "").split())


def conversation_markdown(
    answers: Sequence[dict[str, Any]], plans: Sequence[Any] = (), when: datetime | None = None
) -> str:
    refs = {p.id: p for p in (PlanRef.of(m) for m in plans)}
    when = when or datetime.now()
    lines = [f"# {TITLE}", "", f"Xuất lúc {when:%H:%M ngày %d/%m/%Y}.", ""]
    turns = _turns(answers)
    if not turns:
        return "\n".join([*lines, EMPTY, ""])
    for n, turn in enumerate(turns, start=1):
        lines += [f"## Câu hỏi {n}", "", _flat(turn["question"]), "", "**Trả lời:**", ""]
        lines += [line for line in (turn.get("answer") or "").splitlines()]
        citations = turn.get("citations") or []
        if citations:
            lines += ["", "**Nguồn trích dẫn:**", ""]
            for citation in citations:
                lines.append(f"[{citation.get('n', '')}] {_plan_line(citation, refs)}")
                lines.append(f"> {_flat(citation.get('quote', ''))}")
                lines.append("")
        lines.append("")
    return "\n".join(lines)


def conversation_docx(
    answers: Sequence[dict[str, Any]], plans: Sequence[Any] = (), when: datetime | None = None
) -> bytes:
    refs = {p.id: p for p in (PlanRef.of(m) for m in plans)}
    when = when or datetime.now()
    document = new_document(TITLE, [f"Xuất lúc {when:%H:%M ngày %d/%m/%Y}"])
    turns = _turns(answers)
    if not turns:
        document.add_paragraph(EMPTY)
    for n, turn in enumerate(turns, start=1):
        add_heading(document, f"Câu hỏi {n}: {_flat(turn['question'])}")
        for line in (turn.get("answer") or "").splitlines():
            if line.strip():
                text = re.sub(r"^\s*[-•*]\s+", "• ", line)
                document.add_paragraph(text)
        citations = turn.get("citations") or []
        if citations:
            paragraph = document.add_paragraph()
            paragraph.add_run("Nguồn trích dẫn").bold = True
            for citation in citations:
                source = document.add_paragraph()
                source.add_run(f"[{citation.get('n', '')}] ").bold = True
                source.add_run(_plan_line(citation, refs))
                quote = document.add_paragraph()
                run = quote.add_run("“" + _flat(citation.get("quote", "")) + "”")
                run.italic = True
    return to_bytes(document)
