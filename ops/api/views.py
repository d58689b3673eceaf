"""The operators' endpoints: GET /health, /metrics, /logs and /metrics/prometheus."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from prometheus_client import CONTENT_TYPE_LATEST
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.views import IsPlatformAdmin
from config.api.errors import ErrorCode, ValidationFailed
from config.api.exceptions import error_body
from config.api.pagination import LogPagination
from config.api.responses import ApiResponse, iso
from ops import health, prometheus, selectors, services
from ops.api import serializers as s
from ops.choices import DEFAULT_TIME_RANGE, TIME_RANGES, Level, MetricType, Service
from ops.models import LogEntry

TIME_RANGE_PARAM = OpenApiParameter(
    "timeRange", str, enum=list(TIME_RANGES), description=f"Default {DEFAULT_TIME_RANGE}."
)


def _time_range(request: Request) -> str:
    value = request.query_params.get("time_range") or DEFAULT_TIME_RANGE
    if value not in TIME_RANGES:
        raise ValidationFailed.for_field("timeRange", f"Must be one of: {', '.join(TIME_RANGES)}.")
    return value


def _choice(request: Request, name: str, choices: list[str], aliases: dict[str, str]) -> str | None:
    value = request.query_params.get(name)
    if not value:
        return None
    value = aliases.get(value.lower(), value.lower())
    if value not in choices:
        raise ValidationFailed.for_field(name, f"Must be one of: {', '.join(choices)}.")
    return value


class HealthView(APIView):
    """Whether the platform can serve: 200 when every required part answers, 503 otherwise."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="health",
        summary="Health of the platform and its dependencies",
        tags=["system"],
        responses={200: s.HealthSerializer, 503: OpenApiResponse(description="Unhealthy")},
    )
    def get(self, request: Request) -> ApiResponse:
        checks, healthy = health.run_checks()
        data = {
            "status": health.HEALTHY if healthy else health.UNHEALTHY,
            "timestamp": iso(timezone.now()),
            "version": settings.VERSION,
            "checks": checks,
            "uptime": selectors.uptime_seconds(),
            "memory": selectors.memory(),
            "cpu": selectors.cpu(),
        }
        if healthy:
            return ApiResponse(data)
        failing = ", ".join(name for name, result in checks.items() if result == health.UNHEALTHY)
        body = error_body(ErrorCode.SERVICE_UNAVAILABLE, f"Unhealthy: {failing}", details=checks)
        return ApiResponse({**body, "data": data}, status=503)


class MetricsView(APIView):
    """GET /metrics: system, API, job and storage figures over a time range (admins)."""

    permission_classes = [IsAuthenticated, IsPlatformAdmin]

    @extend_schema(
        operation_id="metrics",
        summary="System metrics, counted across every process",
        tags=["system"],
        parameters=[
            OpenApiParameter(
                "type", str, enum=list(MetricType.values), description="Only this section."
            ),
            TIME_RANGE_PARAM,
        ],
        responses={200: s.MetricsSerializer},
    )
    def get(self, request: Request) -> ApiResponse:
        time_range = _time_range(request)
        wanted = _choice(request, "type", list(MetricType.values), {})
        services.logs_flush()  # what waits in the buffer counts too
        types = [wanted] if wanted else list(MetricType.values)
        now = timezone.now()
        data: dict[str, Any] = {"timestamp": iso(now), "time_range": time_range}
        data.update(
            selectors.metrics(types=types, since=selectors.window_start(time_range, now=now))
        )
        return ApiResponse(data)


class LogsView(GenericAPIView):
    """GET /logs: the platform's own log entries, newest first (admins)."""

    permission_classes = [IsAuthenticated, IsPlatformAdmin]
    serializer_class = s.LogEntrySerializer
    pagination_class = LogPagination
    queryset = LogEntry.objects.none()  # the schema's model

    @extend_schema(
        operation_id="logs",
        summary="The platform's log entries",
        tags=["system"],
        parameters=[
            OpenApiParameter("level", str, enum=list(Level.values)),
            OpenApiParameter("service", str, enum=list(Service.values)),
            OpenApiParameter(
                "requestId", str, description="Entries of one request (X-Request-Id)."
            ),
            TIME_RANGE_PARAM,
        ],
        responses={200: s.LogEntrySerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        time_range = _time_range(request)
        services.logs_flush()  # what waits in the buffer is listed too
        entries: QuerySet[LogEntry] = selectors.log_list(
            since=selectors.window_start(time_range),
            level=_choice(request, "level", list(Level.values), {"warning": Level.WARN}),
            service=_choice(request, "service", list(Service.values), {}),
            request_id=request.query_params.get("request_id") or None,
        )
        page = self.paginate_queryset(entries) or []
        return self.get_paginated_response(s.LogEntrySerializer(page, many=True).data)


def _trusted_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.is_loopback:
        return True
    return any(
        ip in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_NETWORKS
    )


class AdminOrTrustedNetwork(BasePermission):
    """An admin's bearer token from anywhere; without one, loopback and METRICS_ALLOWED_NETWORKS."""

    message = "Metrics are for administrators and the monitoring network"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if user is not None and user.is_authenticated:
            return bool(getattr(user, "is_platform_admin", False))
        return _trusted_address(request.META.get("REMOTE_ADDR", ""))


class PrometheusView(APIView):
    """GET /metrics/prometheus: the Prometheus text exposition of every process."""

    permission_classes = [AdminOrTrustedNetwork]

    @extend_schema(
        operation_id="metrics_prometheus",
        summary="Prometheus exposition (admin token, or loopback and allowed networks)",
        tags=["system"],
        responses={(200, "text/plain"): OpenApiTypes.STR},
    )
    def get(self, request: Request) -> HttpResponse:
        return HttpResponse(prometheus.exposition(), content_type=CONTENT_TYPE_LATEST)
