"""The documents a plan implements (its legal basis), each with its number, date, issuer and subject, cited; asked
of all plans, the first document every plan cites."""

from __future__ import annotations

from assistant.answer.draft import Citations, Draft
from assistant.answer.routes.base import Route
from assistant.answer.words import lines
from assistant.facts.model import Fact


def document_line(fact: Fact, cite: Citations) -> str:
    year, month, day = fact.doc_date.split("-")
    about = f", {fact.subject}" if fact.subject else ""
    return (
        f"{fact.doc_type} số {fact.doc_number} ngày {int(day):02d}/{int(month)}/{year} của {fact.issuer}"
        f"{about} {cite.fact(fact)}"
    )


class LegalBasis(Route):
    name = "legal_basis"
    templates = {
        "vi": {"basis": "Kế hoạch của {province} căn cứ:"},
        "en": {"basis": "The {province} plan is based on:"},
    }

    def score(self, frame, ctx, search) -> float:
        return 0.8 if frame.asked == "legal_basis" else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        cite = ctx.citations()
        items, used = [], []
        for province in ctx.scope(frame):
            rows = ctx.select("legal_basis", [province])
            if frame.subject.excluded_documents:  # "ngoài QĐ 348, … còn căn cứ những văn bản nào?"
                from assistant.answer.routes.document_facts import same_document

                rows = [
                    r for r in rows if not any(same_document(d, r.doc_number) for d in frame.subject.excluded_documents)
                ]
            if not frame.provinces:  # all plans: the decisions every plan cites first
                rows = rows[:1]
            used.extend(rows)
            items.append(lines(self.t(frame, "basis", province=province), [document_line(f, cite) for f in rows]))
        status = "answered" if used else "not_found"
        return Draft("\n".join(items), status, "facts", cite.items, used, states="legal_basis")


ROUTE = LegalBasis()
