"""Jobs: every piece of generation work, its stages, its log, its events and its webhooks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.api.ids import PublicIdField
from jobs.choices import DeliveryStatus, JobStatus, LogLevel, Priority, StageStatus

ACTIVE_STATUSES = (JobStatus.PENDING, JobStatus.QUEUED, JobStatus.MODERATING, JobStatus.PROCESSING)
FINISHED_STATUSES = (
    JobStatus.COMPLETED,
    JobStatus.FAILED,
    JobStatus.CANCELLED,
    JobStatus.MODERATION_FAILED,
)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    JobStatus.PENDING: (
        JobStatus.QUEUED,
        JobStatus.MODERATING,
        JobStatus.CANCELLED,
        JobStatus.FAILED,
    ),
    JobStatus.QUEUED: (
        JobStatus.MODERATING,
        JobStatus.PROCESSING,
        JobStatus.CANCELLED,
        JobStatus.FAILED,
    ),
    JobStatus.MODERATING: (
        JobStatus.QUEUED,
        JobStatus.PROCESSING,
        JobStatus.MODERATION_FAILED,
        JobStatus.CANCELLED,
        JobStatus.FAILED,
    ),
    JobStatus.PROCESSING: (
        JobStatus.COMPLETED,
        JobStatus.FAILED,
        JobStatus.CANCELLED,
        JobStatus.QUEUED,
    ),
    JobStatus.FAILED: (JobStatus.QUEUED, JobStatus.MODERATING),
    JobStatus.CANCELLED: (JobStatus.QUEUED, JobStatus.MODERATING),
    JobStatus.COMPLETED: (),
    JobStatus.MODERATION_FAILED: (),
}


class IllegalTransition(Exception):
    """A job was asked to move to a state its current state does not lead to."""


class Job(models.Model):
    """One piece of generation work, whatever its type, with its state machine."""

    id = PublicIdField(prefix="job")
    type = models.CharField(max_length=64, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    # Loose references to the domain objects a job belongs to (jobs imports no domain app).
    project_id = models.CharField(max_length=40, blank=True, default="", db_index=True)
    scene_id = models.CharField(max_length=40, blank=True, default="", db_index=True)

    status = models.CharField(
        max_length=20, choices=JobStatus.choices, default=JobStatus.PENDING, db_index=True
    )
    stage = models.CharField(max_length=64, blank=True, default="pending")
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True, default="")
    queue = models.CharField(max_length=16, default="cpu")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)

    input = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)

    retry_count = models.PositiveSmallIntegerField(default=0)
    max_retries = models.PositiveSmallIntegerField(default=3)
    estimated_cost = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal(0))
    actual_cost = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal(0))
    moderation_status = models.CharField(max_length=16, blank=True, default="")
    moderation_score = models.FloatField(null=True, blank=True)

    # Execution bookkeeping: who runs it, since when, and whether it is still alive.
    worker = models.CharField(max_length=200, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "status"], name="jobs_owner_status"),
            models.Index(fields=["status", "heartbeat_at"], name="jobs_status_heartbeat"),
            models.Index(fields=["queue", "status", "priority", "created_at"], name="jobs_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]

    def _move(self, status: str, **fields: Any) -> None:
        """Move to `status` if the state machine allows it, with one conditional UPDATE.

        The UPDATE is guarded by the status read, so a concurrent move (a cancel racing a
        completion) makes exactly one of them win; the loser gets IllegalTransition.
        """
        if not self.can_move_to(status):
            raise IllegalTransition(f"{self.status} → {status} is not allowed")
        fields["status"] = status
        fields["updated_at"] = timezone.now()
        moved = Job.objects.filter(pk=self.pk, status=self.status).update(**fields)
        if not moved:
            self.refresh_from_db()
            raise IllegalTransition(f"job is now {self.status}")
        for name, value in fields.items():
            setattr(self, name, value)

    def mark_queued(self) -> None:
        self._move(JobStatus.QUEUED, queued_at=timezone.now(), stage="queued", worker="")

    def mark_moderating(self, *, moderation_status: str = "", score: float | None = None) -> None:
        self._move(
            JobStatus.MODERATING,
            stage="moderating",
            moderation_status=moderation_status,
            moderation_score=score,
        )

    def mark_moderation_failed(self, *, error: dict[str, Any]) -> None:
        now = timezone.now()
        self._move(
            JobStatus.MODERATION_FAILED,
            error=error,
            stage="moderation_failed",
            completed_at=now,
            actual_cost=0,
        )

    def mark_completed(self, *, result: dict[str, Any], actual_cost: Decimal) -> None:
        self._move(
            JobStatus.COMPLETED,
            result=result,
            progress=100,
            stage="completed",
            actual_cost=actual_cost,
            completed_at=timezone.now(),
            error=None,
        )

    def mark_failed(self, *, error: dict[str, Any]) -> None:
        self._move(JobStatus.FAILED, error=error, completed_at=timezone.now())

    def mark_cancelled(self) -> None:
        now = timezone.now()
        self._move(
            JobStatus.CANCELLED, cancel_requested_at=now, completed_at=now, stage="cancelled"
        )


class JobStage(models.Model):
    """One named step of a job, with its own status, progress, duration and output."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=16, choices=StageStatus.choices, default=StageStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(default=0)
    output = models.JSONField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "name"], name="jobs_stage_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    @property
    def duration(self) -> float | None:
        """Seconds the stage ran, or has been running."""
        if self.started_at is None:
            return None
        end = self.completed_at or timezone.now()
        return round((end - self.started_at).total_seconds(), 3)


class JobLog(models.Model):
    """One line of a job's log."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="logs")
    timestamp = models.DateTimeField(default=timezone.now)
    level = models.CharField(max_length=8, choices=LogLevel.choices, default=LogLevel.INFO)
    message = models.CharField(max_length=1000)
    details = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["timestamp", "id"]
        indexes = [models.Index(fields=["job", "timestamp"], name="jobs_log_job_time")]

    def __str__(self) -> str:
        return f"[{self.level}] {self.message}"


class JobEvent(models.Model):
    """An event as it was published, kept so a reconnecting client can catch up."""

    id = models.BigAutoField(primary_key=True)
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=32)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["job", "id"], name="jobs_event_job_id")]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"


class IdempotencyKey(models.Model):
    """The first job created with an `Idempotency-Key`, for 24 hours."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="jobs_idempotency_unique")
        ]

    def __str__(self) -> str:
        return self.key


class WebhookEndpoint(models.Model):
    """A URL a user wants job events delivered to, signed with its own secret."""

    id = PublicIdField(prefix="whk")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=500, blank=True, default="")
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return any(
            wanted in (event, "*") or (wanted.endswith(".*") and event.startswith(wanted[:-1]))
            for wanted in self.events
        )


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one endpoint; each try is a WebhookAttempt."""

    id = PublicIdField(prefix="dlv")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, related_name="+")
    event = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempt_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                name="jobs_delivery_due",
                condition=Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """One HTTP try of a delivery: when, the answer's status code, how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"#{self.number}: {self.status_code or self.error}"
