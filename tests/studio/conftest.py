"""Fixtures for the generation endpoints: scratch and storage folders of the test's own."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest


@pytest.fixture(autouse=True)
def _media_settings(settings, tmp_path):
    settings.JOB_WORKDIR = tmp_path / "jobs"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOB_PROGRESS_EVENT_INTERVAL = 0.0


def fetch(client: Any, url: str) -> Any:
    """GET a signed URL (absolute, as the API gives it) through the test client."""
    parts = urlsplit(url)
    response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert response.status_code == 200, (url, response.status_code)
    return response


def body_bytes(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
