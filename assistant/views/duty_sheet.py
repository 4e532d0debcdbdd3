"""Duty sheet of one agency: the tasks it leads and coordinates, its duties under "Tổ chức thực hiện", and the
reporting deadlines it owes and receives, each with its time frame and the span it is quoted from.

A unit is named in any spelling the :class:`~assistant.domain.units.UnitMatcher` reads ("Sở TTTT", "Đài PT-TH tỉnh");
a fact names it when the matcher finds it in the fact's unit field. A unit is also given what a group that holds
it is given ("Các cơ quan báo chí" holds Báo Lai Châu, "Các sở, ban, ngành" the departments), marked as such;
the report the generic "các cơ quan, đơn vị" owe is owed by every unit the same plan gives something to.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from assistant.domain.normalize import fold
from assistant.domain.units import KNOWN_UNITS, PROVINCIAL_BODIES, UnitMatcher, canonical_unit
from assistant.facts.model import Fact, unit_names
from assistant.views.sources import PlanRef, Source

Role = Literal["lead", "coordinate", "duty", "report_owed", "report_received"]
ROLES: tuple[Role, ...] = ("lead", "coordinate", "duty", "report_owed", "report_received")
ROLE_LABELS: dict[Role, str] = {
    "lead": "Chủ trì nhiệm vụ",
    "coordinate": "Phối hợp thực hiện nhiệm vụ",
    "duty": "Trách nhiệm (Tổ chức thực hiện)",
    "report_owed": "Báo cáo phải gửi",
    "report_received": "Báo cáo nhận",
}
TIME_FRAME_WORDS = {
    "ongoing": "Thường xuyên",
    "after_guidance": "Sau khi có hướng dẫn",
    "on_request": "Khi có yêu cầu",
    "yearly": "Hằng năm",
}
NO_TIME_FRAME = "Không nêu thời hạn"
UNKNOWN_UNIT = "Không có đơn vị nào tên '{name}' trong các kế hoạch; hãy chọn một đơn vị trong danh sách tại /v1/units."
EMPTY_SHEET = "Các kế hoạch{scope} không giao nhiệm vụ, trách nhiệm hay hạn báo cáo nào cho {unit}."
COMMON_BODIES = frozenset({*KNOWN_UNITS, *PROVINCIAL_BODIES})
COMMON_HEADS = ("so ", "uy ban nhan dan", "cac ", "co quan", "don vi")
_GENERIC_RE = re.compile(r"^(?:cac )?(?:co quan|don vi)(?:,? (?:co quan|don vi|dia phuong))*(?: co)?(?: lien quan)?$")


@dataclass(frozen=True)
class DutyItem:
    """One line of a duty sheet: what the unit must do (or receives), by when, and where the plan says so."""

    role: Role
    plan_id: str
    province: str
    what: str
    time_frame: str  # as written, "Trước ngày 25/11 hằng năm", or NO_TIME_FRAME
    named_as: str  # how the plan names the unit (or the group that holds it)
    via_group: bool  # given to a group that holds the unit, not to the unit by name
    number: str = ""  # the task's number as written
    others: tuple[str, ...] = ()  # the task's other leads or partners; the report's other side
    fact_id: str = ""
    source: Source | None = None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    def to_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row["role_label"] = self.role_label
        row["others"] = list(self.others)
        return row


@dataclass
class DutySheet:
    """A unit's duty sheet across the plans (or one province's); ``message`` says why it is empty."""

    unit: str
    asked: str
    province: str | None
    plans: list[PlanRef]
    items: list[DutyItem] = field(default_factory=list)
    message: str = ""

    def counts(self) -> dict[str, int]:
        return {role: sum(1 for i in self.items if i.role == role) for role in ROLES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "asked": self.asked,
            "province": self.province,
            "plans": [p.to_dict() for p in self.plans],
            "counts": self.counts(),
            "items": [i.to_dict() for i in self.items],
            "message": self.message,
        }


class UnknownUnit(LookupError):
    """The text names no unit the matcher knows; ``str()`` is one Vietnamese sentence."""


class DutyIndex:
    """Duty sheets over one facts list: built once (fields folded once), asked many times."""

    KINDS = ("task", "responsibility", "reporting_deadline")

    def __init__(self, facts: list[Fact], plans: list[Any]) -> None:
        self.facts = [f for f in facts if f.kind in self.KINDS]
        self.plans = {p.id: p for p in (PlanRef.of(m) for m in plans)}
        self.matcher = UnitMatcher(unit_names(facts))
        self._folded: dict[str, str] = {}
        self._named: dict[str, list[str]] = {}
        self._all = facts
        self._homes: dict[str, set[str]] = {}
        self._units: list[dict[str, Any]] | None = None
        self._verdicts: dict[tuple[str, str, str], tuple[bool, bool]] = {}

    # -- which unit ----------------------------------------------------------------------------------
    def resolve(self, text: str) -> str:
        """The canonical unit ``text`` names, else :class:`UnknownUnit`."""
        asked = " ".join((text or "").split())
        if not asked:
            raise UnknownUnit(UNKNOWN_UNIT.format(name=asked))
        exact = canonical_unit(asked)
        if exact in self.matcher.names:
            return exact
        named = self.matcher.named_one(asked)
        if named is None:
            raise UnknownUnit(UNKNOWN_UNIT.format(name=asked[:60]))
        return named

    def units(self) -> list[dict[str, Any]]:
        """The units the facts name, each with its provinces and the number of lines of its sheet; groups ("Các cơ
        quan báo chí") once under their shortest spelling, the generic "cơ quan, đơn vị liên quan" left out."""
        out: list[dict[str, Any]] = []
        seen: set[tuple[str, ...]] = set()
        if self._units is not None:
            return self._units
        names = sorted(unit_names(self._all), key=lambda n: (len(n), fold(n)))
        for name in names:
            key = tuple(_words(name))
            cut = any(other.startswith(name + " và ") for other in names)  # "Đài Phát thanh" of "… và Truyền hình"
            if key in seen or cut or _GENERIC_RE.match(fold(canonical_unit(name))):
                continue
            seen.add(key)
            sheet = self.sheet(name)
            if sheet.items:
                provinces = sorted({i.province for i in sheet.items}, key=fold)
                group = fold(name).startswith(("cac ", "co quan chu quan"))
                out.append({"name": name, "group": group, "provinces": provinces, "items": len(sheet.items)})
        self._units = sorted(out, key=lambda u: (u["group"], fold(u["name"])))
        return self._units

    # -- the sheet -----------------------------------------------------------------------------------
    def sheet(self, asked: str, province: str | None = None) -> DutySheet:
        """The duty sheet of the unit ``asked`` names (``province``: that province's plan only)."""
        unit = self.resolve(asked)
        wanted = fold(province) if province else None
        facts = [f for f in self.facts if wanted is None or fold(f.province) == wanted]
        items: list[DutyItem] = []
        for fact in facts:
            items += self._items(fact, unit)
        given = {i.plan_id for i in items}  # the plans that give the unit something: it takes part in them
        items += [i for f in facts for i in self._generic_reports(f, unit) if f.plan_id in given]
        order = {plan_id: n for n, plan_id in enumerate(self.plans)}
        items.sort(key=lambda i: (order.get(i.plan_id, 99), ROLES.index(i.role), _number_key(i.number), i.fact_id))
        plan_ids = [p for p in self.plans if any(i.plan_id == p for i in items)]
        if not plan_ids and wanted is not None:
            plan_ids = [p.id for p in self.plans.values() if fold(p.province) == wanted]
        sheet = DutySheet(unit, asked, province, [self.plans[p] for p in plan_ids], items)
        if not items:
            scope = f" của {province}" if province else ""
            if wanted is not None and not any(fold(p.province) == wanted for p in self.plans.values()):
                sheet.message = f"Kho văn bản chưa có kế hoạch của {province}, nên không có nhiệm vụ nào của {unit}."
            else:
                sheet.message = EMPTY_SHEET.format(scope=scope, unit=unit)
        return sheet

    def _names(self, text: str, unit: str, province: str = "") -> tuple[bool, bool]:
        """(names the unit, names a group holding it) for one unit field of a fact of ``province``.

        A longer name the field gives hides the unit inside it ("Ủy ban nhân dân các huyện" is not "Ủy ban nhân dân
        tỉnh"), unless what it adds is the province's own name ("Đài Phát thanh và Truyền hình Thái Bình")."""
        if not text:
            return False, False
        key = (text, unit, province)
        if key not in self._verdicts:
            self._verdicts[key] = self._judge(text, unit, province)
        return self._verdicts[key]

    def _judge(self, text: str, unit: str, province: str) -> tuple[bool, bool]:
        folded = self._fold(text)
        if self.matcher.mentions(folded, unit, folded=True):
            named = self._named.get(text)
            if named is None:
                named = self._named[text] = self.matcher.named(text)
            place = set(_words(province))
            hiding = [n for n in named if n != unit and self.matcher.mentions(n, unit)]
            if unit in named or all(set(_words(n)) - set(_words(unit)) <= place for n in hiding):
                return True, False
        return False, "chu quan" not in folded and self.matcher.member_of(unit, text)

    def _fold(self, text: str) -> str:
        folded = self._folded.get(text)
        if folded is None:
            folded = self._folded[text] = UnitMatcher.folded(text)
        return folded

    def home(self, unit: str) -> set[str] | None:
        """The plans a unit with a name of its own ("Báo Lai Châu", "Tạp chí Cửa Việt") belongs to: those naming it
        anywhere (a target's agencies included). None for a body every province has ("Sở Tài chính", "Đài Phát
        thanh và Truyền hình tỉnh"): it belongs to every plan."""
        folded = fold(unit)
        if unit in COMMON_BODIES or folded.startswith(COMMON_HEADS) or folded.endswith(" tinh") or " tinh " in folded:
            return None
        if unit not in self._homes:
            plans = set()
            for fact in self._all:
                fields = [*fact.lead_units, *fact.coordinating_units, fact.responsible_unit, fact.reporter]
                fields += [fact.recipient, fact.via, *fact.qualifiers.get("agencies", [])]
                if fact.kind == "target" and fact.unit == "named":
                    fields.append(fact.value_text)
                if any(f and self.matcher.mentions(self._fold(f), unit, folded=True) for f in fields):
                    plans.add(fact.plan_id)
            self._homes[unit] = plans
        return self._homes[unit]

    def _items(self, fact: Fact, unit: str) -> list[DutyItem]:
        items = self._direct_or_group(fact, unit)
        home = self.home(unit) if any(i.via_group for i in items) else None
        return [i for i in items if not i.via_group or home is None or fact.plan_id in home]

    def _direct_or_group(self, fact: Fact, unit: str) -> list[DutyItem]:
        if fact.kind == "task":
            return self._task_items(fact, unit)
        if fact.kind == "responsibility":
            direct, group = self._names(fact.responsible_unit, unit, fact.province)
            if not (direct or group):
                return []
            return [self._item("duty", fact, fact.duties.strip(), NO_TIME_FRAME, fact.unit_original, group)]
        return self._report_items(fact, unit)

    def _task_items(self, fact: Fact, unit: str) -> list[DutyItem]:
        items = []
        for role, names in (("lead", fact.lead_units), ("coordinate", fact.coordinating_units)):
            for name in names:
                direct, group = self._names(name, unit, fact.province)
                if direct or group:
                    others = tuple(n for n in [*fact.lead_units, *fact.coordinating_units] if n != name)
                    what = f"Nhiệm vụ {fact.number}: {fact.content}".strip() if fact.number else fact.content
                    items.append(
                        self._item(role, fact, what, _task_time(fact), name, group, number=fact.number, others=others)
                    )
                    break
        if any(i.role == "lead" and not i.via_group for i in items):  # leading it by name says more than a group
            items = [i for i in items if i.role == "lead"]
        return items[:1] if len(items) > 1 and all(i.via_group for i in items) else items

    def _report_items(self, fact: Fact, unit: str) -> list[DutyItem]:
        when = _report_time(fact)
        items = []
        direct, group = self._names(fact.reporter, unit, fact.province)
        if direct or group:
            what = f"Báo cáo kết quả thực hiện gửi {fact.recipient}" + (f" (qua {fact.via})" if fact.via else "")
            items.append(self._item("report_owed", fact, what, when, fact.reporter, group, others=(fact.recipient,)))
        for field_name in ("recipient", "via"):
            name = getattr(fact, field_name)
            direct, _ = self._names(name, unit, fact.province)
            if direct:
                what = f"Nhận báo cáo của {fact.reporter}"
                if field_name == "via":
                    what += f" gửi {fact.recipient}"
                if fact.forward_to:
                    what += f", để tổng hợp, báo cáo {fact.forward_to}"
                items.append(self._item("report_received", fact, what, when, name, False, others=(fact.reporter,)))
                break
        return items

    def _generic_reports(self, fact: Fact, unit: str) -> list[DutyItem]:
        """A report the generic "các cơ quan, đơn vị" owe: every unit the same plan gives something to owes it."""
        if fact.kind != "reporting_deadline" or not _GENERIC_RE.match(fold(canonical_unit(fact.reporter))):
            return []
        if any(self._names(getattr(fact, n), unit, fact.province)[0] for n in ("reporter", "recipient", "via")):
            return []
        what = f"Báo cáo kết quả thực hiện gửi {fact.recipient}" + (f" (qua {fact.via})" if fact.via else "")
        when = _report_time(fact)
        return [self._item("report_owed", fact, what, when, fact.reporter, True, others=(fact.recipient,))]

    @staticmethod
    def _item(
        role: Role,
        fact: Fact,
        what: str,
        when: str,
        named_as: str,
        via_group: bool,
        number: str = "",
        others: tuple[str, ...] = (),
    ) -> DutyItem:
        return DutyItem(
            role=role,
            plan_id=fact.plan_id,
            province=fact.province,
            what=" ".join(what.split()) if role != "duty" else what,
            time_frame=when,
            named_as=named_as,
            via_group=via_group,
            number=number,
            others=others,
            fact_id=fact.id,
            source=Source.of(fact),
        )


def _task_time(fact: Fact) -> str:
    if fact.time_frame.strip():
        return " ".join(fact.time_frame.split())
    return TIME_FRAME_WORDS.get(fact.time_frame_kind, NO_TIME_FRAME)


def _report_time(fact: Fact) -> str:
    if fact.day and fact.month:
        when = f"Trước ngày {fact.day:02d}/{fact.month:02d}"
        return when + (f" {fact.recurrence}" if fact.recurrence else "")
    return NO_TIME_FRAME


def _number_key(number: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[.,]", number)) if number else (999,)


def _words(name: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", fold(canonical_unit(name))) if w not in {"va", "cua", "tinh", "cac"}]
