"""Celery tasks of the operations app."""

from __future__ import annotations

from celery import shared_task

from ops import services


@shared_task
def prune_logs_task() -> int:
    """Periodic (beat): delete log entries older than OPS_LOG_RETENTION_DAYS."""
    return services.logs_prune()


@shared_task
def flush_logs_task() -> int:
    """Periodic (beat): write the buffered log entries to the store."""
    return services.logs_flush()
