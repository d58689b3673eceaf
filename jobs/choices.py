"""The jobs app's choices: job, stage and delivery states, priorities, log levels."""

from __future__ import annotations

from django.db import models


class JobStatus(models.TextChoices):
    """The one state machine of API_CONVENTIONS.md.

    pending → queued → processing → completed | failed | cancelled
    queued → moderating → processing, moderating → moderation_failed
    pending | queued | moderating | processing → cancelled
    failed | cancelled → queued (retry); processing → queued (requeued after a lost worker)

    A job type that screens its input (`JobType.screen`) goes through `moderating` before
    its task is sent, in the web process: pending → moderating → queued | moderation_failed
    (and failed | cancelled → moderating when a retry changes the input). A job that ends
    `moderation_failed` never reached a worker and costs nothing.
    """

    PENDING = "pending", "Pending"
    QUEUED = "queued", "Queued"
    MODERATING = "moderating", "Moderating"
    MODERATION_FAILED = "moderation_failed", "Moderation failed"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Priority(models.IntegerChoices):
    LOW = 0, "low"
    NORMAL = 1, "normal"
    HIGH = 2, "high"
    URGENT = 3, "urgent"


class StageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class LogLevel(models.TextChoices):
    DEBUG = "debug", "Debug"
    INFO = "info", "Info"
    WARN = "warn", "Warning"
    ERROR = "error", "Error"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
