"""Choices of the operations app: log levels, services and the metrics' time ranges."""

from __future__ import annotations

from datetime import timedelta

from django.db import models


class Level(models.TextChoices):
    DEBUG = "debug", "Debug"
    INFO = "info", "Info"
    WARN = "warn", "Warning"
    ERROR = "error", "Error"


class Service(models.TextChoices):
    """Which part of the platform wrote a log entry (StoryCore's services, plus `worker`)."""

    API = "api", "API"
    DATABASE = "database", "Database"
    STORAGE = "storage", "Storage"
    AI = "ai", "AI"
    WORKER = "worker", "Worker"


class MetricType(models.TextChoices):
    SYSTEM = "system", "System"
    API = "api", "API"
    JOBS = "jobs", "Jobs"
    STORAGE = "storage", "Storage"


TIME_RANGES: dict[str, timedelta] = {
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
DEFAULT_TIME_RANGE = "24h"

# Python's level numbers to the document's words.
LEVEL_FOR_NUMBER = ((40, Level.ERROR), (30, Level.WARN), (20, Level.INFO), (0, Level.DEBUG))
