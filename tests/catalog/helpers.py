"""Paths and small helpers of the catalog tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from catalog import view_buffer

TOPICS = "/api/v1/topics"
CATEGORIES = "/api/v1/categories"
IDEAS = "/api/v1/ideas"


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["data"]]


def error_fields(response) -> set[str]:
    body: dict[str, Any] = response.json()
    assert body["success"] is False
    return {item["field"] for item in body["error"]["details"]}


@pytest.fixture(autouse=True)
def _empty_view_buffer() -> Iterator[None]:
    """Buffered view counts (catalog.view_buffer) from one test never reach the next."""
    view_buffer.drain()
    yield
    view_buffer.drain()
