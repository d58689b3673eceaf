"""Job events: one typed shape, one publishing helper.

Every state change, stage change, progress step and log line of a job goes through
`publish`: the event is stored (so a reconnecting client can ask for what it missed) and,
once the transaction commits, sent to the Channels groups of the job, its scene and its
owner, and handed to the webhooks. Progress steps are coalesced so that a fast job cannot
flood a slow client.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable, Coroutine
from functools import partial
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


def session_group(user_id: str) -> str:
    """Every open WebSocket of one user, whatever it follows (to end them all at once)."""
    return f"session.{user_id}"


SESSION_REVOKED = "session_revoked"


def sessions_revoke(*, user_id: str) -> None:
    """Close the user's open WebSockets once the transaction commits (a ban, for one)."""
    message = cast(JobEventMessage, {"type": SESSION_REVOKED, "timestamp": iso(timezone.now())})
    transaction.on_commit(lambda: send_to_groups([session_group(user_id)], message))


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
        for listener in _listeners:
            transaction.on_commit(partial(_notify, listener, job, dict(message)))


# Domains that act on other jobs' events (the chat app: a session's render finishing, an
# asset's analysis finishing) add a listener here in their AppConfig.ready; each is called
# after the commit with the job and the event, and must not raise.
JobListener = Callable[[Job, dict[str, Any]], None]
_listeners: list[JobListener] = []


def _notify(listener: JobListener, job: Job, message: dict[str, Any]) -> None:
    try:
        listener(job, message)
    except Exception:  # one domain's failure must not stop the others' callbacks
        logger.exception("A job event listener failed for %s", job.pk)


def add_listener(listener: JobListener) -> None:
    """Call `listener(job, event)` after the commit of every job event but logs."""
    if listener not in _listeners:
        _listeners.append(listener)


class _PublishLoop:
    """One long-lived event loop per process that sends job events to Redis.

    `async_to_sync` from a worker's or a view's thread makes a new event loop, and with it a
    new Redis connection, for every event: about 2 ms a group (bench/jobs_events.py). This loop
    keeps its connections, so a group_send costs about 0.3 ms. A forked child (a Celery
    worker process) gets a loop of its own: the parent's thread does not survive the fork.
    """

    TIMEOUT = 10.0  # seconds; a stuck Redis must not hold a job's worker for longer

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="job-events-publisher", daemon=True
                )
                thread.start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop

    def run(self, coroutine: Callable[[], Coroutine[Any, Any, None]]) -> None:
        future = asyncio.run_coroutine_threadsafe(coroutine(), self._running_loop())
        try:
            future.result(timeout=self.TIMEOUT)
        except TimeoutError:
            future.cancel()
            logger.warning("Publishing a job event took over %s s; given up", self.TIMEOUT)


_publish_loop = _PublishLoop()


def run_send(send: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a coroutine that sends to the channel layer, from sync code, the way job events
    are sent (the process's publish loop with Redis; the caller's loop in memory)."""
    if get_channel_layer() is None:
        return
    if settings.REDIS_URL:
        _publish_loop.run(send)
    else:
        async_to_sync(send)()


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

    if settings.REDIS_URL:
        _publish_loop.run(send_all)
    else:
        # The in-memory layer lives in the server's own loop; a thread of ours would race it.
        async_to_sync(send_all)()
