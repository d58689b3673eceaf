"""Bearer-token authentication for the API."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework_simplejwt import authentication


class JWTAuthentication(authentication.JWTAuthentication):
    """simplejwt's authentication, reusing the result the rate-limit middleware already got."""

    def authenticate(self, request: Request):
        cached = getattr(request._request, "_jwt_auth", None)
        if cached is not None:
            return cached
        return super().authenticate(request)
