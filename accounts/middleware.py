"""Per-plan rate limits on every API request, with the `X-RateLimit-*` headers.

Authenticated clients are counted per user at their plan's rate; anonymous clients per IP
address at the free plan's rate. The counting itself is the shared API layer's
(config.api.ratelimit), which knows nothing of plans.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from rest_framework.exceptions import APIException
from rest_framework.request import Request

from accounts.authentication import JWTAuthentication
from accounts.plans import ANONYMOUS_LIMITS
from config.api.errors import ErrorCode
from config.api.exceptions import error_response
from config.api.ratelimit import EXEMPT_PATHS, Usage, client_ip, consume


def _authenticate_quietly(request: HttpRequest):
    """The caller's user from a valid bearer token, else None (the view reports bad tokens)."""
    try:
        result = JWTAuthentication().authenticate(Request(request))
    except APIException:
        return None
    request._jwt_auth = result  # type: ignore[attr-defined]
    return result[0] if result else None


def _per_minute(request: HttpRequest, user) -> Usage | None:
    """The user's per-minute count when it is past RATELIMIT_PER_MINUTE, else None."""
    if user is None or not settings.RATELIMIT_PER_MINUTE:
        return None
    usage = consume(
        request,
        group="api-minute",
        key=f"user:{user.pk}",
        rate=f"{settings.RATELIMIT_PER_MINUTE}/m",
    )
    return usage if usage.limited else None


class RateLimitMiddleware:
    """Count every API request and answer 429 RATE_LIMITED past the plan's hourly limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path.rstrip("/")
        if not settings.RATELIMIT_ENABLE or not path.startswith("/api/") or path in EXEMPT_PATHS:
            return self.get_response(request)
        user = _authenticate_quietly(request)
        if user is not None:
            limits, tier, key = user.limits, user.plan, f"user:{user.pk}"
        else:
            limits, tier, key = ANONYMOUS_LIMITS, "free", f"ip:{client_ip(request)}"
        usage = consume(request, group="api", key=key, rate=f"{limits.requests_per_hour}/h")
        minute = _per_minute(request, user)
        response: HttpResponse
        if minute is not None and not usage.limited:
            # The film job API's 100 requests a minute per user, alongside the hourly limit.
            response = error_response(
                ErrorCode.RATE_LIMITED,
                f"Rate limit of {minute.limit} requests per minute exceeded; "
                f"retry in {minute.retry_after} seconds",
            )
            response["Retry-After"] = str(minute.retry_after)
        elif usage.limited:
            response = error_response(
                ErrorCode.RATE_LIMITED,
                f"Rate limit of {usage.limit} requests per hour exceeded; "
                f"retry in {usage.retry_after} seconds",
            )
            response["Retry-After"] = str(usage.retry_after)
        else:
            response = self.get_response(request)
        response["X-RateLimit-Limit"] = str(usage.limit)
        response["X-RateLimit-Remaining"] = str(usage.remaining)
        response["X-RateLimit-Reset"] = str(usage.reset)
        response["X-RateLimit-Tier"] = tier
        return response
