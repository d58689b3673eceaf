"""Writes for jobs: submit, cancel, retry, change, sweep."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, F, Sum, When
from django.utils import timezone

from accounts.services import user_lock
from config.api.errors import ApiError, Conflict, ErrorCode, ServiceUnavailable
from jobs import events, registry
from jobs.models import (
    IdempotencyKey,
    IllegalTransition,
    Job,
    JobLog,
    JobStage,
    JobStatus,
    LogLevel,
    Priority,
    StageStatus,
)

logger = logging.getLogger(__name__)

IDEMPOTENCY_WINDOW = timedelta(hours=24)


class JobNotCancellable(ApiError):
    code = ErrorCode.JOB_NOT_CANCELLABLE
    default_message = "This job has finished and cannot be cancelled"


class JobNotRetryable(ApiError):
    code = ErrorCode.JOB_NOT_RETRYABLE
    default_message = "This job cannot be retried"


class CostLimit(ApiError):
    code = ErrorCode.COST_LIMIT
    default_message = "This job would exceed a cost limit"


def request_fingerprint(body: Any) -> str:
    """A stable hash of a request body, to recognise a repeated Idempotency-Key request."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _spent_today(owner_id: str) -> Decimal:
    """What the owner's jobs of today (UTC) cost or will cost; refused work costs nothing."""
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    spent = (
        Job.objects.filter(owner_id=owner_id, created_at__gte=start)
        .exclude(status__in=(JobStatus.CANCELLED, JobStatus.MODERATION_FAILED))
        .aggregate(
            total=Sum(
                Case(
                    When(status=JobStatus.COMPLETED, then=F("actual_cost")),
                    default=F("estimated_cost"),
                    output_field=DecimalField(max_digits=12, decimal_places=4),
                )
            )
        )["total"]
    )
    return spent or Decimal(0)


def check_cost_limits(*, owner_id: str, cost: Decimal) -> None:
    """402 COST_LIMIT past $100 for the job or $500 for the owner's day."""
    per_job, per_day = settings.JOB_COST_LIMIT_PER_JOB, settings.JOB_COST_LIMIT_PER_DAY
    if cost > per_job:
        raise CostLimit(
            f"This job is estimated at ${cost:.2f}; one job may cost at most ${per_job:.2f}",
            details={"estimatedCost": float(cost), "limit": float(per_job)},
        )
    spent = _spent_today(owner_id)
    if spent + cost > per_day:
        raise CostLimit(
            f"This job (${cost:.2f}) would take today's spending past ${per_day:.2f}",
            details={
                "estimatedCost": float(cost),
                "spentToday": float(spent),
                "limit": float(per_day),
            },
        )


def _existing_for_key(owner_id: str, key: str, fingerprint: str) -> Job | None:
    record = IdempotencyKey.objects.select_related("job").filter(owner_id=owner_id, key=key).first()
    if record is None:
        return None
    if record.created_at < timezone.now() - IDEMPOTENCY_WINDOW:
        record.delete()
        return None
    if record.request_hash != fingerprint:
        raise Conflict(
            "This Idempotency-Key was used with a different request",
            details={"idempotencyKey": key},
        )
    return record.job


def enqueue(job: Job, *, countdown: float | None = None) -> None:
    """Send the job's task to its queue once the transaction commits."""
    from jobs.tasks import run_job_task

    job_type = registry.get(job.type)
    options: dict[str, Any] = {
        "args": [job.pk],
        "queue": job.queue,
        "priority": Priority.URGENT - job.priority,  # Redis: 0 is served first
        "time_limit": job_type.time_limit + 60,
        "soft_time_limit": job_type.time_limit,
    }
    if countdown:
        options["countdown"] = countdown
    transaction.on_commit(lambda: run_job_task.apply_async(**options))


# The `error.code` of a job whose input screening rejected (status `moderation_failed`).
MODERATION_FAILED = "MODERATION_FAILED"


def screen_job_input(job_type: registry.JobType, job_input: dict[str, Any]) -> Any:
    """The screener's verdict on an input (None: nothing to screen); 503 when it cannot run."""
    try:
        return registry.screen_input(job_type, job_input)
    except ApiError:
        raise
    except Exception:
        # Fail closed: unscreened text never reaches a worker.
        logger.exception("Screening failed for a %s job", job_type.name)
        raise ServiceUnavailable("Content screening is unavailable; try again shortly") from None


