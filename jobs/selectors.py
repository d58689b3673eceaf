"""Reads for jobs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Avg, Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from jobs.models import Job, JobLog, JobStatus, WebhookDelivery, WebhookEndpoint


def job_list_for(*, user: Any) -> QuerySet[Job]:
    """The user's jobs (a job is private to its owner)."""
    return Job.objects.filter(owner=user)


def job_get_for(*, user: Any, job_id: str) -> Job | None:
    return job_list_for(user=user).filter(pk=job_id).first()


def job_detail_for(*, user: Any, job_id: str) -> Job | None:
    return job_list_for(user=user).prefetch_related("stages").filter(pk=job_id).first()


def queue_position(job: Job) -> int | None:
    """1 for the next job its queue serves, while the job waits; None otherwise."""
    if job.status not in (JobStatus.PENDING, JobStatus.QUEUED):
        return None
    ahead = Job.objects.filter(queue=job.queue, status=JobStatus.QUEUED).filter(
        Q(priority__gt=job.priority) | Q(priority=job.priority, created_at__lt=job.created_at)
    )
    return ahead.count() + 1


def estimated_start(job: Job, position: int | None) -> Any:
    """Now plus the jobs ahead times the recent mean run time of jobs on this queue."""
    if position is None:
        return None
    recent = Job.objects.filter(
        queue=job.queue,
        status=JobStatus.COMPLETED,
        completed_at__gte=timezone.now() - timedelta(days=1),
        started_at__isnull=False,
    ).order_by("-completed_at")[:50]
    mean = Job.objects.filter(pk__in=Subquery(recent.values("pk"))).aggregate(
        seconds=Avg(F("completed_at") - F("started_at"))
    )["seconds"]
    per_job = mean.total_seconds() if mean else 30.0
    return timezone.now() + timedelta(seconds=per_job * (position - 1))


def job_logs(*, job: Job, level: str | None = None) -> QuerySet[JobLog]:
    logs = job.logs.all()
    return logs.filter(level=level) if level else logs


def webhook_endpoints_for(*, user: Any) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(owner=user).annotate(
        delivery_count=Coalesce(Count("deliveries"), 0)
    )


def webhook_deliveries(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return endpoint.deliveries.prefetch_related("attempts")


def latest_output_file(job: Job) -> str | None:
    """The storage name of the file a finished job produced, if any."""
    result = job.result or {}
    for key in ("file", "videoFile", "outputFile"):
        if isinstance(result.get(key), str):
            return result[key]
    return None


def with_latest_event(queryset: QuerySet[Job]) -> QuerySet[Job]:
    from jobs.models import JobEvent

    latest = JobEvent.objects.filter(job=OuterRef("pk")).order_by("-id").values("id")[:1]
    return queryset.annotate(last_event_id=Subquery(latest))
