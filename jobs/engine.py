"""The worker side of a job: claim it, run its stages, report, finish.

A job is claimed with a conditional UPDATE, so a redelivered message never runs finished work
twice; a claimed job keeps a heartbeat, so one whose worker died is found by the sweep
(jobs.services.jobs_sweep) and requeued or failed. Each stage's output is kept when the stage
completes, and a rerun skips the stages that have their output already. Cancellation is seen
at every progress step and every `check_cancelled()`: the stage stops, the job's scratch files
are removed.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.plans import limits_for
from accounts.services import user_lock
from config.db import progress_transaction
from jobs import events, registry
from jobs.models import IllegalTransition, Job, JobLog, JobStage, JobStatus, LogLevel, StageStatus
from jobs.services import job_fail_worker_lost, job_finished_hook
from media_pipeline.backends.base import Cancelled

logger = logging.getLogger(__name__)


class JobCancelled(Cancelled):
    """The job was cancelled (or taken over by another worker) while it ran.

    A subclass of the pipeline's own `Cancelled`, so that the pipeline's `except Cancelled`
    guards (which let a cancellation through where other errors fall back) see it as one.
    """


class StageFailed(Exception):
    """A stage gives up with a platform error code (e.g. CONTINUITY_VIOLATION)."""

    def __init__(self, code: str, message: str, *, issues: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.issues = issues


class ClaimResult:
    CLAIMED = "claimed"
    BUSY = "busy"  # the owner already runs as many jobs as their plan allows
    GONE = "gone"  # finished, cancelled, or running elsewhere


def workdir_for(job_id: str) -> Path:
    return Path(settings.JOB_WORKDIR) / job_id


def lease_cutoff() -> Any:
    return timezone.now() - timedelta(seconds=settings.JOB_LEASE_SECONDS)


def claim(job_id: str, worker: str) -> tuple[str, Job | None]:
    """Take a queued job (or one whose worker stopped beating) for this worker."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return ClaimResult.GONE, None
        stale = job.status == JobStatus.PROCESSING and (
            job.heartbeat_at is None or job.heartbeat_at < lease_cutoff()
        )
        if job.status != JobStatus.QUEUED and not stale:
            return ClaimResult.GONE, None
        if stale and job.attempts >= settings.JOB_MAX_ATTEMPTS:
            # A redelivered message of a job whose workers kept dying: it is not run again.
            job_fail_worker_lost(job=job)
            return ClaimResult.GONE, None
        # Lock the owner so two workers cannot both start the owner's last allowed job.
        owner = user_lock(user_id=job.owner_id)
        running = (
            Job.objects.filter(
                owner_id=job.owner_id,
                status=JobStatus.PROCESSING,
                heartbeat_at__gte=lease_cutoff(),
            )
            .exclude(pk=job.pk)
            .count()
        )
        if running >= limits_for(owner.plan).concurrent_jobs:
            return ClaimResult.BUSY, None
        now = timezone.now()
        claimed = Job.objects.filter(
            pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at
        ).update(
            status=JobStatus.PROCESSING,
            worker=worker,
            heartbeat_at=now,
            started_at=job.started_at or now,
            attempts=job.attempts + 1,
            updated_at=now,
        )
        if not claimed:
            return ClaimResult.GONE, None
        job.refresh_from_db()
        _log(
            job,
            LogLevel.INFO if not stale else LogLevel.WARN,
            "Job started" if not stale else "Job taken over after its worker stopped",
            {"worker": worker, "attempt": job.attempts},
        )
        events.publish(job, "job_progress")
        return ClaimResult.CLAIMED, job


def _log(job: Job, level: str, message: str, details: dict[str, Any] | None = None) -> None:
    entry = JobLog.objects.create(job=job, level=level, message=message[:1000], details=details)
    events.publish(
        job,
        "job_log",
        level=level,
        message=entry.message,
        details=details,
    )


@dataclass
class StageContext:
    """What a stage handler gets: the job, earlier outputs, a scratch folder, and reporting."""

    job: Job
    stage: JobStage
    outputs: dict[str, Any]
    workdir: Path
    _runner: JobRunner = field(repr=False)

    @property
    def input(self) -> dict[str, Any]:
        return self.job.input

    def progress(self, fraction: float, message: str | None = None) -> None:
        """Report this stage's progress (0.0-1.0); raises JobCancelled if the job was."""
        self._runner.report(self.stage, fraction, message)

    def log(self, message: str, level: str = LogLevel.INFO, **details: Any) -> None:
        _log(self.job, level, message, details or None)

    def check_cancelled(self) -> None:
        """Raise JobCancelled if the job was cancelled; cheap enough to call between frames."""
        self._runner.check_cancelled()