def _moderate_then_queue(job: Job, verdict: Any) -> None:
    """Queue the job, through `moderating` when its input was screened (lock held by caller).

    A rejected input ends `moderation_failed` with the reasons, costs nothing and sends no
    task; an approved or flagged one is queued and its task sent once the transaction commits.
    """
    if verdict is not None:
        job.mark_moderating(moderation_status=verdict.status, score=verdict.score)
        events.publish(job, "job_progress")
        if verdict.rejected:
            screening = verdict.as_dict()
            job.mark_moderation_failed(
                error={
                    "code": MODERATION_FAILED,
                    "message": "The content of this job did not pass moderation",
                    "reasons": screening["reasons"],
                    "categories": {
                        name: score
                        for name, score in screening["categories"].items()
                        if score >= settings.MODERATION_REVIEW_THRESHOLD
                    },
                }
            )
            JobStage.objects.filter(job=job, status=StageStatus.PENDING).update(
                status=StageStatus.CANCELLED
            )
            JobLog.objects.create(
                job=job,
                level=LogLevel.WARN,
                message="Job refused by content screening",
                details={"score": verdict.score, "reasons": screening["reasons"]},
            )
            events.publish(job, "job_failed", error=job.error)
            job_finished_hook(job)
            return
    job.mark_queued()
    JobLog.objects.create(
        job=job,
        level=LogLevel.INFO,
        message="Job queued",
        details={"type": job.type, "estimatedCost": float(job.estimated_cost)},
    )
    events.publish(job, "job_progress")
    enqueue(job)


def job_submit(
    *,
    owner: Any,
    type: str,
    input: dict[str, Any],
    project_id: str = "",
    scene_id: str = "",
    priority: int = Priority.NORMAL,
    message: str = "",
    idempotency_key: str | None = None,
    request_body: Any = None,
) -> tuple[Job, bool]:
    """Create and queue a job; returns (job, created).

    The cost limits are checked first (402, nothing created). With an Idempotency-Key, the
    same key and body within 24 h return the first job; another body is 409. A type with
    texts to screen is screened here, before any task is sent: a rejected input gives a job
    that ended `moderation_failed` (see `_moderate_then_queue`).
    """
    job_type = registry.get(type)
    fingerprint_input = input
    if job_type.prepare is not None:
        input = job_type.prepare(input, owner)
    estimate = job_type.estimate(input).total
    # Outside the owner's lock: a remote screening service may take a while to answer.
    verdict = screen_job_input(job_type, input)
    fingerprint = request_fingerprint(
        request_body if request_body is not None else fingerprint_input
    )
    try:
        with transaction.atomic():
            # Serialises one owner's submissions: the daily total cannot be raced past.
            user_lock(user_id=owner.pk)
            if idempotency_key:
                existing = _existing_for_key(owner.pk, idempotency_key, fingerprint)
                if existing is not None:
                    return existing, False
            check_cost_limits(owner_id=owner.pk, cost=estimate)
            job = Job.objects.create(
                type=type,
                owner=owner,
                input=input,
                project_id=project_id,
                scene_id=scene_id,
                queue=job_type.queue_for(input) if job_type.queue_for else job_type.queue,
                priority=priority,
                max_retries=job_type.max_retries,
                estimated_cost=estimate,
                message=message,
            )
            JobStage.objects.bulk_create(
                JobStage(job=job, name=name, position=i)
                for i, name in enumerate(job_type.stage_names)
            )
            if idempotency_key:
                IdempotencyKey.objects.create(
                    owner=owner, key=idempotency_key, request_hash=fingerprint, job=job
                )
            _moderate_then_queue(job, verdict)
    except IntegrityError:
        # Two requests raced with one Idempotency-Key: the other one created the job.
        if not idempotency_key:
            raise
        existing = _existing_for_key(owner.pk, idempotency_key, fingerprint)
        if existing is None:
            raise
        return existing, False
    return job, True


def job_finished_hook(job: Job) -> None:
    """Run the job type's on_finished hook (e.g. release a lock) once the transaction commits."""
    hook = registry.get(job.type).on_finished
    if hook is not None:
        transaction.on_commit(lambda: hook(job))


def job_cancel(*, job: Job) -> Job:
    """Cancel a job that has not finished; a running one stops at its next step."""
    with transaction.atomic():
        # The caller's copy may predate a worker's claim (queued, now processing): lock the row
        # and cancel what it is now, or a running job would be refused as "not cancellable".
        job.refresh_from_db(from_queryset=Job.objects.select_for_update())
        try:
            job.mark_cancelled()
        except IllegalTransition:
            raise JobNotCancellable(f"This job is {job.status} and cannot be cancelled") from None
        JobStage.objects.filter(job=job, status=StageStatus.PENDING).update(
            status=StageStatus.CANCELLED
        )
        JobLog.objects.create(job=job, level=LogLevel.INFO, message="Job cancelled")
        events.publish(job, "job_cancelled")
        job_finished_hook(job)
    return job


