"""Bounded admission of answers: a fixed number are computed at once, a bounded number wait their turn for a
bounded time (first come, first served), and the rest are refused at once, so accepted answers keep their latency.

The engine takes a slot for each answer (:meth:`AnswerGate.slot`); :class:`Overloaded` (one sentence, with the
seconds to wait) becomes 503 with ``Retry-After`` in the API and a message on the chat page.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from assistant.errors import AssistantError

RETRY_AFTER_S = 1


class Overloaded(AssistantError):
    """Too many questions are waiting; ``retry_after`` is the suggested wait in seconds."""

    def __init__(self, message: str, retry_after: int = RETRY_AFTER_S) -> None:
        super().__init__(message)
        self.retry_after = retry_after


BUSY = "Trợ lý đang trả lời quá nhiều câu hỏi cùng lúc; hãy thử lại sau {seconds} giây."


class AnswerGate:
    """``workers`` answers at once; up to ``queue`` more wait at most ``wait_s`` seconds each, in order."""

    def __init__(self, workers: int, queue: int, wait_s: float) -> None:
        self.workers = max(1, workers)
        self.queue = max(0, queue)
        self.wait_s = wait_s
        self._lock = threading.Lock()
        self._running = 0
        self._waiting: deque[threading.Event] = deque()
        self.refused = 0

    @property
    def full(self) -> bool:
        """True when a new question would be refused at once (no free worker and no room to wait)."""
        with self._lock:
            return self._running >= self.workers and len(self._waiting) >= self.queue

    def load(self) -> tuple[int, int]:
        """(answers running, answers waiting)."""
        with self._lock:
            return self._running, len(self._waiting)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one worker while the block runs; :class:`Overloaded` when none is free in time."""
        self._acquire()
        try:
            yield
        finally:
            self._release()

    def _acquire(self) -> None:
        with self._lock:
            if self._running < self.workers and not self._waiting:
                self._running += 1
                return
            if len(self._waiting) >= self.queue:
                self.refused += 1
                raise Overloaded(BUSY.format(seconds=RETRY_AFTER_S))
            turn = threading.Event()
            self._waiting.append(turn)
        deadline = time.monotonic() + self.wait_s
        if turn.wait(max(0.0, deadline - time.monotonic())):
            return  # a finishing answer handed its worker over
        with self._lock:
            if turn.is_set():
                return  # handed over just as the wait ran out
            self._waiting.remove(turn)
            self.refused += 1
        raise Overloaded(BUSY.format(seconds=RETRY_AFTER_S))

    def _release(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()  # the worker passes to the first in line; _running is unchanged
            else:
                self._running -= 1
