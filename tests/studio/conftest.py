"""What the generation tests share: fetching a signed URL and reading what it serves."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


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
