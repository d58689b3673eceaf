"""A job stage as the media pipeline's Reporter: progress, cancellation and log lines."""

from __future__ import annotations

from typing import Any

from jobs.engine import StageContext
from jobs.models import LogLevel
from media_pipeline.backends.base import SpanReporter

_LEVELS = {
    "debug": LogLevel.DEBUG,
    "info": LogLevel.INFO,
    "warn": LogLevel.WARN,
    "warning": LogLevel.WARN,
}


class StageReporter:
    """Reports into one job stage; a cancelled job raises `JobCancelled` out of the pipeline.

    `JobCancelled` is the pipeline's `Cancelled`, so the pipeline's guards let it through.
    """

    def __init__(self, ctx: StageContext) -> None:
        self.ctx = ctx

    def part(self, start: float, end: float) -> SpanReporter:
        """A reporter for one step of the stage, filling `start`-`end` of its progress."""
        return SpanReporter(self, start, end)

    def progress(self, fraction: float, message: str | None = None) -> None:
        self.ctx.progress(max(0.0, min(1.0, fraction)), message)

    def check_cancelled(self) -> None:
        self.ctx.check_cancelled()

    def log(self, message: str, level: str = "info", **details: Any) -> None:
        self.ctx.log(message, _LEVELS.get(level, LogLevel.ERROR), **details)
