"""Celery tasks of the catalog: thin adapters over its services."""

from __future__ import annotations

from celery import shared_task

from catalog import services


@shared_task
def flush_views_task() -> int:
    """Periodic (beat): add the buffered views to the database; returns the views written."""
    return services.views_flush()
