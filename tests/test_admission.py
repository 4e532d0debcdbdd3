"""The answer gate on its own: a fixed number run, a bounded number wait in order, the rest are refused at once."""

from __future__ import annotations

import threading

import pytest

from assistant.admission import AnswerGate, Overloaded


def _hold(gate: AnswerGate, entered: threading.Event, release: threading.Event, log: list, name: str) -> None:
    try:
        with gate.slot():
            log.append(name)
            entered.set()
            assert release.wait(10)
    except Overloaded:
        log.append(f"{name}:refused")
        entered.set()


def test_beyond_workers_and_queue_answers_are_refused_at_once() -> None:
    gate = AnswerGate(workers=1, queue=1, wait_s=10)
    release = threading.Event()
    log: list[str] = []
    first = threading.Event()
    running = threading.Thread(target=_hold, args=(gate, first, release, log, "a"))
    running.start()
    assert first.wait(5)
    second = threading.Event()
    waiting = threading.Thread(target=_hold, args=(gate, second, release, log, "b"))
    waiting.start()
    for _ in range(200):  # until "b" is in the queue
        if gate.load() == (1, 1):
            break
        threading.Event().wait(0.01)
    assert gate.load() == (1, 1) and gate.full
    with pytest.raises(Overloaded, match="thử lại sau 1 giây") as refused, gate.slot():
        pass
    assert refused.value.retry_after == 1 and gate.refused == 1
    release.set()
    running.join(5)
    waiting.join(5)
    assert log == ["a", "b"]  # the waiting answer got the worker when the first one finished
    assert gate.load() == (0, 0) and not gate.full


def test_a_wait_is_bounded() -> None:
    gate = AnswerGate(workers=1, queue=4, wait_s=0.05)
    release = threading.Event()
    entered = threading.Event()
    log: list[str] = []
    holder = threading.Thread(target=_hold, args=(gate, entered, release, log, "a"))
    holder.start()
    assert entered.wait(5)
    with pytest.raises(Overloaded), gate.slot():
        pass
    assert gate.load() == (1, 0)  # the one that gave up left the queue
    release.set()
    holder.join(5)
    with gate.slot():
        assert gate.load() == (1, 0)
    assert gate.load() == (0, 0)


def test_waiting_answers_are_served_in_order() -> None:
    gate = AnswerGate(workers=1, queue=5, wait_s=10)
    order: list[int] = []
    release = threading.Event()
    entered = threading.Event()
    holder = threading.Thread(target=_hold, args=(gate, entered, release, [], "hold"))
    holder.start()
    assert entered.wait(5)

    def ask(n: int) -> None:
        with gate.slot():
            order.append(n)

    threads = []
    for n in range(5):
        thread = threading.Thread(target=ask, args=(n,))
        thread.start()
        threads.append(thread)
        for _ in range(200):
            if gate.load()[1] == n + 1:
                break
            threading.Event().wait(0.01)
    release.set()
    for thread in [holder, *threads]:
        thread.join(5)
    assert order == [0, 1, 2, 3, 4]
