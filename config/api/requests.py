"""Request types for views behind IsAuthenticated (mypy: `request.user` is a User there)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.request import Request

if TYPE_CHECKING:
    from accounts.models import User


class AuthenticatedRequest(Request):
    user: User
