"""Follow-ups: a question that leaves out its province, attribute, indicator, year or task takes them from the
conversation so far ("còn năm 2030 thì sao?", "thế còn Lai Châu?", "ai phối hợp?")."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.understanding.frame import QuestionFrame

# "văn bản đó", "quyết định này", "that document": the document the conversation named
DOCUMENT_REFERENCE_RE = re.compile(
    r"(?:van ban|quyet dinh|nghi quyet|chi thi|thong tu|tai lieu) (?:do|nay|tren|ay)\b|(?:that|this|the same) "
    r"(?:document|decision)"
)
TASK_ATTRIBUTES = {"lead_units", "coordinating_units", "time_frame", "deliverable", "task_details"}
METADATA_ATTRIBUTES = {"plan_number", "signer", "legal_basis"}


# A question that asks for the year itself ("từ năm nào", "which year") keeps no year from the one before.
YEAR_ASKED_RE = re.compile(r"\bnam nao\b|\bwhich year|\bwhat year|\bin what year|\bwhen\b|\bkhi nao\b|\bbao gio\b")

def inherit(current: QuestionFrame, previous: QuestionFrame) -> QuestionFrame:
    """``current`` completed from ``previous`` (what it took is listed in ``inherited``)."""
    inherited: list[str] = []
    scope, subject = replace(current.scope), replace(current.subject)
    updates: dict = {}
    across = current.aggregate in {"highest", "lowest", "latest", "earliest", "which"}
    if not current.provinces and not current.scope.unknown_provinces and previous.provinces and not across:
        scope.provinces = previous.provinces
        inherited.append("province")
    elif current.aggregate in {"compare", "difference"} and current.provinces and previous.provinces:
        # "chênh lệch với Huế bao nhiêu?" after a question about Quảng Trị: both provinces
        scope.provinces = [*previous.provinces, *(p for p in current.provinces if p not in previous.provinces)]
        if scope.provinces != current.provinces:
            inherited.append("province")
    asked, aggregate = current.asked, current.aggregate
    previous_asks = previous.asked not in {"passage", "greeting", None}
    if previous_asks and (
        (asked is None and (current.follow_up or aggregate))
        or (asked in {"passage", "greeting"} and aggregate is None and current.follow_up)
    ):
        asked = previous.asked
        aggregate = aggregate or previous.aggregate
        inherited.append("attribute")
    if (
        previous.asked == "reporting_deadline"
        and asked != "reporting_deadline"
        and not current.task_number
        and (asked == "time_frame" or (asked in {"passage", None} and current.follow_up))
    ):
        asked = "reporting_deadline"  # "còn Thái Bình thì hạn mấy?" after a report question
        inherited.append("attribute")
    target_like = asked == "target_value" or (asked is None and aggregate is not None)
    if not current.indicators and previous.indicators and target_like:
        subject.indicators = previous.indicators
        asked = "target_value"
        inherited.append("indicator")
    elif not current.indicators and target_like and previous.asked == "target_value" and current.follow_up:
        # "Còn năm 2028 thì bao nhiêu tập?" after a target named by its own words ("chỉ tiêu podcast"): those words
        subject.words = f"{previous.topic} {current.topic or current.folded}"
        inherited.append("topic")
    if not current.years and previous.years and target_like and not YEAR_ASKED_RE.search(current.folded):
        scope.years = previous.years
        inherited.append("year")
    if not current.subject.documents and previous.subject.documents and DOCUMENT_REFERENCE_RE.search(current.folded):
        subject.documents = previous.subject.documents
        inherited.append("document")
    if current.task_number is None and (asked in TASK_ATTRIBUTES or asked in METADATA_ATTRIBUTES):
        if previous.task_number:
            subject.task_number = previous.task_number
            inherited.append("task")
        elif current.follow_up:
            subject.words = f"{previous.topic} {current.folded}"
            inherited.append("topic")
    if not inherited:
        return current
    updates.update(asked=asked, aggregate=aggregate, scope=scope, subject=subject, inherited=inherited)
    return replace(current, **updates)