class JobRunner:
    """Runs one claimed job to its end on this worker."""

    def __init__(self, job: Job, worker: str) -> None:
        self.job = job
        self.worker = worker
        self.job_type = registry.get(job.type)
        self.weights = {s.name: s.weight for s in self.job_type.stages}
        self.cancelled = threading.Event()
        self._last_check = 0.0
        self._stop_heartbeat = threading.Event()

    # --- reporting ------------------------------------------------------------------------

    def _overall(self, stage: JobStage, fraction: float) -> int:
        total = sum(self.weights.values()) or 1.0
        done = sum(self.weights[s.name] for s in self.stages if s.status == StageStatus.COMPLETED)
        current = (
            self.weights[stage.name] * fraction if stage.status != StageStatus.COMPLETED else 0
        )
        return min(99, int(100 * (done + current) / total))

    def _guarded_update(self, **fields: Any) -> None:
        """Write the job row only while it is still this worker's; else it was cancelled."""
        fields.setdefault("heartbeat_at", timezone.now())
        fields["updated_at"] = timezone.now()
        updated = Job.objects.filter(
            pk=self.job.pk, status=JobStatus.PROCESSING, worker=self.worker
        ).update(**fields)
        if not updated:
            self.cancelled.set()
            raise JobCancelled()
        for name, value in fields.items():
            setattr(self.job, name, value)

    def report(self, stage: JobStage, fraction: float, message: str | None) -> None:
        fraction = max(0.0, min(1.0, fraction))
        progress = int(fraction * 100)
        fields: dict[str, Any] = {"progress": self._overall(stage, fraction)}
        if message is not None:
            fields["message"] = message[:500]
        # One transaction, not three autocommits, and one that does not wait for the disk:
        # losing a progress step to a database crash costs nothing (config.db).
        with progress_transaction():
            JobStage.objects.filter(pk=stage.pk).update(progress=progress)
            self._guarded_update(**fields)
            events.publish(self.job, "job_progress", coalesce=True)
        stage.progress = progress

    def check_cancelled(self) -> None:
        if self.cancelled.is_set():
            raise JobCancelled()
        now = time.monotonic()
        if now - self._last_check < settings.JOB_CANCEL_CHECK_INTERVAL:
            return
        self._last_check = now
        still_mine = Job.objects.filter(
            pk=self.job.pk, status=JobStatus.PROCESSING, worker=self.worker
        ).exists()
        if not still_mine:
            self.cancelled.set()
            raise JobCancelled()

    def _heartbeat(self) -> None:
        """Keep the lease while a long step gives no progress; notice a cancel meanwhile."""
        try:
            while not self._stop_heartbeat.wait(settings.JOB_HEARTBEAT_SECONDS):
                beat = Job.objects.filter(
                    pk=self.job.pk, status=JobStatus.PROCESSING, worker=self.worker
                ).update(heartbeat_at=timezone.now())
                if not beat:
                    self.cancelled.set()
                    return
        finally:
            connection.close()

    # --- running --------------------------------------------------------------------------

    def run(self) -> None:
        beat = threading.Thread(target=self._heartbeat, daemon=True, name=f"beat-{self.job.pk}")
        beat.start()
        workdir = workdir_for(self.job.pk)
        try:
            self._run_stages(workdir)
        except JobCancelled:
            self._stopped(workdir)
        except StageFailed as failure:
            error = {"code": failure.code, "message": failure.message}
            if failure.issues is not None:
                error["issues"] = failure.issues  # type: ignore[assignment]
            self._fail(error, workdir)
        except SoftTimeLimitExceeded:
            limit = self.job_type.time_limit
            self._fail(
                {"code": "GENERATION_FAILED", "message": f"Job exceeded its {limit} s limit"},
                workdir,
            )
        except Exception as exc:
            logger.exception("Job %s failed", self.job.pk)
            self._fail(
                {"code": "GENERATION_FAILED", "message": f"{type(exc).__name__}: {exc}"},
                workdir,
                trace=traceback.format_exc(limit=8),
            )
        finally:
            self._stop_heartbeat.set()
            beat.join(timeout=5)

    def _run_stages(self, workdir: Path) -> None:
        self.stages = list(self.job.stages.order_by("position"))
        by_name = {s.name: s for s in self.stages}
        outputs: dict[str, Any] = {}
        for definition in self.job_type.stages:
            stage = by_name[definition.name]
            if stage.status == StageStatus.COMPLETED:
                outputs[stage.name] = stage.output
                _log(self.job, LogLevel.INFO, f"Stage {stage.name} already done; skipped")
                continue
            self.check_cancelled()
            now = timezone.now()
            stage.status, stage.started_at, stage.completed_at = StageStatus.IN_PROGRESS, now, None
            stage.progress, stage.runs = 0, stage.runs + 1
            stage.save(update_fields=["status", "started_at", "completed_at", "progress", "runs"])
            self._guarded_update(
                stage=stage.name,
                progress=self._overall(stage, 0.0),
                message=definition.start_message[:500],
            )
            events.publish(self.job, "job_progress")
            workdir.mkdir(parents=True, exist_ok=True)
            context = StageContext(self.job, stage, dict(outputs), workdir, self)
            output = definition.run(context) or {}
            self.check_cancelled()
            with transaction.atomic():
                stage.status, stage.progress, stage.output = StageStatus.COMPLETED, 100, output
                stage.completed_at = timezone.now()
                stage.save(update_fields=["status", "progress", "output", "completed_at"])
                self._guarded_update(progress=self._overall(stage, 1.0))
                _log(
                    self.job,
                    LogLevel.INFO,
                    f"Stage {stage.name} completed",
                    {"duration": stage.duration},
                )
            outputs[stage.name] = output
        self._complete(outputs, workdir)

    def _complete(self, outputs: dict[str, Any], workdir: Path) -> None:
        result = self.job_type.result(self.job, outputs)
        if self.job_type.actual_cost is not None:
            actual = self.job_type.actual_cost(self.job, outputs)
        else:
            actual = self.job_type.estimate(self.job.input).total
        # Scratch files go first: a completed job never leaves any behind.
        shutil.rmtree(workdir, ignore_errors=True)
        describe = self.job_type.completed_message
        message = describe(self.job, result) if describe is not None else "Completed"
        with transaction.atomic():
            try:
                self.job.mark_completed(result=result, actual_cost=Decimal(actual), message=message)
            except IllegalTransition:
                raise JobCancelled() from None
            _log(self.job, LogLevel.INFO, "Job completed", {"message": message})
            events.publish(self.job, "job_complete")

    def _stage_in_progress(self) -> JobStage | None:
        return next(
            (s for s in getattr(self, "stages", []) if s.status == StageStatus.IN_PROGRESS), None
        )

    def _fail(self, error: dict[str, Any], workdir: Path, trace: str | None = None) -> None:
        shutil.rmtree(workdir, ignore_errors=True)
        with transaction.atomic():
            stage = self._stage_in_progress()
            if stage is not None:
                JobStage.objects.filter(pk=stage.pk).update(
                    status=StageStatus.FAILED, completed_at=timezone.now()
                )
            try:
                self.job.mark_failed(error=error)
            except IllegalTransition:
                return  # cancelled meanwhile: the cancel wins
            _log(
                self.job,
                LogLevel.ERROR,
                error["message"],
                {"code": error["code"], **({"traceback": trace} if trace else {})},
            )
            events.publish(self.job, "job_failed", error=error)
        job_finished_hook(self.job)

    def _stopped(self, workdir: Path) -> None:
        """The job was cancelled (by its owner) or taken over (by another worker)."""
        shutil.rmtree(workdir, ignore_errors=True)
        self.job.refresh_from_db()
        stage = self._stage_in_progress()
        if stage is not None and self.job.status == JobStatus.CANCELLED:
            JobStage.objects.filter(pk=stage.pk).update(
                status=StageStatus.CANCELLED, completed_at=timezone.now()
            )
            _log(self.job, LogLevel.INFO, f"Stopped during {stage.name}; partial files removed")


def run_job(job_id: str, *, worker: str) -> str:
    """Claim and run a job on this worker; returns what the claim found."""
    outcome, job = claim(job_id, worker)
    if job is None:
        return outcome
    try:
        runner = JobRunner(job, worker)
    except LookupError:  # a job type this worker's code does not know
        with transaction.atomic():
            job.mark_failed(
                error={"code": "GENERATION_FAILED", "message": f"Unknown job type {job.type!r}"}
            )
            events.publish(job, "job_failed", error=job.error)
        return outcome
    runner.run()
    return outcome
