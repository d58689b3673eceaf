"""A DRF Response that carries the envelope's optional `message` and `meta`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rest_framework.response import Response


class ApiResponse(Response):
    """`ApiResponse(data, message="Logged out")` renders as the success envelope."""

    def __init__(
        self,
        data: Any = None,
        status: int | None = None,
        *,
        message: str | None = None,
        meta: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(data, status=status, headers=headers)
        self.message = message
        self.meta = meta


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with `Z`, to the second (API_CONVENTIONS.md)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
