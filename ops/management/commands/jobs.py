"""`manage.py jobs`: list jobs by state, requeue, cancel, and reap stuck jobs."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from django.db.models import Count
from django.utils import timezone

from config.api.errors import ApiError
from jobs import services
from jobs.models import Job, JobStatus
from ops.management.base import Failed, OpsCommand, UsageError


class Command(OpsCommand):
    help = (
        "Operate the job queue.\n\n"
        "  jobs list [--status S] [--type T] [--limit N] [--json]   jobs, newest first, and "
        "the count per status\n"
        "  jobs requeue JOB_ID... [--dry-run]   queue failed or cancelled jobs again "
        "(as POST /jobs/:id/retry)\n"
        "  jobs cancel JOB_ID... [--dry-run]    cancel jobs that have not finished\n"
        "  jobs reap [--dry-run]                requeue or fail jobs whose worker stopped "
        "beating, resend lost messages (what beat's sweep does every JOB_SWEEP_SECONDS)\n\n"
        "Exit status: 0 done; 1 some job could not be requeued or cancelled (each is named); "
        "2 bad usage or an unknown job id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Jobs by state.")
        listing.add_argument("--status", choices=JobStatus.values)
        listing.add_argument("--type")
        listing.add_argument("--limit", type=int, default=50)
        listing.add_argument("--json", action="store_true", help="One JSON object per line.")
        for name, text in (
            ("requeue", "Queue failed or cancelled jobs again."),
            ("cancel", "Cancel unfinished jobs; running ones stop at their next step."),
        ):
            action = sub.add_parser(name, help=text)
            action.add_argument("job_ids", nargs="+", metavar="JOB_ID")
            self.add_dry_run(action)
        reap = sub.add_parser("reap", help="Recover jobs whose worker died (the beat sweep).")
        self.add_dry_run(reap)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _list(self, options: dict[str, Any]) -> None:
        jobs = Job.objects.all()
        if options["status"]:
            jobs = jobs.filter(status=options["status"])
        if options["type"]:
            jobs = jobs.filter(type=options["type"])
        rows = list(jobs.order_by("-created_at")[: options["limit"]])
        if options["json"]:
            for job in rows:
                self.stdout.write(json.dumps(_row(job)))
            return
        counts = dict(jobs.values_list("status").annotate(n=Count("id")).order_by())
        summary = ", ".join(f"{status} {counts[status]}" for status in sorted(counts)) or "none"
        self.stdout.write(f"Jobs: {summary}")
        for job in rows:
            row = _row(job)
            self.stdout.write(
                f"{row['id']}  {row['status']:<17} {row['type']:<22} {row['progress']:>3}%  "
                f"{row['createdAt']}  {row['owner']}"
            )

    def _jobs(self, ids: list[str]) -> list[Job]:
        found = {job.pk: job for job in Job.objects.filter(pk__in=ids)}
        missing = [job_id for job_id in ids if job_id not in found]
        if missing:
            raise UsageError(f"No such job: {', '.join(missing)}")
        return [found[job_id] for job_id in ids]

    def _requeue(self, options: dict[str, Any]) -> None:
        self._each(
            options,
            "requeue",
            lambda job: services.job_retry(job=job),
            lambda job: job.status in (JobStatus.FAILED, JobStatus.CANCELLED),
        )

    def _cancel(self, options: dict[str, Any]) -> None:
        self._each(
            options,
            "cancel",
            lambda job: services.job_cancel(job=job),
            lambda job: not job.is_finished,
        )

    def _each(self, options: dict[str, Any], verb: str, act: Any, allowed: Any) -> None:
        failures = []
        for job in self.progress(self._jobs(options["job_ids"]), desc=verb):
            if options["dry_run"]:
                if allowed(job):
                    self.stdout.write(f"would {verb} {job.pk} ({job.status})")
                else:
                    failures.append(f"{job.pk}: cannot {verb} a {job.status} job")
                continue
            try:
                act(job)
            except ApiError as error:
                failures.append(f"{job.pk}: {error.detail}")
            else:
                self.stdout.write(f"{verb}: {job.pk} is now {job.status}")
        if failures:
            raise Failed("\n".join(failures))

    def _reap(self, options: dict[str, Any]) -> None:
        now = timezone.now()
        stale = Job.objects.filter(
            status=JobStatus.PROCESSING,
            heartbeat_at__lt=now - timedelta(seconds=settings.JOB_LEASE_SECONDS),
        )
        forgotten = Job.objects.filter(
            status=JobStatus.QUEUED,
            queued_at__lt=now - timedelta(seconds=settings.JOB_RESEND_AFTER_SECONDS),
        )
        if options["dry_run"]:
            for job in stale:
                verb = "fail" if job.attempts >= settings.JOB_MAX_ATTEMPTS else "requeue"
                self.stdout.write(f"would {verb} {job.pk} (no heartbeat since {job.heartbeat_at})")
            for job in forgotten:
                self.stdout.write(f"would resend {job.pk} (queued since {job.queued_at})")
            return
        counts = services.jobs_sweep()
        self.stdout.write(
            f"Reaped: {counts['requeued']} requeued, {counts['failed']} failed, "
            f"{counts['resent']} resent."
        )


def _row(job: Job) -> dict[str, Any]:
    return {
        "id": job.pk,
        "status": job.status,
        "type": job.type,
        "progress": job.progress,
        "owner": job.owner_id,
        "queue": job.queue,
        "createdAt": job.created_at.isoformat(),
        "heartbeatAt": job.heartbeat_at.isoformat() if job.heartbeat_at else None,
    }
