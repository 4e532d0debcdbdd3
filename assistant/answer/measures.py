"""Whether facts give the measure a question asks: a count asked ("bao nhiêu người", "how many journalists") is
answered by a count, or, in Vietnamese, by a share of exactly what is counted ("bao nhiêu trang thông tin điện
tử … được nâng cấp?" — "50% trang thông tin điện tử …"); people are never counted by a share, and an English
"how many" is answered by any count of the indicator asked (its noun cannot be matched to the plan's Vietnamese
unit), never by a share."""

from __future__ import annotations

import re

from assistant.domain.normalize import fold
from assistant.facts.model import Fact
from assistant.understanding import QuestionFrame

# Counted nouns that are people or visits: a share of them is not their number.
PEOPLE = frozenset("nguoi phong bien nha can lanh sinh hoc luot doc dan".split())


def counted(frame: QuestionFrame) -> str | None:
    """The counted words of a count the question asks, if it asks one."""
    return next((c.words for c in frame.constraints if c.kind == "quantity" and c.value == "count"), None)


# Counted nouns that stand for any count ("bao nhiêu người" is answered by "60 cộng tác viên").
ANY_COUNT = frozenset("nguoi cai chiec don so luong".split())


def answers_count(frame: QuestionFrame, words: str, facts: list[Fact], evidence: str = "") -> bool:
    """Whether ``facts`` (or the folded ``evidence`` of quoted prose) give the count of ``words``: a count target
    of that noun ("bao nhiêu tập podcast": a target counted in "tập"), or of people when people are counted."""
    head = words.split()[0] if words else ""
    for fact in facts:
        if fact.kind != "target" or fact.unit in {"%", "named", ""}:
            continue
        unit = fold(fact.unit).split()
        if frame.language == "en":  # the English noun cannot be matched to the plan's Vietnamese unit: any count
            return True
        if head in ANY_COUNT or (unit and unit[0] == head) or head in fold(f"{fact.wording} {fact.quote}").split():
            return True
    if frame.language == "en" or head in PEOPLE:
        return False
    said = " ".join(fold(f"{f.wording} {f.quote}") for f in facts if f.kind == "target") + " " + evidence
    # a number of it ("03 cơ quan báo chí"), or a share of it ("20% số lượng tin, bài"); the word elsewhere in the
    # sentence ("… được đào tạo, tập huấn" for "bao nhiêu tập") counts nothing
    return bool(re.search(rf"\b\d+\s*%?\s+(?:[a-z]+,?\s+){{0,3}}{re.escape(head)}\b", said))
