"""Counts and logs every API request: one log-store row and one histogram observation."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty
from django_guid import get_guid

from ops import prometheus

_PARAM = re.compile(r"\(\?P<(\w+)>[^)]*\)")

# Not logged: probes (load balancers call /health every few seconds) and scrapes.
UNLOGGED = ("/api/v1/health", "/api/v1/metrics/prometheus")


def endpoint_of(request: HttpRequest) -> str:
    """The route that served the request, ids as `:name` (`/api/v1/jobs/:job_id`).

    Routes, not paths, so that per-endpoint counts do not grow with every id.
    """
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return "unmatched"
    route = _PARAM.sub(lambda m: ":" + m.group(1), match.route)
    route = route.replace("^", "").replace("/?$", "").replace("$", "")
    route = re.sub(r"<(?:\w+:)?(\w+)>", r":\1", route)
    return "/" + route.strip("/")


def user_id_of(request: HttpRequest) -> str:
    """The signed-in user's id, without loading a session nobody has read.

    DRF sets `request.user` to the token's user; an unevaluated lazy user (no view looked at
    it) is an anonymous request as far as the log is concerned.
    """
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        if user._wrapped is empty:  # type: ignore[attr-defined]
            return ""
        user = user._wrapped  # type: ignore[attr-defined]
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return str(user.pk)


class RequestMetricsMiddleware:
    """Times every /api/ request; records it in the log store and the Prometheus histogram.

    The write cost is one push to the shared cache per API request (ops.buffer; beat writes
    the entries in bulk), which is what makes GET /logs find a request by its id and GET
    /metrics count every process (docs/benchmarks.md, "Operations").
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if not path.startswith("/api/") or path.rstrip("/") in UNLOGGED:
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        endpoint = endpoint_of(request)
        prometheus.observe_request(
            method=request.method or "",
            route=endpoint,
            status=response.status_code,
            seconds=elapsed,
        )
        if settings.OPS_REQUEST_LOG:
            from ops import services

            services.request_record(
                request_id=get_guid() or response.get("X-Request-Id", ""),
                user_id=user_id_of(request),
                method=request.method or "",
                endpoint=endpoint,
                path=path,
                status=response.status_code,
                response_time_ms=elapsed * 1000,
            )
        return response
