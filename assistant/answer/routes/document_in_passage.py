"""A number asked about something the plan says, not about the plan itself ("Về quy hoạch báo chí, Thái Bình tiếp
tục hoàn thành kế hoạch số mấy?"): the sentence that names the document is quoted."""

from __future__ import annotations

import re

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.answer.routes.passages import answer_passages
from assistant.answer.words import DOCUMENT_NUMBER_RE, content_words

METADATA_WORDS = frozenset(
    "ke hoach so may hieu ky ngay thang nam ban hanh nguoi van ban quyet dinh nghi quyet chi thi thong tu can cu "
    "nao gi theo cua ubnd uy ban nhan dan tinh thu tuong chinh phu chuyen doi bao chi trien khai thuc hien "
    "plan number date issued decision document based".split()
)


class DocumentInPassage(Route):
    name = "document_in_passage"

    def score(self, frame, ctx, search) -> float:
        if frame.asked not in {"plan_number", "legal_basis"} or search is None or frame.aggregate:
            return 0.0
        if re.search(r"ai ky|nguoi ky|\bky\b|sign", frame.topic or frame.folded):
            return 0.0
        return 0.92 if len(content_words(frame.folded, *frame.provinces) - METADATA_WORDS) >= 2 else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        draft = answer_passages(frame, ctx, search, require=DOCUMENT_NUMBER_RE)
        if draft is not None:  # the sentence that names the document: structural, not a loose match
            draft.states, draft.prose = "documents_cited", False
        return draft


ROUTE = DocumentInPassage()
