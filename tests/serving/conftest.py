"""Helpers of the serving tests: a test client of the whole server once its chat page is served."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

PAGE_TIMEOUT_S = 120.0


@contextmanager
def page_client(app: Any, **kwargs: Any) -> Iterator[TestClient]:
    """A started :class:`TestClient` of ``app`` once its chat page (built in the background) is served."""
    with TestClient(app, **kwargs) as client:
        assert app.state.page.wait(PAGE_TIMEOUT_S), "the chat page was not served"
        yield client
