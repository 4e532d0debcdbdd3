"""Where each plan in scope mentions a document the question names by number ("which plans cite 951/QĐ-BTTTT?"):
the sentence is quoted, and the plans that do not cite it are named."""

from __future__ import annotations

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.answer.words import lines, sentence_around
from assistant.domain.normalize import collapse_spaces


def other_documents(frame, ctx) -> list[str]:
    """Document numbers in the question (in full) other than the plans' own numbers."""
    from assistant.answer.routes.document_facts import named_documents

    return named_documents(frame, ctx)


class CitedDocuments(Route):
    name = "cited_documents"
    templates = {
        "vi": {"not_cited": "Kế hoạch của {provinces} không nhắc đến {numbers}."},
        "en": {"not_cited": "The plans of {provinces} do not mention {numbers}."},
    }

    def score(self, frame, ctx, search) -> float:
        if not other_documents(frame, ctx):
            return 0.0
        if frame.asked in {None, "plan_number", "signer", "legal_basis", "documents_cited"} or frame.aggregate:
            return 0.9
        return 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        numbers = other_documents(frame, ctx)
        cite = ctx.citations()
        from assistant.answer.routes.document_facts import document_regex

        patterns = [document_regex(n) for n in numbers]  # "951/QD-BTTTT" unmarked, "1628" in part, a law's title
        items, missing = [], []
        for province in ctx.scope(frame):
            plan = ctx.plan_of[province]
            folded = ctx.folded_text(plan)
            match = next((m for pattern in patterns if (m := pattern.search(folded))), None)
            if match is None:
                missing.append(province)
                continue
            start, end = sentence_around(plan.text, match.start(), match.end())
            section = next((b.section for b in plan.structure.blocks if b.start <= start < b.end), "")
            quote = collapse_spaces(plan.text[start:end]).lstrip("-–+• ")
            items.append(f"{province}: {quote} {cite.cite(plan.id, start, end, section)}")
        if not items:
            return None
        if missing and len(ctx.scope(frame)) > 1:
            items.append(self.t(frame, "not_cited", provinces=", ".join(missing), numbers=", ".join(numbers)))
        text = lines("", items) if len(items) > 1 else items[0]
        return Draft(text, "answered", "passages", cite.items, [], states="documents_cited")


ROUTE = CitedDocuments()
