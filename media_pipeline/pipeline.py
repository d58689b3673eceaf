"""A render request to finished files: narration and music, frames, one encode, read back.

The steps are separate functions so the job engine can run them as stages (and skip a stage
whose output exists after a crash); `render_to_files` runs them all, for the command line,
benchmarks and tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from django.conf import settings

from media_pipeline import audio, packaging
from media_pipeline.backends.base import Manifest, Reporter, SpanReporter, VideoBackend
from media_pipeline.request import RenderRequest

SOUNDTRACK = "soundtrack.wav"
OUTPUT_DIR = "out"
MANIFEST = "manifest.json"


def backend_name(job_type: str = "") -> str:
    """The video backend settings choose for a job type."""
    return settings.MEDIA_BACKENDS.get(job_type, settings.MEDIA_VIDEO_BACKEND)


# Seconds of work per second of video, to tell a client roughly how long a render takes.
SECONDS_PER_VIDEO_SECOND = {"animatic": 0.5, "diffusers": 60.0}


def render_seconds(backend: str, video_seconds: float) -> float:
    """About how long `backend` takes to render `video_seconds` of video."""
    return video_seconds * SECONDS_PER_VIDEO_SECOND.get(backend, 1.0)


def queue_for_backend(backend: str) -> Literal["cpu", "gpu"]:
    """The Celery queue whose workers run a backend: diffusers needs a GPU worker."""
    return "gpu" if backend == "diffusers" else "cpu"


def video_backend(name: str) -> VideoBackend:
    """A video backend by name (`animatic` or `diffusers`); diffusers is imported only here."""
    if name == "animatic":
        from media_pipeline.backends.animatic import AnimaticBackend

        return AnimaticBackend()
    if name == "diffusers":
        from media_pipeline.backends.diffusers_backend import DiffusersVideoBackend

        return DiffusersVideoBackend()
    raise LookupError(f"Unknown video backend {name!r}")


@dataclass(frozen=True)
class Soundtrack:
    """The request with shot durations that fit its narration, and the mixed audio (if any)."""

    request: RenderRequest
    path: Path | None
    narrated: bool


def make_soundtrack(request: RenderRequest, *, workdir: Path, reporter: Reporter) -> Soundtrack:
    """Narrate each shot, lengthen shots to fit their narration, mix voice over music."""
    workdir.mkdir(parents=True, exist_ok=True)
    voice = request.options.voice
    clips: list[Any] = [None] * len(request.shots)
    if voice:
        clips = audio.narrate(request.shots, voice=voice, workdir=workdir, reporter=reporter)
    durations = audio.plan_durations(request.shots, clips, fps=request.fps)
    timed = request.with_durations(durations)
    path = audio.mix_soundtrack(
        durations=durations,
        clips=clips,
        music=request.options.music,
        genre=request.options.genre,
        mood=request.options.mood,
        seed=request.seed,
        out=workdir / SOUNDTRACK,
    )
    return Soundtrack(timed, path, narrated=any(clip is not None for clip in clips))


class _MaxProgress:
    """One progress line from two reporters of the same work (frames made, frames encoded).

    A diffusers backend reports denoising steps long before its frames reach the encoder; the
    animatic backend's frames are encoded as they are drawn. The larger of the two is the
    truth in both cases, and it never goes backwards.
    """

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self.fraction = 0.0

    def progress(self, fraction: float, message: str | None = None) -> None:
        if fraction > self.fraction:
            self.fraction = fraction
            self.reporter.progress(fraction, message)
        else:
            self.reporter.check_cancelled()

    def check_cancelled(self) -> None:
        self.reporter.check_cancelled()

    def log(self, message: str, level: str = "info", **details: Any) -> None:
        self.reporter.log(message, level, **details)


def render_video(
    request: RenderRequest,
    *,
    backend: VideoBackend,
    soundtrack: Path | None,
    outdir: Path,
    reporter: Reporter,
) -> tuple[packaging.PackagedVideo, Manifest]:
    """Make the frames and package them (MP4, HLS, thumbnail, poster) with the soundtrack."""
    combined = _MaxProgress(reporter)
    frames = backend.frames(request, combined)
    packaged = packaging.package(
        frames,
        width=request.width,
        height=request.height,
        fps=request.fps,
        frame_count=request.frame_count,
        audio=soundtrack,
        outdir=outdir,
        reporter=combined,
    )
    manifest = backend.manifest(request)
    (outdir / MANIFEST).write_text(json.dumps(manifest_dict(manifest, request), indent=2))
    return packaged, manifest


def manifest_dict(manifest: Manifest, request: RenderRequest) -> dict[str, Any]:
    """The reproducibility manifest as stored next to the files: backend, model, request."""
    return {
        "backend": manifest.backend,
        "modelId": manifest.model_id,
        "revision": manifest.revision,
        "seed": manifest.seed,
        "device": manifest.device,
        "dtype": manifest.dtype,
        "parameters": manifest.parameters,
        "versions": manifest.versions,
        "request": request.to_dict(),
    }


def render_to_files(
    request: RenderRequest, *, workdir: Path, reporter: Reporter, backend: str = ""
) -> tuple[packaging.PackagedVideo, Manifest, Soundtrack]:
    """Every step in one call: soundtrack, frames, packaging, into `workdir/out`."""
    soundtrack = make_soundtrack(request, workdir=workdir, reporter=SpanReporter(reporter, 0, 0.1))
    packaged, manifest = render_video(
        soundtrack.request,
        backend=video_backend(backend or backend_name()),
        soundtrack=soundtrack.path,
        outdir=workdir / OUTPUT_DIR,
        reporter=SpanReporter(reporter, 0.1, 1),
    )
    return packaged, manifest, soundtrack
