"""A job stage as the media pipeline's Reporter: progress, cancellation and log lines."""

from __future__ import annotations

from typing import Any

from jobs.engine import StageContext
from jobs.models import LogLevel

_LEVELS = {"debug": LogLevel.DEBUG, "info": LogLevel.INFO, "warn": LogLevel.WARN}


class StageReporter:
    """Reports into one job stage; a cancelled job raises `JobCancelled` out of the pipeline.

    `start`/`end` map the pipeline's 0-1 onto a part of the stage, for stages that run more
    than one step (narration, then the render).
    """

    def __init__(self, ctx: StageContext, start: float = 0.0, end: float = 1.0) -> None:
        self.ctx = ctx
        self.start = start
        self.end = end

    def part(self, start: float, end: float) -> StageReporter:
        span = self.end - self.start
        return StageReporter(self.ctx, self.start + span * start, self.start + span * end)

    def progress(self, fraction: float, message: str | None = None) -> None:
        fraction = max(0.0, min(1.0, fraction))
        self.ctx.progress(self.start + (self.end - self.start) * fraction, message)

    def check_cancelled(self) -> None:
        self.ctx.check_cancelled()

    def log(self, message: str, level: str = "info", **details: Any) -> None:
        self.ctx.log(message, _LEVELS.get(level, LogLevel.ERROR), **details)
