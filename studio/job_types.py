"""The generation job types: video, film, text, image, video and audio processing, tuning.

Each registers with the jobs engine: its stages (media_pipeline does the work), how its input
is checked before anything is queued (`prepare`), its price and its result.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings

from jobs import registry, rendering
from jobs.costs import PER_IMAGE, film_estimate
from jobs.engine import StageContext
from jobs.models import Job, JobStatus
from jobs.registry import CostEstimate, JobType, Stage
from jobs.reporting import StageReporter
from media_pipeline import images, storage
from media_pipeline.pipeline import OUTPUT_DIR, backend_name, queue_for_backend
from studio import inputs, processing, services, tuning
from studio import model_catalog as models

VIDEO = "video_generation"
FILM = "film"
TEXT = "text_generation"
IMAGE = "image_generation"
VIDEO_PROCESSING = "video_processing"
AUDIO_PROCESSING = "audio_processing"
MODEL_OPTIMIZATION = "model_optimization"


def _queue_of(job_type: str) -> Callable[[dict[str, Any]], Literal["cpu", "gpu"]]:
    """The queue of a job: its model's backend's, else the backend settings give its type."""
    return lambda data: queue_for_backend(data.get("backend") or backend_name(job_type))


def _remove_outputs(job: Job) -> None:
    """A cancelled job's stored files go with it (a failed one keeps them for its retry)."""
    if job.status == JobStatus.CANCELLED:
        storage.delete_outputs(owner_id=job.owner_id, job_id=job.pk)


# --- screening: the texts of each input that moderation reads before a job is queued -------


def _request_texts(request: dict[str, Any]) -> list[str]:
    """Every text of a render request that ends up seen or heard: shots, narration, dialogue."""
    texts = [str(request.get("title") or "")]
    for shot in request.get("shots") or []:
        texts += [str(shot.get("prompt") or ""), str(shot.get("narration") or "")]
        texts += [str(line.get("line") or "") for line in shot.get("dialogue") or []]
    return texts


def _context_texts(data: dict[str, Any]) -> list[str]:
    context = data.get("context") or {}
    return [value for value in context.values() if isinstance(value, str)]


def _screen_video(data: dict[str, Any]) -> list[str]:
    """Prompt, title and the render request's shots (template renders included)."""
    texts = [str(data.get("prompt") or ""), str(data.get("title") or "")]
    return texts + _request_texts(data.get("request") or {})


def _screen_film(data: dict[str, Any]) -> list[str]:
    return [data["script"], str(data.get("title") or "")]


def _screen_prompt(data: dict[str, Any]) -> list[str]:
    # A negative prompt names what to keep out of an image: it is not screened as content.
    return [data["prompt"], *_context_texts(data)]


# --- video ---------------------------------------------------------------------------------


def finalization(ctx: StageContext) -> dict[str, Any]:
    """The clip: the stored files, what they hold and how they were made."""
    files = rendering.stored_files(ctx)
    clip = services.clip_create_for_job(
        job=ctx.job, result=rendering.video_result(ctx.outputs, files)
    )
    return {"clipId": clip.pk, "files": files}


def hide_removed(result: dict[str, Any]) -> dict[str, Any]:
    """A clip a moderator removed keeps its files for a possible restore, but nobody gets
    links to them through the job any more (services.clip_set_removed marks the result).

    Every other stored file becomes a signed URL for every job type (jobs.results).
    """
    if result.get("removed"):
        return {"clipId": result.get("clipId"), "removed": True}
    return result


FINALIZATION = Stage("finalization", finalization, weight=0.2, message="Saving the clip")


def _video_result(job: Job, outputs: dict[str, Any]) -> dict[str, Any]:
    files = outputs["finalization"]["files"]
    return {"clipId": outputs["finalization"]["clipId"], **rendering.video_result(outputs, files)}


# --- film: script → images → video with voice and music ------------------------------------


