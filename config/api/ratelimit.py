"""Rate-limit counting in the shared cache, for the per-plan limits and the endpoints' own.

django-ratelimit keeps the counters (atomic increments in Redis in production), so every
server process shares one count. Which rate applies to whom is the accounts app's (plans):
its middleware (accounts.middleware.RateLimitMiddleware) counts every API request here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

# Probed by load balancers and scraped by Prometheus every few seconds: never counted.
EXEMPT_PATHS = ("/api/v1/health", "/api/v1/metrics/prometheus")


@dataclass(frozen=True)
class Usage:
    limit: int
    remaining: int
    reset: int
    limited: bool

    @property
    def retry_after(self) -> int:
        return max(1, self.reset - int(time.time()))


def consume(request: HttpRequest, *, group: str, key: str, rate: str) -> Usage:
    """Count one request against `rate` (e.g. "100/h") for `key` within `group`."""
    usage = get_usage(
        request, group=group, key=lambda _group, _request: key, rate=rate, increment=True
    )
    if usage is None:  # rate limiting disabled
        limit = int(rate.split("/", 1)[0])
        return Usage(limit=limit, remaining=limit, reset=int(time.time()), limited=False)
    return Usage(
        limit=usage["limit"],
        remaining=max(0, usage["limit"] - usage["count"]),
        reset=int(time.time()) + int(usage["time_left"]),
        limited=usage["should_limit"],
    )


def client_ip(request: HttpRequest) -> str:
    header = settings.RATELIMIT_IP_HEADER
    if header:
        forwarded = request.headers.get(header, "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "unknown")
