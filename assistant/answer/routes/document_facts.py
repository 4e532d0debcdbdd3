"""A document the question names (by number, in full or in part: "KH 2317", "Quyết định 781/QĐ-BTTTT", or "văn
bản đó" in a follow-up): its date, issuer and subject from the plans' legal-basis facts, with the plans that cite
it and those that do not."""

from __future__ import annotations

import re

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.answer.routes.legal_basis import document_line
from assistant.answer.words import document_pattern, lines
from assistant.domain.normalize import fold

# its date, its issuer, what it is: the document's own facts ("để làm gì", "nói gì": where the plan uses it, see
# cited_documents)
ASKED = {"plan_number", "legal_basis", "time_frame", "documents_cited"}
TASK_WORDS_RE = re.compile(r"\bnhiem vu\b|\btask\b")


def document_regex(document: str) -> re.Pattern:
    """The folded pattern of a document as plans write it: a number (in full or its first part, "1628" →
    "1628/…"), or a title ("Luật Báo chí")."""
    if document[:1].isdigit():
        return document_pattern(fold(document) if "/" in document else f"{document}/")
    return re.compile(r"\b" + r"\s+".join(re.escape(w) for w in fold(document).split()) + r"\b")


def same_document(asked: str, number: str) -> bool:
    """ "2317" (a number typed in part) or "951/QD-BTTTT" (without marks) names "2317/KH-UBND", "951/QĐ-BTTTT"."""
    asked, number = fold(asked).replace(" ", ""), fold(number).replace(" ", "")
    return asked == number or ("/" not in asked and number.startswith(asked + "/"))


def named_documents(frame, ctx) -> list[str]:
    """Documents the question names that are not one of the plans themselves."""
    own = [p.meta.plan_number for p in ctx.corpus.plans if p.meta.plan_number]
    return [d for d in frame.subject.documents if not any(same_document(d, n) for n in own)]


class DocumentFacts(Route):
    name = "document_facts"
    templates = {
        "vi": {"not_cited": "Kế hoạch của {provinces} không dẫn văn bản này."},
        "en": {"not_cited": "The plans of {provinces} do not cite this document."},
    }

    def _rows(self, frame, ctx):
        documents = named_documents(frame, ctx)
        rows = ctx.select("legal_basis", ctx.scope(frame))
        return [f for f in rows if any(same_document(d, f.doc_number) for d in documents)]

    def score(self, frame, ctx, search) -> float:
        if frame.asked not in ASKED or not named_documents(frame, ctx):
            return 0.0
        if frame.asked == "time_frame" and (frame.task_number or TASK_WORDS_RE.search(frame.folded)):
            return 0.0  # "nhiệm vụ … theo QĐ 362 có thời gian thế nào?": the task's time frame, not the document's date
        return 0.93 if self._rows(frame, ctx) else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        rows = self._rows(frame, ctx)
        if not rows:
            return None
        cite = ctx.citations()
        items = [f"{f.province}: {document_line(f, cite)}" for f in rows]
        citing = {f.province for f in rows}
        missing = [p for p in ctx.scope(frame) if p not in citing]
        if missing and len(ctx.scope(frame)) > 1:
            items.append(self.t(frame, "not_cited", provinces=", ".join(missing)))
        text = items[0] if len(items) == 1 else lines("", items)
        return Draft(text, "answered", "facts", cite.items, rows, states="documents_cited")


ROUTE = DocumentFacts()
