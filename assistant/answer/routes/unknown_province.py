"""A province outside the corpus: say so and list the provinces the corpus covers, never another's figures."""

from __future__ import annotations

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route


class UnknownProvince(Route):
    name = "unknown_province"
    templates = {
        "vi": {
            "unknown_province": "Kho văn bản chưa có kế hoạch chuyển đổi số báo chí của {unknown}, nên tôi không thể "
            "trả lời. Hiện có kế hoạch của: {provinces}."
        },
        "en": {
            "unknown_province": "The corpus has no press digital-transformation plan for {unknown}, so I cannot "
            "answer. Plans available: {provinces}."
        },
    }

    def score(self, frame, ctx, search) -> float:
        return 1.0 if frame.scope.unknown_provinces and not frame.provinces else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        unknown = ", ".join(frame.scope.unknown_provinces)
        return Draft(
            self.t(frame, "unknown_province", unknown=unknown, provinces=", ".join(ctx.provinces)), "not_found", "none"
        )


ROUTE = UnknownProvince()
