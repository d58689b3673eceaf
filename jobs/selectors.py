"""Reads for jobs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db.models import Avg, Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from jobs import registry
from jobs.models import Job, JobLog, JobStatus, WebhookDelivery, WebhookEndpoint


def job_list_for(*, user: Any) -> QuerySet[Job]:
    """The user's jobs (a job is private to its owner)."""
    return Job.objects.filter(owner=user)


def job_get_for(*, user: Any, job_id: str) -> Job | None:
    return job_list_for(user=user).filter(pk=job_id).first()


def job_detail_for(*, user: Any, job_id: str) -> Job | None:
    return job_list_for(user=user).prefetch_related("stages").filter(pk=job_id).first()


def queue_positions(jobs: Iterable[Job]) -> dict[str, int]:
    """Each waiting job's place in its queue (1 is served next), in one query for all."""
    waiting = [job.pk for job in jobs if job.status in (JobStatus.PENDING, JobStatus.QUEUED)]
    if not waiting:
        return {}
    ahead = (
        Job.objects.filter(queue=OuterRef("queue"), status=JobStatus.QUEUED)
        .filter(
            Q(priority__gt=OuterRef("priority"))
            | Q(priority=OuterRef("priority"), created_at__lt=OuterRef("created_at"))
        )
        .order_by()
        .values("queue")
        .annotate(count=Count("pk"))
        .values("count")
    )
    rows = (
        Job.objects.filter(pk__in=waiting)
        .annotate(ahead=Coalesce(Subquery(ahead), 0))
        .values_list("pk", "ahead")
    )
    return {pk: ahead + 1 for pk, ahead in rows}


def mean_run_seconds(queue: str) -> float:
    """The mean run time of the queue's recent jobs (30 s when none finished lately)."""
    recent = Job.objects.filter(
        queue=queue,
        status=JobStatus.COMPLETED,
        completed_at__gte=timezone.now() - timedelta(days=1),
        started_at__isnull=False,
    ).order_by("-completed_at")[:50]
    mean = Job.objects.filter(pk__in=Subquery(recent.values("pk"))).aggregate(
        seconds=Avg(F("completed_at") - F("started_at"))
    )["seconds"]
    return mean.total_seconds() if mean else 30.0


def estimated_starts(jobs: Iterable[Job], positions: dict[str, int]) -> dict[str, Any]:
    """Now plus the jobs ahead times their queue's mean run time, one query per queue."""
    waiting = [job for job in jobs if job.pk in positions]
    means = {queue: mean_run_seconds(queue) for queue in {job.queue for job in waiting}}
    now = timezone.now()
    return {
        job.pk: now + timedelta(seconds=means[job.queue] * (positions[job.pk] - 1))
        for job in waiting
    }


def job_context(jobs: list[Job]) -> dict[str, Any]:
    """Serializer context with the waiting jobs' queue positions and estimated starts.

    A constant number of queries whatever the page size: one for the positions, one per queue.
    """
    positions = queue_positions(jobs)
    return {
        "queue_positions": positions,
        "estimated_starts": estimated_starts(jobs, positions),
        "project_names": registry.project_names(job.project_id for job in jobs),
    }


def job_latest_logs(*, job: Job, count: int = 20) -> list[JobLog]:
    """The job's last `count` log lines, oldest first (GET /jobs/:id's `logs`)."""
    return list(reversed(job.logs.order_by("-timestamp", "-id")[:count]))


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
