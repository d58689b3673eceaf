"""The stages every video job shares: soundtrack, frames, upload, the clip.

A video job's input holds `request` (a RenderRequest as JSON). Each stage's output is kept by
the engine, and each stage redoes what an earlier stage left on another worker's disk: a job
taken over after a crash finds no scratch files and makes them again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage

from jobs.costs import video_estimate
from jobs.engine import StageContext
from jobs.registry import CostEstimate, Stage
from jobs.reporting import StageReporter
from media_pipeline import pipeline, storage
from media_pipeline.backends.base import Reporter, SpanReporter
from media_pipeline.pipeline import OUTPUT_DIR, SOUNDTRACK
from media_pipeline.request import RenderRequest

MP4 = "video.mp4"
MASTER = "hls/master.m3u8"
THUMBNAIL = "thumbnail.jpg"
POSTER = "poster.jpg"


# Stages that turn text into shots: their output's `request` is what the video stages render.
REQUEST_STAGES = ("script_breakdown", "script_expansion")


def render_request(ctx: StageContext) -> RenderRequest:
    """The job's render request: in its input, or made from a script by an earlier stage."""
    for stage in REQUEST_STAGES:
        made = (ctx.outputs.get(stage) or {}).get("request")
        if made:
            return RenderRequest.from_dict(made)
    return RenderRequest.from_dict(ctx.input["request"])


def timed_request(ctx: StageContext) -> RenderRequest:
    """The request with the shot durations the narration stage settled on."""
    request = render_request(ctx)
    durations = (ctx.outputs.get("narration") or {}).get("durations")
    return request.with_durations(durations) if durations else request


def narration(ctx: StageContext) -> dict[str, Any]:
    """Speak each shot's text, fit the shots to it, mix the voice over a music bed."""
    return narration_into(ctx, StageReporter(ctx))


def narration_into(ctx: StageContext, reporter: Reporter) -> dict[str, Any]:
    """The narration stage's work, reporting to `reporter` (a stage, or part of one)."""
    soundtrack = pipeline.make_soundtrack(
        render_request(ctx), workdir=ctx.workdir, reporter=reporter
    )
    return {
        "durations": [shot.duration for shot in soundtrack.request.shots],
        "soundtrack": soundtrack.path is not None,
        "narrated": soundtrack.narrated,
    }


def _soundtrack(ctx: StageContext, reporter: Reporter) -> Path | None:
    """The mixed soundtrack in this worker's scratch folder, made again if it is not there."""
    if not (ctx.outputs.get("narration") or {}).get("soundtrack"):
        return None
    path = ctx.workdir / SOUNDTRACK
    if not path.exists():
        reporter.log("Soundtrack not on this worker; mixing it again")
        made = pipeline.make_soundtrack(render_request(ctx), workdir=ctx.workdir, reporter=reporter)
        return made.path
    return path


def video_generation(ctx: StageContext) -> dict[str, Any]:
    """Make the frames with the job type's backend and package them (MP4, HLS, stills).

    A job type without a `narration` stage of its own (a scene's continuation, whose stages
    the StoryForge document names) gets its soundtrack made here first.
    """
    stage = StageReporter(ctx)
    reporter: StageReporter | SpanReporter = stage
    spoken = ctx.outputs.get("narration")
    if spoken is None:
        spoken = narration_into(ctx, stage.part(0, 0.15))
        ctx.outputs["narration"] = spoken
        reporter = stage.part(0.15, 1)
    request = timed_request(ctx)
    backend_name = ctx.input.get("backend") or pipeline.backend_name(ctx.job.type)
    what = (
        f"{len(request.shots)} shots, {request.frame_count} frames at "
        f"{request.width}x{request.height}"
    )
    ctx.log(
        "Rendering video",
        backend=backend_name,
        frames=request.frame_count,
        resolution=f"{request.width}x{request.height}",
    )
    reporter.progress(0.0, f"Rendering the video: {what}")
    packaged, manifest = pipeline.render_video(
        request,
        backend=pipeline.video_backend(backend_name),
        soundtrack=_soundtrack(ctx, reporter.part(0, 0.05)),
        outdir=ctx.workdir / OUTPUT_DIR,
        reporter=FrameMessages(reporter.part(0.05, 1), request.frame_count),
    )
    return {
        "info": packaged.info.to_dict(),
        "manifest": pipeline.manifest_dict(manifest, request),
        "renditions": [f"{r.width}x{r.height}" for r in packaged.renditions],
        "narration": spoken,
    }


