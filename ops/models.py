"""The platform's own log store, read by operators through GET /logs and GET /metrics."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from ops.choices import Level, Service


class LogEntry(models.Model):
    """One log entry: an API request served, or a warning or error a process logged.

    API requests carry their method, endpoint (the route, not the raw path), status and
    response time in columns of their own, so that GET /metrics aggregates them in SQL.
    """

    id = models.BigAutoField(primary_key=True)
    timestamp = models.DateTimeField(default=timezone.now)
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.INFO)
    service = models.CharField(max_length=16, choices=Service.choices, default=Service.API)
    message = models.CharField(max_length=1000)
    request_id = models.CharField(max_length=64, blank=True, default="")
    user_id = models.CharField(max_length=40, blank=True, default="")
    method = models.CharField(max_length=8, blank=True, default="")
    endpoint = models.CharField(max_length=200, blank=True, default="")
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_time_ms = models.FloatField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name_plural = "log entries"
        indexes = [
            models.Index(fields=["timestamp"], name="ops_log_time"),
            models.Index(fields=["service", "timestamp"], name="ops_log_service_time"),
            models.Index(fields=["level", "timestamp"], name="ops_log_level_time"),
            models.Index(fields=["request_id"], name="ops_log_request"),
        ]

    def __str__(self) -> str:
        return f"[{self.level}] {self.service}: {self.message}"
