"""Writes of the operations app: log entries (requests and logged records) and their pruning."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from ops.choices import LEVEL_FOR_NUMBER, Level, Service
from ops.models import LogEntry
from ops.redaction import redact, redact_text

# Logger name prefixes to the service that wrote them (the first match wins).
SERVICE_FOR_LOGGER: tuple[tuple[str, str], ...] = (
    ("django.db", Service.DATABASE),
    ("psycopg", Service.DATABASE),
    ("config.db", Service.DATABASE),
    ("config.files", Service.STORAGE),
    ("storages", Service.STORAGE),
    ("botocore", Service.STORAGE),
    ("boto3", Service.STORAGE),
    ("media_pipeline", Service.AI),
    ("studio", Service.AI),
    ("moderation", Service.AI),
    ("jobs", Service.WORKER),
    ("celery", Service.WORKER),
    ("config.worker", Service.WORKER),
)

_writing = threading.local()


def service_for_logger(name: str) -> str:
    for prefix, service in SERVICE_FOR_LOGGER:
        if name == prefix or name.startswith(prefix + "."):
            return service
    return Service.API


def level_for_number(levelno: int) -> str:
    for threshold, level in LEVEL_FOR_NUMBER:
        if levelno >= threshold:
            return level
    return Level.DEBUG


def log_entry_create(
    *,
    level: str,
    service: str,
    message: str,
    request_id: str = "",
    user_id: str = "",
    method: str = "",
    endpoint: str = "",
    status: int | None = None,
    response_time_ms: float | None = None,
    details: dict[str, Any] | None = None,
) -> LogEntry | None:
    """Store one log entry, secrets masked; None when the database cannot take it now.

    Logging never breaks the work it records: a write that fails (the database is down, the
    caller's transaction is broken) is dropped, and nothing it raises reaches the caller.
    """
    if getattr(_writing, "active", False):
        return None  # a log record raised while storing a log record
    if connection.in_atomic_block and connection.needs_rollback:
        return None
    _writing.active = True
    try:
        return LogEntry.objects.create(
            level=level,
            service=service,
            message=redact_text(message)[:1000],
            request_id=request_id[:64],
            user_id=user_id,
            method=method,
            endpoint=endpoint[:200],
            status=status,
            response_time_ms=response_time_ms,
            details=redact(details or {}),
        )
    except DatabaseError:
        return None
    finally:
        _writing.active = False


def request_record(
    *,
    request_id: str,
    user_id: str,
    method: str,
    endpoint: str,
    path: str,
    status: int,
    response_time_ms: float,
) -> LogEntry | None:
    """Record one served API request (the row GET /logs lists and GET /metrics counts)."""
    level = Level.ERROR if status >= 500 else Level.WARN if status >= 400 else Level.INFO
    details: dict[str, Any] = {
        "requestId": request_id,
        "method": method,
        "endpoint": endpoint,
        "path": path,
        "status": status,
        "responseTime": round(response_time_ms, 1),
    }
    if user_id:
        details["userId"] = user_id
    return log_entry_create(
        level=level,
        service=Service.API,
        message="API request processed",
        request_id=request_id,
        user_id=user_id,
        method=method,
        endpoint=endpoint,
        status=status,
        response_time_ms=response_time_ms,
        details=details,
    )


def logs_prune(*, now: Any = None, dry_run: bool = False) -> int:
    """Delete entries older than OPS_LOG_RETENTION_DAYS; returns how many (would) go."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OPS_LOG_RETENTION_DAYS)
    old = LogEntry.objects.filter(timestamp__lt=cutoff)
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    return deleted
