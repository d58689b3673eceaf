"""Job events: one typed shape, one publishing helper.

Every state change, stage change, progress step and log line of a job goes through
`publish`: the event is stored (so a reconnecting client can ask for what it missed) and,
once the transaction commits, sent to the Channels groups of the job, its scene and its
owner, and handed to the webhooks. Progress steps are coalesced so that a fast job cannot
flood a slow client.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Literal, TypedDict, cast

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.api.responses import iso
from jobs import fanout
from jobs.models import Job, JobEvent

logger = logging.getLogger(__name__)

EventType = Literal["job_progress", "job_complete", "job_failed", "job_cancelled", "job_log"]


class JobEventMessage(TypedDict, total=False):
    """What subscribers receive (StoryForge's WebSocket events, with `eventId`)."""

    type: EventType
    eventId: int
    jobId: str
    jobType: str
    sceneId: str | None
    projectId: str | None
    status: str
    stage: str
    progress: int
    message: str
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    level: str
    details: dict[str, Any] | None
    timestamp: str


def job_group(job_id: str) -> str:
    return f"job.{job_id}"


def user_group(user_id: str) -> str:
    return f"user.{user_id}"


def scene_group(scene_id: str) -> str:
    return f"scene.{scene_id}"


# Last time a progress event was sent, per job, in this process.
_last_progress: dict[str, float] = {}
_lock = threading.Lock()


def _due(job_id: str) -> bool:
    interval = settings.JOB_PROGRESS_EVENT_INTERVAL
    now = time.monotonic()
    with _lock:
        if now - _last_progress.get(job_id, 0.0) < interval:
            return False
        _last_progress[job_id] = now
        return True


def snapshot(job: Job) -> dict[str, Any]:
    """The job fields every event carries."""
    return {
        "jobId": job.pk,
        "jobType": job.type,
        "sceneId": job.scene_id or None,
        "projectId": job.project_id or None,
        "status": job.status,
        "stage": job.stage,
        "progress": job.progress,
        "message": job.message,
    }


def publish(job: Job, event_type: EventType, *, coalesce: bool = False, **fields: Any) -> None:
    """Store an event of `job` and send it to its groups after the transaction commits.

    `coalesce=True` (progress steps) drops the event when one was sent for the job less than
    JOB_PROGRESS_EVENT_INTERVAL ago: the job row still has the latest progress, and the next
    event carries it.
    """
    if coalesce and not _due(job.pk):
        return
    if event_type in ("job_complete", "job_failed", "job_cancelled"):
        with _lock:
            _last_progress.pop(job.pk, None)
    message = cast(
        JobEventMessage,
        {"type": event_type, **snapshot(job), **fields, "timestamp": iso(timezone.now())},
    )
    stored = JobEvent.objects.create(job=job, type=event_type, payload=dict(message))
    message["eventId"] = stored.pk
    groups = [job_group(job.pk), user_group(job.owner_id)]
    if job.scene_id:
        groups.append(scene_group(job.scene_id))
    transaction.on_commit(lambda: send_to_groups(groups, message))
    if event_type != "job_log":
        from jobs import webhooks

        webhooks.dispatch_for_event(job, dict(message))


def send_to_groups(groups: list[str], message: JobEventMessage) -> None:
    """Send to every group in one trip to the event loop (each trip costs a loop and a
    connection, bench/jobs_events.py)."""
    layer = get_channel_layer()
    if layer is None:
        return

    async def send_all() -> None:
        for group in groups:
            try:
                # The group rides along: each process's hub (jobs.fanout) receives every group
                # it follows on one channel, and hands the event to that group's consumers.
                await layer.group_send(
                    group, {"type": fanout.EVENT_TYPE, "group": group, "event": message}
                )
            except Exception:  # a down channel layer must not fail the job; polling works
                logger.warning("Could not publish %s to %s", message["type"], group, exc_info=True)

    async_to_sync(send_all)()
