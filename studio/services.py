"""Writes for generation: the clip a finished video job made, a template's use."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jobs.models import Job
from studio.models import Clip, Template


def clip_create_for_job(*, job: Job, result: dict[str, Any]) -> Clip:
    """The job's clip (one per job: a rerun of the stage finds the first one)."""
    request: dict[str, Any] = job.input.get("request", {})
    shots: list[dict[str, Any]] = request.get("shots", [])
    first_prompt: str = shots[0].get("prompt", "") if shots else ""
    title = job.input.get("title") or request.get("title") or first_prompt[:80] or "Generated clip"
    clip, _ = Clip.objects.get_or_create(
        job=job,
        defaults={
            "owner_id": job.owner_id,
            "project_id": job.project_id or None,
            "template_id": job.input.get("template_id") or None,
            "title": title[:200],
            "prompt": job.input.get("prompt") or job.input.get("script") or first_prompt,
            "duration": result["duration"],
            "width": result["width"],
            "height": result["height"],
            "fps": result["fps"] or 0,
            "file_size": result["fileSize"],
            "video_file": result["file"],
            "hls_playlist": result["hlsFile"],
            "thumbnail_file": result["thumbnailFile"],
            "poster_file": result["posterFile"],
            "manifest": result["manifest"],
        },
    )
    return clip


def template_count_use(*, template: Template) -> None:
    """One more use of the template, without a read-modify-write race."""
    with transaction.atomic():
        Template.objects.filter(pk=template.pk).update(usage_count=F("usage_count") + 1)


def clip_set_removed(*, clip: Clip, removed: bool) -> bool:
    """A moderator removes (or restores) a clip; its job's result says so, so that reading the
    job gives no links to the files without a query per job. False: it already was."""
    with transaction.atomic():
        clips = Clip.objects.filter(pk=clip.pk, removed_at__isnull=removed)
        if not clips.update(removed_at=timezone.now() if removed else None):
            return False
        job = Job.objects.select_for_update().filter(pk=clip.job_id).first()
        if job is not None and job.result:
            result = {key: value for key, value in job.result.items() if key != "removed"}
            Job.objects.filter(pk=job.pk).update(
                result={**result, "removed": True} if removed else result
            )
    return True
