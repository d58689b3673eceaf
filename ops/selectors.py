"""Reads of the operations app: log listings and the metrics GET /metrics and Prometheus show."""

from __future__ import annotations

import os
import shutil
import time
from datetime import datetime, timedelta
from typing import Any

import psutil
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone

from jobs.models import FINISHED_STATUSES, Job, JobStatus, WebhookDelivery
from ops.choices import TIME_RANGES
from ops.models import LogEntry

# This process's start: the uptime of the process that answers.
_PROCESS_STARTED = psutil.Process().create_time()


def window_start(time_range: str, *, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - TIME_RANGES[time_range]


def log_list(
    *,
    since: datetime,
    level: str | None = None,
    service: str | None = None,
    request_id: str | None = None,
) -> QuerySet[LogEntry]:
    """Log entries since `since`, newest first, filtered."""
    entries = LogEntry.objects.filter(timestamp__gte=since)
    if level:
        entries = entries.filter(level=level)
    if service:
        entries = entries.filter(service=service)
    if request_id:
        entries = entries.filter(request_id=request_id)
    return entries.order_by("-timestamp", "-id")


def uptime_seconds() -> int:
    return max(0, int(time.time() - _PROCESS_STARTED))


def memory() -> dict[str, Any]:
    """The machine's memory, in bytes."""
    mem = psutil.virtual_memory()
    used = mem.total - mem.available
    return {"used": used, "total": mem.total, "percentage": round(used * 100 / mem.total, 1)}


def cpu() -> dict[str, Any]:
    """CPU use in percent since the previous call of this process (no waiting), and cores."""
    return {"usage": psutil.cpu_percent(interval=None), "cores": psutil.cpu_count() or 1}


def _disk_root() -> str:
    root = settings.MEDIA_ROOT if isinstance(default_storage, FileSystemStorage) else None
    path = str(root or settings.DATA_DIR)
    while not os.path.exists(path) and os.path.dirname(path) != path:
        path = os.path.dirname(path)
    return path


def disk() -> dict[str, Any]:
    """The disk that holds media files (or the data folder), in bytes."""
    usage = shutil.disk_usage(_disk_root())
    return {
        "used": usage.used,
        "total": usage.total,
        "percentage": round(usage.used * 100 / usage.total, 1) if usage.total else 0.0,
    }


def system_metrics() -> dict[str, Any]:
    return {"uptime": uptime_seconds(), "memory": memory(), "cpu": cpu(), "disk": disk()}


def api_metrics(*, since: datetime) -> dict[str, Any]:
    """Requests counted in the log store since `since`, by every process."""
    requests = LogEntry.objects.filter(timestamp__gte=since, status__isnull=False)
    totals = requests.aggregate(
        total=Count("id"),
        successful=Count("id", filter=Q(status__lt=400)),
        failed=Count("id", filter=Q(status__gte=400)),
        average=Avg("response_time_ms"),
    )
    endpoints = dict(
        requests.values_list("endpoint").annotate(n=Count("id")).order_by("-n", "endpoint")
    )
    return {
        "requests": {
            "total": totals["total"],
            "successful": totals["successful"],
            "failed": totals["failed"],
            "average_response_time": round(totals["average"] or 0.0, 1),
        },
        "endpoints": endpoints,
    }


def queue_lengths() -> dict[str, int]:
    """Jobs waiting for a worker, by queue."""
    waiting = (
        Job.objects.filter(status__in=(JobStatus.PENDING, JobStatus.QUEUED))
        .values_list("queue")
        .annotate(n=Count("id"))
    )
    return dict(waiting)


def job_metrics(*, since: datetime) -> dict[str, Any]:
    """Jobs created since `since`: how many, how they ended, how long they ran."""
    jobs = Job.objects.filter(created_at__gte=since)
    totals = jobs.aggregate(
        total=Count("id"),
        completed=Count("id", filter=Q(status=JobStatus.COMPLETED)),
        failed=Count("id", filter=Q(status__in=(JobStatus.FAILED, JobStatus.MODERATION_FAILED))),
        cancelled=Count("id", filter=Q(status=JobStatus.CANCELLED)),
        running=Count("id", filter=Q(status=JobStatus.PROCESSING)),
    )
    ran = ExpressionWrapper(F("completed_at") - F("started_at"), output_field=DurationField())
    average = (
        jobs.filter(
            status=JobStatus.COMPLETED, started_at__isnull=False, completed_at__isnull=False
        )
        .annotate(ran=ran)
        .aggregate(avg=Avg("ran"))["avg"]
    )
    queues = queue_lengths()
    return {
        **totals,
        "average_processing_time": round(average.total_seconds(), 1) if average else 0.0,
        "queue_length": sum(queues.values()),
        "queues": queues,
    }


def _count_files(root: str) -> int:
    count = 0
    for _dirpath, _dirs, files in os.walk(root):
        count += len(files)
    return count


def storage_metrics() -> dict[str, Any]:
    """The media storage: disk size, use and free space in bytes, and how many files.

    The file count walks the media folder; it is cached for OPS_STORAGE_CACHE_SECONDS.
    """
    cached = cache.get("ops:storage-metrics")
    if cached is not None:
        return cached
    if isinstance(default_storage, FileSystemStorage):
        root = str(settings.MEDIA_ROOT)
        usage = shutil.disk_usage(_disk_root())
        files = _count_files(root) if os.path.isdir(root) else 0
        data: dict[str, Any] = {
            "total": usage.total,
            "used": usage.used,
            "available": usage.free,
            "files": files,
        }
    else:
        # A bucket has no size: what the platform's jobs say they stored.
        data = {"total": None, "used": None, "available": None, "files": None}
    cache.set("ops:storage-metrics", data, settings.OPS_STORAGE_CACHE_SECONDS)
    return data


def metrics(*, types: list[str], since: datetime) -> dict[str, Any]:
    builders = {
        "system": system_metrics,
        "api": lambda: api_metrics(since=since),
        "jobs": lambda: job_metrics(since=since),
        "storage": storage_metrics,
    }
    return {name: builders[name]() for name in types}


def prometheus_snapshot() -> dict[str, Any]:
    """What the Prometheus collector reads from the database at scrape time."""
    jobs = {
        (job_type, status): n
        for job_type, status, n in Job.objects.values_list("type", "status")
        .annotate(n=Count("id"))
        .values_list("type", "status", "n")
        .order_by()
    }
    durations: dict[str, tuple[float, int]] = {}
    ran = ExpressionWrapper(F("completed_at") - F("started_at"), output_field=DurationField())
    rows = (
        Job.objects.filter(
            status__in=FINISHED_STATUSES, started_at__isnull=False, completed_at__isnull=False
        )
        .values("type")
        .annotate(total=Sum(ran), n=Count("id"))
        .order_by()
    )
    for row in rows:
        total: timedelta | None = row["total"]
        durations[row["type"]] = (total.total_seconds() if total else 0.0, row["n"])
    webhooks = dict(
        WebhookDelivery.objects.values_list("status").annotate(n=Count("id")).order_by()
    )
    return {"jobs": jobs, "durations": durations, "queues": queue_lengths(), "webhooks": webhooks}
