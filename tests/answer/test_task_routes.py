"""Task routes on a hand-built appendix: a task's units, the count of tasks, the tasks filtered by time frame."""

from __future__ import annotations

import pytest

from assistant.answer import addressing
from assistant.answer.routes import task_count, task_list, tasks
from assistant.understanding import QuestionReader
from tests.answer.plans import tasks_context


@pytest.fixture(scope="module")
def ctx():
    return tasks_context()


@pytest.fixture(scope="module")
def reader(ctx):
    return QuestionReader(["Nghệ An"], unit_names=ctx.unit_names)


def test_the_lead_of_a_task_named_by_its_words(ctx, reader) -> None:
    frame = reader.run("Ai chủ trì nhiệm vụ đào tạo kỹ năng số cho phóng viên ở Nghệ An?")
    draft = tasks.ROUTE.answer(frame, ctx, None)
    assert draft.text.startswith("Nhiệm vụ 2") and "đơn vị chủ trì: Các cơ quan báo chí" in draft.text
    assert addressing.check(frame, draft, ctx).addressed


def test_a_task_number_the_appendix_lacks_is_said_so(ctx, reader) -> None:
    draft = tasks.ROUTE.answer(reader.run("Ai chủ trì nhiệm vụ 7 của Nghệ An?"), ctx, None)
    assert draft.status == "not_found" and "1, 2, 3" in draft.text


def test_the_count_of_tasks_is_computed_from_the_rows(ctx, reader) -> None:
    frame = reader.run("Phụ lục của Nghệ An có bao nhiêu nhiệm vụ?")
    draft = task_count.ROUTE.answer(frame, ctx, None)
    assert "có 3 nhiệm vụ" in draft.text and draft.computed[0][:2] == ("count", 3.0)
    assert addressing.check(frame, draft, ctx).addressed


def test_tasks_filtered_by_their_time_frame(ctx, reader) -> None:
    frame = reader.run("Những nhiệm vụ nào trong phụ lục của Nghệ An có thời gian thực hiện thường xuyên?")
    assert frame.asked == "task_list"
    draft = task_list.ROUTE.answer(frame, ctx, None)
    assert "Nhiệm vụ 2" in draft.text and "Nhiệm vụ 1" not in draft.text and "Nhiệm vụ 3" not in draft.text