def script_breakdown(ctx: StageContext) -> dict[str, Any]:
    """The script becomes shots: what is seen, what is said, how long, how it is shot."""
    request = inputs.film_request(ctx.input)
    ctx.log("Script broken down into shots", shots=len(request.shots))
    return {"request": request.to_dict()}


def image_generation(ctx: StageContext) -> dict[str, Any]:
    """The film's keyframes: `num_images` stills spread over the shots."""
    request = rendering.render_request(ctx)
    count = int(ctx.input["config"]["num_images"])
    backend = ctx.input.get("image_backend") or settings.MEDIA_IMAGE_BACKEND
    folder = ctx.workdir / OUTPUT_DIR / "images"
    folder.mkdir(parents=True, exist_ok=True)
    reporter = StageReporter(ctx)
    made = []
    for index in range(count):
        name = f"images/keyframe_{index + 1:03d}.jpg"
        target = ctx.workdir / OUTPUT_DIR / name
        if not target.exists():
            shot = request.shots[index * len(request.shots) // count]
            image = images.make_image(
                images.ImageRequest(
                    prompt=shot.prompt,
                    width=request.width,
                    height=request.height,
                    seed=request.seed + index,
                    style=request.style,
                ),
                backend=backend,
                reporter=reporter.part(index / count, (index + 1) / count),
            )
            image.convert("RGB").save(target, "JPEG", quality=90)
        made.append(name)
        reporter.progress((index + 1) / count, f"Keyframe {index + 1} of {count}")
    return {"images": made}


def _film_result(job: Job, outputs: dict[str, Any]) -> dict[str, Any]:
    result = _video_result(job, outputs)
    files = outputs["finalization"]["files"]
    result["imageFiles"] = [files[name] for name in outputs["image_generation"]["images"]]
    return result


def _film_actual_cost(job: Job, outputs: dict[str, Any]) -> Decimal:
    """What was made: the keyframes, the seconds of video, the voice if one spoke."""
    config = job.input["config"]
    duration = outputs["video_generation"]["info"]["duration"]
    return film_estimate(
        num_images=len(outputs["image_generation"]["images"]),
        video_duration=duration,
        include_voice=bool(config["include_voice"]) and outputs["narration"]["narrated"],
        include_music=bool(config["include_music"]),
    ).total


def _film_estimate(data: dict[str, Any]) -> CostEstimate:
    config = data["config"]
    return film_estimate(
        num_images=config["num_images"],
        video_duration=config["video_duration"],
        include_voice=config["include_voice"],
        include_music=config["include_music"],
    )


# --- text ----------------------------------------------------------------------------------


def generate_text(ctx: StageContext) -> dict[str, Any]:
    """Write the text with the local writer or the configured language model."""
    import storytext

    started = time.monotonic()
    result = storytext.generate_text(
        ctx.input["prompt"],
        parameters=ctx.input.get("parameters", {}),
        context=ctx.input.get("context", {}),
        seed=int(ctx.input.get("parameters", {}).get("seed", 0)),
        reporter=StageReporter(ctx),
        model="rule-writer" if ctx.input["model"] == "mdl_story_writer" else None,
    )
    return {
        "text": result.text,
        "tokensUsed": result.tokens_used,
        "completionTime": round(time.monotonic() - started, 3),
        "model": result.model,
        "finishReason": result.finish_reason,
    }


# --- image ---------------------------------------------------------------------------------


def generate_image(ctx: StageContext) -> dict[str, Any]:
    """Make the image and store it as a JPEG under the owner's prefix."""
    started = time.monotonic()
    request = inputs.image_request(ctx.input)
    image = images.make_image(request, backend=ctx.input["backend"], reporter=StageReporter(ctx))
    out = ctx.workdir / OUTPUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    image.convert("RGB").save(out / "image.jpg", "JPEG", quality=92)
    stored = storage.upload_tree(out, storage.output_prefix(ctx.job.owner_id, ctx.job.pk))
    name = stored["image.jpg"]
    return {
        "imageFile": name,
        "resolution": f"{image.width}x{image.height}",
        "fileSize": (out / "image.jpg").stat().st_size,
        "generationTime": round(time.monotonic() - started, 3),
        "model": ctx.input["model"],
    }


# --- video and audio processing ------------------------------------------------------------


def _processing(kind: processing.Kind) -> JobType:
    return JobType(
        name=f"{kind}_processing",
        stages=(
            Stage(
                "process",
                lambda ctx: processing.process(kind, ctx),
                message=f"Processing the {kind}",
            ),
        ),
        prepare=lambda data, owner: processing.prepare(kind, data, owner),
        result=lambda job, outputs: outputs["process"],
        completed_message=lambda job, result: (
            f"{kind.capitalize()} processed ({', '.join(result['operations']) or 'copied'}): "
            f"{float(result['duration']):.1f} s"
        ),
        on_finished=_remove_outputs,
        time_limit=3600,
    )


# --- registration (StudioConfig.ready) ----------------------------------------------------


def register() -> None:
    """Register the generation job types with the jobs engine (StudioConfig.ready)."""
    registry.register(
        JobType(
            name=VIDEO,
            stages=(*rendering.VIDEO_STAGES, FINALIZATION),
            queue=queue_for_backend(backend_name(VIDEO)),
            queue_for=_queue_of(VIDEO),
            prepare=inputs.prepare_video,
            screen=_screen_video,
            estimate=lambda data: rendering.video_cost(inputs.request_of(data)),
            result=_video_result,
            present=hide_removed,
            completed_message=lambda job, result: rendering.describe_video(result),
            on_finished=_remove_outputs,
            time_limit=4 * 3600,
        )
    )
    registry.register(
        JobType(
            name=FILM,
            stages=(
                Stage(
                    "script_breakdown",
                    script_breakdown,
                    weight=0.5,
                    message="Breaking the script into shots",
                ),
                Stage("image_generation", image_generation, weight=2, message="Drawing keyframes"),
                *rendering.VIDEO_STAGES,
                FINALIZATION,
            ),
            queue=queue_for_backend(backend_name(FILM)),
            queue_for=_queue_of(FILM),
            prepare=inputs.prepare_film,
            screen=_screen_film,
            screen_context="script",
            estimate=_film_estimate,
            actual_cost=_film_actual_cost,
            result=_film_result,
            present=hide_removed,
            completed_message=lambda job, result: (
                rendering.describe_video(result, "Film")
                + f", {len(result['imageFiles'])} keyframes"
            ),
            on_finished=_remove_outputs,
            time_limit=4 * 3600,
        )
    )
    registry.register(
        JobType(
            name=TEXT,
            stages=(Stage("generate", generate_text, message="Writing the text"),),
            prepare=inputs.prepare_text,
            screen=_screen_prompt,
            result=lambda job, outputs: outputs["generate"],
            completed_message=lambda job, result: f"Text written: {result['tokensUsed']} tokens",
            time_limit=600,
        )
    )
    registry.register(
        JobType(
            name=IMAGE,
            stages=(Stage("generate", generate_image, message="Drawing the image"),),
            queue_for=lambda data: queue_for_backend(data.get("backend", "")),
            prepare=inputs.prepare_image,
            screen=_screen_prompt,
            estimate=lambda data: CostEstimate(PER_IMAGE, {"image_generation": PER_IMAGE}),
            result=lambda job, outputs: outputs["generate"],
            completed_message=lambda job, result: f"Image created at {result['resolution']}",
            on_finished=_remove_outputs,
            time_limit=1800,
        )
    )
    registry.register(_processing("video"))
    registry.register(_processing("audio"))
    registry.register(
        JobType(
            name=MODEL_OPTIMIZATION,
            stages=(Stage("optimize", tuning.optimize, message="Tuning the model"),),
            queue_for=lambda data: queue_for_backend(models.get(data["model_id"]).backend),
            prepare=tuning.prepare,
            result=lambda job, outputs: outputs["optimize"],
            time_limit=1800,
        )
    )
