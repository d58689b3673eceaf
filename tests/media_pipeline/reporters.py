"""A reporter the media pipeline tests share: it records progress and cancels on request."""

from __future__ import annotations

from media_pipeline.backends.base import Cancelled, NullReporter


class Recorder(NullReporter):
    """Records progress; cancels at the `cancel_at`-th check."""

    def __init__(self, cancel_at: int | None = None) -> None:
        self.fractions: list[float] = []
        self.checks = 0
        self.cancel_at = cancel_at

    def progress(self, fraction: float, message: str | None = None) -> None:
        self.fractions.append(fraction)

    def check_cancelled(self) -> None:
        self.checks += 1
        if self.cancel_at is not None and self.checks >= self.cancel_at:
            raise Cancelled