def job_retry(
    *, job: Job, modified_text: str | None = None, retry_parameters: dict[str, Any] | None = None
) -> Job:
    """Queue a failed job again (up to max_retries), with modified input if given.

    Unchanged input keeps the stages that completed; changed input reruns every stage.
    """
    if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
        raise JobNotRetryable(
            f"Only failed or cancelled jobs can be retried; this one is {job.status}"
        )
    if job.retry_count >= job.max_retries:
        raise JobNotRetryable(f"This job was already retried {job.retry_count} times (the maximum)")
    job_type = registry.get(job.type)
    changed = modified_text is not None or bool(retry_parameters)
    new_input = job.input
    if changed:
        apply = job_type.apply_retry or registry.default_apply_retry
        new_input = apply(job.input, modified_text, retry_parameters or {})
        if job_type.prepare is not None:
            new_input = job_type.prepare(new_input, job.owner)
    # Changed input is screened again; unchanged input passed screening when it was submitted.
    verdict = screen_job_input(job_type, new_input) if changed else None
    estimate = job_type.estimate(new_input).total
    with transaction.atomic():
        user_lock(user_id=job.owner_id)
        check_cost_limits(owner_id=job.owner_id, cost=estimate)
        stages = JobStage.objects.filter(job=job)
        if changed:
            stages.update(
                status=StageStatus.PENDING,
                progress=0,
                output=None,
                started_at=None,
                completed_at=None,
            )
        else:
            stages.exclude(status=StageStatus.COMPLETED).update(
                status=StageStatus.PENDING, progress=0, started_at=None, completed_at=None
            )
        Job.objects.filter(pk=job.pk).update(
            input=new_input,
            retry_count=job.retry_count + 1,
            estimated_cost=estimate,
            error=None,
            result=None,
            completed_at=None,
            cancel_requested_at=None,
            progress=0,
            message="Job requeued for processing",
        )
        job.refresh_from_db()
        JobLog.objects.create(
            job=job,
            level=LogLevel.INFO,
            message="Job retried",
            details={"retryCount": job.retry_count, "inputChanged": changed},
        )
        _moderate_then_queue(job, verdict)
    return job


def job_update(*, job: Job, priority: int | None = None) -> Job:
    """What an owner may change: the priority, while the job waits."""
    if priority is not None:
        if job.status not in (JobStatus.PENDING, JobStatus.QUEUED):
            raise Conflict("The priority can only change while the job is waiting in its queue")
        updated = Job.objects.filter(
            pk=job.pk, status__in=(JobStatus.PENDING, JobStatus.QUEUED)
        ).update(priority=priority, updated_at=timezone.now())
        if not updated:
            raise Conflict("The job has started meanwhile")
        job.refresh_from_db()
    return job


def job_fail_worker_lost(*, job: Job) -> bool:
    """Fail a job (row locked by the caller) whose workers stopped JOB_MAX_ATTEMPTS times."""
    try:
        job.mark_failed(
            error={
                "code": "GENERATION_FAILED",
                "message": f"The worker running this job stopped {job.attempts} times",
            }
        )
    except IllegalTransition:
        return False
    # As the engine does when a stage fails: no finished job keeps a running stage.
    JobStage.objects.filter(job=job, status=StageStatus.IN_PROGRESS).update(
        status=StageStatus.FAILED, completed_at=timezone.now()
    )
    JobLog.objects.create(
        job=job,
        level=LogLevel.ERROR,
        message="Worker lost; job failed",
        details={"attempts": job.attempts, "worker": job.worker},
    )
    events.publish(job, "job_failed", error=job.error)
    job_finished_hook(job)
    # The scratch files of the lost run, where they are on this machine (embedded mode).
    shutil.rmtree(Path(settings.JOB_WORKDIR) / job.pk, ignore_errors=True)
    return True


def jobs_sweep() -> dict[str, int]:
    """Requeue or fail jobs whose worker died; re-send jobs whose message was lost.

    Run by beat every JOB_SWEEP_SECONDS: no job stays `processing` forever.
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.JOB_LEASE_SECONDS)
    counts = {"requeued": 0, "failed": 0, "resent": 0}
    stale = Job.objects.filter(status=JobStatus.PROCESSING, heartbeat_at__lt=cutoff)
    for job in stale:
        with transaction.atomic():
            # Read again under the lock the claim takes: a worker may have taken it over since.
            locked = (
                Job.objects.select_for_update()
                .filter(pk=job.pk, status=JobStatus.PROCESSING, heartbeat_at__lt=cutoff)
                .first()
            )
            if locked is None:
                continue
            job = locked
            if job.attempts >= settings.JOB_MAX_ATTEMPTS:
                if job_fail_worker_lost(job=job):
                    counts["failed"] += 1
                continue
            moved = Job.objects.filter(
                pk=job.pk, status=JobStatus.PROCESSING, heartbeat_at__lt=cutoff
            ).update(status=JobStatus.QUEUED, queued_at=now, worker="", updated_at=now)
            if not moved:
                continue
            job.refresh_from_db()
            JobStage.objects.filter(job=job, status=StageStatus.IN_PROGRESS).update(
                status=StageStatus.PENDING, progress=0
            )
            JobLog.objects.create(
                job=job,
                level=LogLevel.WARN,
                message="Worker lost; job requeued",
                details={"attempts": job.attempts, "worker": job.worker},
            )
            events.publish(job, "job_progress")
            enqueue(job)
            counts["requeued"] += 1
    # A queued job nobody picked up for a long while: its message may be lost. A duplicate is
    # harmless, the claim lets one run.
    forgotten = Job.objects.filter(
        status=JobStatus.QUEUED,
        queued_at__lt=now - timedelta(seconds=settings.JOB_RESEND_AFTER_SECONDS),
    )
    for job in forgotten:
        with transaction.atomic():
            Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(queued_at=now)
            enqueue(job)
        counts["resent"] += 1
    return counts
