"""An agency the plans in scope never mention (outside their list of recipients): say so, and name the agencies
that do have duties, instead of answering with another agency's duties, tasks or targets."""

from __future__ import annotations

from assistant.answer.draft import Draft
from assistant.answer.routes.base import Route
from assistant.domain.normalize import fold

NOT_ABOUT_AN_AGENCY = {"plan_number", "signer", "legal_basis", "documents_cited", "greeting", "outline"}


class UnassignedUnit(Route):
    name = "unassigned_unit"
    templates = {
        "vi": {
            "unassigned": "Kế hoạch của {province} không giao nhiệm vụ cho {unit}",
            "recipient_only": " ({unit} chỉ có tên trong phần Nơi nhận)",
            "assigned_units": ". Các đơn vị được giao nhiệm vụ trong phần tổ chức thực hiện: {units}.",
        },
        "en": {
            "unassigned": "The {province} plan assigns no duties to {unit}",
            "recipient_only": " ({unit} appears only in the list of recipients)",
            "assigned_units": ". Units with duties under its implementation part: {units}.",
        },
    }

    def score(self, frame, ctx, search) -> float:
        if frame.asked in NOT_ABOUT_AN_AGENCY or not frame.subject.units:
            return 0.0
        return 0.97 if self._absent_unit(frame, ctx) else 0.0

    def _absent_unit(self, frame, ctx) -> str | None:
        """The most specific named agency that no plan in scope mentions, in its body or its facts."""
        scope = ctx.scope(frame)
        for unit in sorted(frame.subject.units, key=len, reverse=True):
            if fold(unit).startswith(("cac ", "co quan", "don vi")):
                continue  # a group ("các cơ quan báo chí") is not one agency
            pattern = ctx.units.core_pattern(unit)
            in_body = any(pattern.search(ctx.body_text[ctx.plan_of[p].id]) for p in scope)
            in_facts = any(
                ctx.units.mentions(name, unit)
                for f in ctx.facts
                if f.province in scope
                for name in [*f.lead_units, *f.coordinating_units, f.responsible_unit, f.reporter, f.recipient, f.via]
                if name
            )
            if not in_body and not in_facts:
                return unit
        return None

    def answer(self, frame, ctx, search) -> Draft | None:
        unit = self._absent_unit(frame, ctx)
        if unit is None:
            return None
        pattern = ctx.units.core_pattern(unit)
        lines = []
        for province in ctx.scope(frame):
            line = self.t(frame, "unassigned", province=province, unit=unit)
            if pattern.search(ctx.recipients_text[ctx.plan_of[province].id]):
                line += self.t(frame, "recipient_only", unit=unit)
            assigned = [f.responsible_unit for f in ctx.select("responsibility", [province])]
            line += self.t(frame, "assigned_units", units=", ".join(assigned)) if assigned else "."
            lines.append(line)
        draft = Draft("\n".join(lines), "not_found", "none")
        draft.province = frame.provinces[0] if len(frame.provinces) == 1 else None
        return draft


ROUTE = UnassignedUnit()
