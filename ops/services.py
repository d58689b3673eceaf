"""Writes of the operations app: log entries (requests and logged records) and their pruning."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from ops import buffer
from ops.choices import LEVEL_FOR_NUMBER, Level, Service
from ops.models import LogEntry
from ops.redaction import redact, redact_text

# Never stored (ops.logs skips "ops"): a failing buffer must not log into itself.
logger = logging.getLogger(__name__)

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
    masked: bool = False,
) -> None:
    """Queue one log entry for the store, secrets masked (written by `logs_flush`).

    `masked`: the caller built message and details from values that hold no secret (the
    request record: fixed words, a route, a status), so the masking pass is skipped.
    Logging never breaks the work it records: an entry the buffer cannot take is dropped.
    """
    entry = {
        "timestamp": timezone.now().isoformat(),
        "level": level,
        "service": service,
        "message": (message if masked else redact_text(message))[:1000],
        "request_id": request_id[:64],
        "user_id": user_id,
        "method": method,
        "endpoint": endpoint[:200],
        "status": status,
        "response_time_ms": response_time_ms,
        "details": (details or {}) if masked else redact(details or {}),
    }
    try:
        buffer.push(entry)
    except Exception:  # the cache is down: the entry is lost, the request is not
        logger.debug("Log entry dropped: the buffer is unavailable", exc_info=True)


def logs_flush(*, batch: int = 1000) -> int:
    """Write the buffered entries to the store in bulk; returns how many were written."""
    written = 0
    while True:
        entries = buffer.drain(batch)
        if not entries:
            return written
        rows = []
        for entry in entries:
            entry["timestamp"] = datetime.fromisoformat(entry["timestamp"])
            rows.append(LogEntry(**entry))
        LogEntry.objects.bulk_create(rows, batch_size=batch)
        written += len(rows)
        if len(entries) < batch:
            return written


def request_record(
    *,
    request_id: str,
    user_id: str,
    method: str,
    endpoint: str,
    path: str,
    status: int,
    response_time_ms: float,
) -> None:
    """Record one served API request (the row GET /logs lists and GET /metrics counts)."""
    level = Level.ERROR if status >= 500 else Level.WARN if status >= 400 else Level.INFO
    details: dict[str, Any] = {
        "requestId": redact_text(request_id),
        "method": method,
        "endpoint": endpoint,  # a route pattern (`/api/v1/jobs/:job_id`), never a value
        "path": redact_text(path),
        "status": status,
        "responseTime": round(response_time_ms, 1),
    }
    if user_id:
        details["userId"] = user_id
    log_entry_create(
        level=level,
        service=Service.API,
        message="API request processed",
        request_id=details["requestId"],
        user_id=user_id,
        method=method,
        endpoint=endpoint,
        status=status,
        response_time_ms=response_time_ms,
        details=details,
        masked=True,
    )


def logs_prune(*, now: Any = None, dry_run: bool = False) -> int:
    """Delete entries older than OPS_LOG_RETENTION_DAYS; returns how many (would) go."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OPS_LOG_RETENTION_DAYS)
    old = LogEntry.objects.filter(timestamp__lt=cutoff)
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    return deleted
