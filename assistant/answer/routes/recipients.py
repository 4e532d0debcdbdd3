"""Who a plan is sent to ("Nơi nhận"): the recipients block quoted; being a recipient is not a duty."""

from __future__ import annotations

import re

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.domain.normalize import collapse_spaces

RECIPIENTS_RE = re.compile(
    r"noi nhan|gui (?:toi|den|cho|ve) (?:nhung |cac )?(?:co quan|don vi|ai|noi)|gui cho ai|gui nhung ai"
    r"|\brecipients?\b|sent to|distributed to"
)


class Recipients(Route):
    name = "recipients"
    templates = {
        "vi": {"recipients": "Kế hoạch của {province} được gửi tới (Nơi nhận): {quote} {marker}"},
        "en": {"recipients": "The {province} plan is sent to (recipients): {quote} {marker}"},
    }

    def score(self, frame, ctx, search) -> float:
        about_reports = frame.asked == "reporting_deadline" or re.search(r"bao cao|report", frame.folded)
        return 0.88 if RECIPIENTS_RE.search(frame.folded) and not about_reports else 0.0

    def answer(self, frame, ctx, search) -> Draft | None:
        cite = ctx.citations()
        items = []
        for province in ctx.scope(frame):
            plan = ctx.plan_of[province]
            blocks = [b for b in plan.structure.blocks if b.section_kind == "recipients" and b.kind != "title"]
            if not blocks:
                continue
            start, end = blocks[0].start, blocks[-1].end
            quote = collapse_spaces(plan.text[start:end])
            marker = cite.cite(plan.id, start, end, "Nơi nhận")
            items.append(self.t(frame, "recipients", province=province, quote=quote, marker=marker))
        if not items:
            return None
        return Draft("\n".join(items), "answered", "passages", cite.items, [], states="passage")


ROUTE = Recipients()
