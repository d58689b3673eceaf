"""Reads for generation: clips, templates, model usage."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from jobs.models import Job, JobStatus
from studio.models import Clip, Template


def clip_get_for(*, user: Any, clip_id: str) -> Clip | None:
    """A clip its owner may read (anyone else: None, answered 404)."""
    return Clip.objects.filter(pk=clip_id, owner=user, removed_at__isnull=True).first()


def project_clip_counts(project_ids: list[str]) -> dict[str, int]:
    rows = (
        Clip.objects.filter(project_id__in=project_ids, removed_at__isnull=True)
        .values("project_id")
        .annotate(n=Count("id"))
    )
    return {row["project_id"]: row["n"] for row in rows}


def project_clips(project: Any) -> list[dict[str, Any]]:
    from studio.api.serializers import ClipSerializer

    clips = Clip.objects.filter(project=project, removed_at__isnull=True).order_by("-created_at")
    clips = clips[:100]
    return list(ClipSerializer(clips, many=True).data)


def template_list_for(*, user: Any) -> QuerySet[Template]:
    """Public templates and the caller's own."""
    return Template.objects.filter(Q(is_public=True) | Q(owner=user))


def model_usage(model_id: str) -> dict[str, Any]:
    """How a model has been used: requests, share that completed, mean run time (s)."""
    finished = (JobStatus.COMPLETED, JobStatus.FAILED)
    jobs = Job.objects.filter(input__model=model_id)
    stats = jobs.aggregate(
        total=Count("id"),
        finished=Count("id", filter=Q(status__in=finished)),
        completed=Count("id", filter=Q(status=JobStatus.COMPLETED)),
        run_time=Avg(
            ExpressionWrapper(F("completed_at") - F("started_at"), output_field=DurationField()),
            filter=Q(status=JobStatus.COMPLETED, started_at__isnull=False),
        ),
    )
    return {
        "total_requests": stats["total"],
        "success_rate": round(stats["completed"] / stats["finished"], 4)
        if stats["finished"]
        else None,
        "average_response_time": round(stats["run_time"].total_seconds(), 3)
        if stats["run_time"] is not None
        else None,
    }
