"""Greetings and thanks: a short reply that says what can be asked."""

from __future__ import annotations

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route


class Greeting(Route):
    name = "greeting"
    templates = {
        "vi": {
            "greeting": "Xin chào! Tôi trả lời câu hỏi về kế hoạch chuyển đổi số báo chí của các tỉnh {provinces}: "
            "chỉ tiêu theo năm, đơn vị chủ trì và phối hợp, thời hạn, trách nhiệm, kinh phí. "
            "Ví dụ: “Mục tiêu của {example} về tòa soạn hội tụ là bao nhiêu?”"
        },
        "en": {
            "greeting": "Hello! I answer questions about the press digital-transformation plans of {provinces}: yearly "
            "targets, lead and coordinating units, deadlines, responsibilities and funding. For example: "
            "“What is {example}'s target for converged newsrooms?”"
        },
    }

    def score(self, frame, ctx, search) -> float:
        return 1.0 if frame.asked == "greeting" else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        text = self.t(frame, "greeting", provinces=", ".join(ctx.provinces), example=ctx.provinces[0])
        return Draft(text, "not_found", "none")


ROUTE = Greeting()
