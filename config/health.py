"""GET /api/v1/health (StoryCore's shape): database, cache, broker, storage and workers."""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable

import psutil
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from config.api.errors import ErrorCode
from config.api.exceptions import error_body
from config.api.responses import ApiResponse, iso
from config.celery import app as celery_app
from config.worker import embedded_worker_alive

logger = logging.getLogger(__name__)
_STARTED = time.monotonic()
HEALTHY, UNHEALTHY = "healthy", "unhealthy"


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    key, value = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


def check_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def check_storage() -> None:
    if isinstance(default_storage, FileSystemStorage):
        root = default_storage.location
        os.makedirs(root, exist_ok=True)
        if not os.access(root, os.W_OK):
            raise RuntimeError(f"{root} is not writable")
    else:
        default_storage.exists("health/.probe")  # one authenticated request to the bucket


def check_workers() -> None:
    if settings.EMBEDDED_WORKER:
        if not embedded_worker_alive():
            raise RuntimeError("the embedded worker is not running")
        return
    if not celery_app.control.ping(timeout=1.0, limit=1):
        raise RuntimeError("no worker answered")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
    "workers": check_workers,
}


def run_checks() -> dict[str, str]:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:  # a failing dependency is reported, never raised
            logger.warning("Health check %s failed", name, exc_info=True)
            results[name] = UNHEALTHY
        else:
            results[name] = HEALTHY
    return results


class HealthView(APIView):
    """Whether the platform can serve: 200 when every dependency answers, 503 otherwise."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="health",
        summary="Health of the platform and its dependencies",
        tags=["system"],
        responses={
            200: inline_serializer(
                "Health",
                {
                    "status": serializers.ChoiceField(choices=[HEALTHY, UNHEALTHY]),
                    "timestamp": serializers.DateTimeField(),
                    "version": serializers.CharField(),
                    "checks": serializers.DictField(child=serializers.CharField()),
                    "uptime": serializers.IntegerField(help_text="Seconds."),
                    "memory": serializers.DictField(),
                    "cpu": serializers.DictField(),
                },
            )
        },
    )
    def get(self, request: Request) -> ApiResponse:
        checks = run_checks()
        healthy = all(result == HEALTHY for result in checks.values())
        memory = psutil.virtual_memory()
        data = {
            "status": HEALTHY if healthy else UNHEALTHY,
            "timestamp": iso(timezone.now()),
            "version": settings.VERSION,
            "checks": checks,
            "uptime": int(time.monotonic() - _STARTED),
            "memory": {
                "used": memory.used // 2**20,
                "total": memory.total // 2**20,
                "percentage": round(memory.percent, 1),
            },
            "cpu": {"usage": psutil.cpu_percent(interval=None), "cores": psutil.cpu_count()},
        }
        if healthy:
            return ApiResponse(data)
        failing = ", ".join(name for name, result in checks.items() if result != HEALTHY)
        body = error_body(ErrorCode.SERVICE_UNAVAILABLE, f"Unhealthy: {failing}", details=checks)
        return ApiResponse({**body, "data": data}, status=503)
