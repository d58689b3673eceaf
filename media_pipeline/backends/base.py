"""The one small interface every video backend implements, and how a job reaches it.

A backend turns a validated RenderRequest into frames: RGB uint8 arrays of the request's
width and height, `request.frame_count` of them at `request.fps`, shot after shot. Packaging
encodes them as they come, so no backend holds a whole video in memory and none encodes.
Progress and cancellation reach a backend through a Reporter; it knows nothing of jobs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from media_pipeline.request import RenderRequest

Frame = np.ndarray  # (height, width, 3) uint8, RGB


class Cancelled(Exception):
    """Raised by a Reporter when the work was cancelled; backends let it propagate."""


class Reporter(Protocol):
    """Progress and cancellation, as the job engine (or a CLI, or a test) provides them."""

    def progress(self, fraction: float, message: str | None = None) -> None:
        """0.0-1.0 of the current step; may raise Cancelled."""

    def check_cancelled(self) -> None:
        """Raise Cancelled if the work was cancelled; cheap enough to call per frame."""

    def log(self, message: str, level: str = "info", **details: Any) -> None:
        """A line for the job's log."""


class NullReporter:
    """A reporter that reports nowhere and is never cancelled (tests, benchmarks)."""

    def progress(self, fraction: float, message: str | None = None) -> None:
        pass

    def check_cancelled(self) -> None:
        pass

    def log(self, message: str, level: str = "info", **details: Any) -> None:
        pass


class SpanReporter:
    """Maps a step's own 0-1 progress onto a span of its caller's (narration 0-0.1, ...)."""

    def __init__(self, reporter: Reporter, start: float, end: float) -> None:
        self.reporter = reporter
        self.start = start
        self.end = end

    def part(self, start: float, end: float) -> SpanReporter:
        span = self.end - self.start
        return SpanReporter(self.reporter, self.start + span * start, self.start + span * end)

    def progress(self, fraction: float, message: str | None = None) -> None:
        fraction = max(0.0, min(1.0, fraction))
        self.reporter.progress(self.start + (self.end - self.start) * fraction, message)

    def check_cancelled(self) -> None:
        self.reporter.check_cancelled()

    def log(self, message: str, level: str = "info", **details: Any) -> None:
        self.reporter.log(message, level, **details)


@dataclass
class Manifest:
    """What made an output, kept with it so it can be made again (the reproducibility manifest)."""

    backend: str
    model_id: str = ""
    revision: str = ""
    seed: int = 0
    device: str = "cpu"
    dtype: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)  # library -> version


class VideoBackend(Protocol):
    """Makes the frames of a render request."""

    name: str

    def frames(self, request: RenderRequest, reporter: Reporter) -> Iterator[Frame]:
        """Yield every frame of the request, in order; call reporter between steps/frames."""
        ...

    def manifest(self, request: RenderRequest) -> Manifest:
        """How the frames were made (called after `frames` is exhausted)."""
        ...