class FrameMessages:
    """Says which frame is being rendered when a step reports progress without words.

    The encoder reports bare fractions; the job's message then reads as StoryForge's
    example does ("Rendering frame 650 of 1000"), not as whatever the last stage said.
    """

    def __init__(self, reporter: Reporter, frames: int) -> None:
        self.reporter = reporter
        self.frames = frames

    def progress(self, fraction: float, message: str | None = None) -> None:
        frame = max(1, min(self.frames, round(fraction * self.frames)))
        self.reporter.progress(fraction, message or f"Rendering frame {frame} of {self.frames}")

    def check_cancelled(self) -> None:
        self.reporter.check_cancelled()

    def log(self, message: str, level: str = "info", **details: Any) -> None:
        self.reporter.log(message, level, **details)


def upload(ctx: StageContext) -> dict[str, Any]:
    """Copy the outputs to storage (local disk or S3) under the owner's prefix."""
    outdir = ctx.workdir / OUTPUT_DIR
    if not (outdir / MP4).exists():
        ctx.log("Outputs not on this worker; rendering them again")
        video_generation(ctx)
    stored = storage.upload_tree(outdir, storage.output_prefix(ctx.job.owner_id, ctx.job.pk))
    ctx.progress(1.0, f"Stored the video's {len(stored)} files (MP4, HLS, thumbnail, poster)")
    return {"files": stored}


def stored_files(ctx: StageContext) -> dict[str, str]:
    """The stored outputs, uploaded again if any went missing (e.g. removed by a cancel)."""
    files: dict[str, str] = (ctx.outputs.get("upload") or {}).get("files", {})
    if not files or not all(default_storage.exists(name) for name in files.values()):
        files = upload(ctx)["files"]
    return files


def video_result(ctx_outputs: dict[str, Any], files: dict[str, str]) -> dict[str, Any]:
    """What a finished video job's result holds (storage names; URLs are added when read)."""
    info = ctx_outputs["video_generation"]["info"]
    return {
        "file": files[MP4],
        "hlsFile": files[MASTER],
        "thumbnailFile": files[THUMBNAIL],
        "posterFile": files[POSTER],
        "duration": info["duration"],
        "width": info["width"],
        "height": info["height"],
        "resolution": f"{info['width']}x{info['height']}",
        "fps": info["fps"],
        "fileSize": info["size"],
        "format": "mp4",
        "narrated": (
            ctx_outputs.get("narration") or ctx_outputs["video_generation"].get("narration") or {}
        ).get("narrated", False),
        "renditions": ctx_outputs["video_generation"]["renditions"],
        "manifest": ctx_outputs["video_generation"]["manifest"],
    }


def describe_video(result: dict[str, Any], what: str = "Video") -> str:
    """A finished video job's message: what was made."""
    return (
        f"{what} created: {float(result['duration']):.1f} s at {result['resolution']}, "
        f"HLS ({len(result.get('renditions') or [])} renditions) and MP4"
    )


def video_cost(request: RenderRequest) -> CostEstimate:
    """Priced per second of video, voice and music by the film job API's own function."""
    spoken = request.options.voice is not None and any(shot.spoken_text for shot in request.shots)
    return video_estimate(
        video_duration=round(request.duration, 3),
        include_voice=spoken,
        include_music=request.options.music,
    )


VIDEO_STAGES = (
    Stage("narration", narration, weight=1, message="Narrating the shots"),
    Stage("video_generation", video_generation, weight=8, message="Rendering the video"),
    Stage("upload", upload, weight=1, message="Storing the video"),
)
