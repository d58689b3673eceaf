"""The scene job types and their five stages (StoryForge's continuation pipeline).

`scene_creation` renders segment 1 from the initial script; `scene_continuation` renders the
next segment from a user's text and grows the bible a version. Both run:

1. script_expansion: the text becomes a shot list (narration, dialogue, durations, camera)
   in the bible's style;
2. continuity_validation: errors fail the job with CONTINUITY_VIOLATION before any GPU time is
   spent; warnings are kept on the job and the segment;
3. video_generation and 4. upload: the media pipeline renders and stores the shots;
5. finalization: the segment, the bible's next version, the scene's counters, the events.

Every stage first makes sure the job still holds the scene at its version
(`services.scene_rehold`): a job retried after its hold was released takes it again with the
same conditional UPDATE as a new continuation, or fails with BIBLE_VERSION_MISMATCH.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings

from config.api.errors import ValidationFailed
from jobs import registry, rendering
from jobs.costs import video_estimate
from jobs.engine import StageContext, StageFailed
from jobs.models import Job, JobStatus
from jobs.registry import CostEstimate, JobType, Stage
from media_pipeline import storage
from media_pipeline.pipeline import backend_name, queue_for_backend, render_seconds
from media_pipeline.request import (
    GENRES,
    MOODS,
    STYLES,
    RenderOptions,
    RenderRequest,
    RenderRequestInvalid,
    Shot,
)
from scenes import services
from scenes.models import BibleVersion, Scene

WORDS_PER_SECOND = 2.5  # narration pace, for the estimate before the shots exist

# Words in a style guide that choose the renderer's look, mood and music genre.
_STYLE_WORDS = {
    "anime": "anime",
    "animated": "anime",
    "cartoon": "anime",
    "painterly": "watercolor",
    "cyberpunk": "neon",
    "retro": "vintage",
    "grain": "vintage",
    "fairy": "storybook",
    "documentary": "documentary",
}
_GENRE_WORDS = {
    "science fiction": "scifi",
    "sci-fi": "scifi",
    "space": "scifi",
    "cyberpunk": "scifi",
    "romantic": "romance",
    "mysterious": "mystery",
    "suspense": "thriller",
}
_MOOD_WORDS = {
    "dark": "tense",
    "suspense": "tense",
    "hopeful": "happy",
    "joyful": "happy",
    "melancholic": "sad",
    "grand": "epic",
    "eerie": "mysterious",
    "peaceful": "calm",
}


def _pick(text: str, allowed: tuple[str, ...], words: dict[str, str], default: str) -> str:
    """The first of `allowed` (or of their synonyms) that the text names, else `default`."""
    lowered = text.lower()
    found = [(lowered.find(word), word) for word in allowed if word in lowered]
    found += [(lowered.find(word), words[word]) for word in words if word in lowered]
    return min(found)[1] if found else default


def render_settings(bible: dict[str, Any]) -> dict[str, str]:
    """The renderer's style, mood and music genre from the bible's style guide."""
    guide = bible.get("styleGuide") or {}
    visual = str(guide.get("visualStyle") or "")
    tone = str(guide.get("tone") or "")
    genre = str(guide.get("genre") or "")
    return {
        "style": _pick(visual, STYLES, _STYLE_WORDS, "cinematic"),
        "mood": _pick(tone, MOODS, _MOOD_WORDS, "neutral"),
        "genre": _pick(genre, GENRES, _GENRE_WORDS, "drama"),
    }


# --- input ----------------------------------------------------------------------------------


def prepare(data: dict[str, Any], owner: Any) -> dict[str, Any]:
    """A scene job's input: the scene, the text and the version it was written against."""
    scene_id = data.get("sceneId")
    if not isinstance(scene_id, str) or not Scene.objects.filter(pk=scene_id).exists():
        raise ValidationFailed.for_field("sceneId", "Unknown scene.")
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValidationFailed.for_field("text", "The text may not be empty.")
    if len(text) > settings.SCENE_MAX_TEXT_CHARS:
        raise ValidationFailed.for_field(
            "text", f"At most {settings.SCENE_MAX_TEXT_CHARS} characters."
        )
    version = data.get("bibleVersion")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValidationFailed.for_field("bibleVersion", "A version number (1 or more).")
    return {"sceneId": scene_id, "text": text.strip(), "bibleVersion": version}


def estimated_seconds(text: str) -> float:
    """The video a text makes, before its shots exist: its narration at a steady pace."""
    words = len(text.split())
    return float(min(settings.MEDIA_LIMITS["max_seconds"], max(4.0, words / WORDS_PER_SECOND)))


def estimate(data: dict[str, Any]) -> CostEstimate:
    """Priced as the video job is: per second of video, voice, music and packaging."""
    seconds = round(estimated_seconds(str(data.get("text") or "")), 3)
    return video_estimate(video_duration=seconds, include_voice=True, include_music=True)


def estimated_time(job: Job) -> int:
    """Seconds the job should take once started (a rough figure per backend)."""

    seconds = estimated_seconds(str(job.input.get("text") or ""))
    return max(1, math.ceil(render_seconds(backend_name(job.type), seconds) + 5))


# --- stages ---------------------------------------------------------------------------------


def _hold(ctx: StageContext) -> None:
    """The job still holds the scene at its version, or takes it again; else it stops."""
    scene_id, version = ctx.input["sceneId"], int(ctx.input["bibleVersion"])
    if services.scene_rehold(scene_id=scene_id, job_id=ctx.job.pk, version=version):
        return
    scene = Scene.objects.filter(pk=scene_id).first()
    current = scene.bible_version if scene is not None else None
    ctx.progress(0.0, "The scene changed since this text was written")
    raise StageFailed(
        "BIBLE_VERSION_MISMATCH",
        f"Scene is at bible version {current}, this job was written against {version}"
        if current != version
        else "Another continuation of this scene is being processed",
    )


def _bible(ctx: StageContext) -> dict[str, Any]:
    row = BibleVersion.objects.filter(
        scene_id=ctx.input["sceneId"], version=int(ctx.input["bibleVersion"])
    ).first()
    if row is None:
        raise StageFailed("GENERATION_FAILED", "The scene's bible version is missing")
    return dict(row.content)


def script_expansion(ctx: StageContext) -> dict[str, Any]:
    """The text becomes shots in the bible's style, at the scenes' render size."""
    _hold(ctx)
    text = ctx.input["text"]
    scene = Scene.objects.select_related("idea", "topic").get(pk=ctx.input["sceneId"])
    if ctx.job.type == services.SCENE_CREATION and scene.initial_script != text:
        # Retried with modifiedText: version 1 is redrawn from the new script.
        services.bible_redraft(scene=scene, script=text, author=None)
    bible = _bible(ctx)
    seed = sum(map(ord, scene.pk)) % 100_000  # one scene, one look
    ctx.progress(0.1, "Expanding the script into shots")
    shots: list[Shot] = list(services._analyzer().expand(text=text, bible=bible, seed=seed))
    look = render_settings(bible)
    render = settings.SCENE_RENDER
    try:
        request = RenderRequest.from_dict(
            RenderRequest(
                shots=tuple(shots),
                width=render["width"],
                height=render["height"],
                fps=render["fps"],
                seed=seed,
                style=look["style"],
                title=scene.title,
                options=RenderOptions(genre=look["genre"], mood=look["mood"]),
            ).to_dict()
        )
    except RenderRequestInvalid as invalid:
        message = f"The shot list cannot be rendered: {invalid}"
        raise StageFailed("GENERATION_FAILED", message) from None
    ctx.log("Script expanded into shots", shots=len(request.shots), duration=request.duration)
    return {"request": request.to_dict(), "segmentNumber": services.next_sequence(scene.pk)}


def continuity_validation(ctx: StageContext) -> dict[str, Any]:
    """Check the text and its shots against the bible: errors stop the job here."""
    _hold(ctx)
    expansion = ctx.outputs["script_expansion"]
    shots = list(RenderRequest.from_dict(expansion["request"]).shots)
    issues = list(
        services._analyzer().validate(
            text=ctx.input["text"],
            shots=shots,
            bible=_bible(ctx),
            segment_number=int(expansion["segmentNumber"]),
        )
    )
    # Imported at call time, as services._analyzer does: the analysis stays out of start-up.
    from scenes import analysis

    errors, warnings = analysis.errors(issues), analysis.warnings(issues)
    if errors:
        ctx.progress(1.0, "Continuity validation failed")
        raise StageFailed(
            "CONTINUITY_VIOLATION",
            "Script contains contradictions with Scene Bible",
            issues=errors,
        )
    if warnings:
        ctx.log("Continuity warnings", level="warn", warnings=warnings)
    ctx.progress(1.0, "Continuity checked" + (f": {len(warnings)} warnings" if warnings else ""))
    return {"warnings": warnings}


def video_generation(ctx: StageContext) -> dict[str, Any]:
    _hold(ctx)
    return rendering.video_generation(ctx)


def upload(ctx: StageContext) -> dict[str, Any]:
    _hold(ctx)
    return rendering.upload(ctx)


def finalization(ctx: StageContext) -> dict[str, Any]:
    """The segment, the bible's next version, the scene's counters, in one transaction."""
    _hold(ctx)
    files = rendering.stored_files(ctx)
    video = rendering.video_result(ctx.outputs, files)
    expansion = ctx.outputs["script_expansion"]
    request = RenderRequest.from_dict(expansion["request"])
    segment_number = int(expansion["segmentNumber"])
    new_bible = None
    if ctx.job.type == services.SCENE_CONTINUATION:
        new_bible = services._analyzer().update_bible(
            bible=_bible(ctx),
            text=ctx.input["text"],
            shots=list(request.shots),
            segment_number=segment_number,
        )
    ctx.check_cancelled()
    try:
        done = services.segment_finalize(
            job=ctx.job,
            text=ctx.input["text"],
            shots=expansion["request"]["shots"],
            warnings=ctx.outputs["continuity_validation"]["warnings"],
            video=video,
            new_bible=new_bible,
        )
    except services.HoldLost:
        raise StageFailed(
            "BIBLE_VERSION_MISMATCH", "The scene changed before this segment was finalised"
        ) from None
    segment = done.segment
    ctx.log(
        f"Segment {segment.sequence} added to the scene",
        segmentId=segment.pk,
        sceneId=segment.scene_id,
        bibleVersion=done.bible_version,
    )
    return {
        "segmentId": segment.pk,
        "sequence": segment.sequence,
        "bibleVersion": done.bible_version,
        "files": files,
    }


# --- result, presentation, release, retry ----------------------------------------------------


def result(job: Job, outputs: dict[str, Any]) -> dict[str, Any]:
    final = outputs["finalization"]
    video = rendering.video_result(outputs, final["files"])
    return {
        "segmentId": final["segmentId"],
        "sceneId": job.input["sceneId"],
        "sequence": final["sequence"],
        "bibleVersion": final["bibleVersion"],
        "continuityWarnings": outputs["continuity_validation"]["warnings"],
        **{key: video[key] for key in ("file", "hlsFile", "thumbnailFile", "posterFile")},
        **{key: video[key] for key in ("duration", "width", "height", "resolution", "fps")},
    }


def completed_message(job: Job, result: dict[str, Any]) -> str:
    """What the job made: the segment, its length, the bible version it brought."""
    return (
        f"Segment {result['sequence']} created successfully: "
        f"{float(result['duration']):.1f} s of video, bible version {result['bibleVersion']}"
    )


def on_finished(job: Job) -> None:
    """A failed or cancelled scene job releases the scene; a cancelled one drops its files."""
    scene_id = job.input.get("sceneId") or job.scene_id
    if scene_id:
        services.scene_release(scene_id=scene_id, job_id=job.pk)
        if job.status == JobStatus.MODERATION_FAILED and job.type == services.SCENE_CREATION:
            # Its script did not pass screening: the scene never goes public.
            scene = Scene.objects.filter(pk=scene_id).first()
            if scene is not None:
                services.scene_set_moderation(scene=scene, status="rejected")
    if job.status == JobStatus.CANCELLED:
        storage.delete_outputs(owner_id=job.owner_id, job_id=job.pk)


def apply_retry(
    data: dict[str, Any], modified_text: str | None, retry_parameters: dict[str, Any]
) -> dict[str, Any]:
    """`modifiedText` is the new text; the scene must still be at the job's version and free."""
    if retry_parameters:
        raise ValidationFailed.for_field(
            "retryParameters", "A scene job takes no parameters; send modifiedText."
        )
    scene = Scene.objects.filter(pk=data.get("sceneId")).first()
    if scene is None:
        raise ValidationFailed.for_field("sceneId", "Unknown scene.")
    version = int(data["bibleVersion"])
    if scene.bible_version != version or scene.is_held:
        raise services.BibleVersionMismatch.for_versions(
            yours=version, current=scene.bible_version, busy=scene.is_held
        )
    return {**data, "text": modified_text if modified_text is not None else data["text"]}


STAGES = (
    Stage("script_expansion", script_expansion, weight=1, message="Expanding the script"),
    Stage(
        "continuity_validation",
        continuity_validation,
        weight=0.5,
        message="Checking continuity against the Scene Bible",
    ),
    Stage("video_generation", video_generation, weight=8, message="Rendering the video"),
    Stage("upload", upload, weight=1, message="Storing the video"),
    Stage("finalization", finalization, weight=0.5, message="Adding the segment to the scene"),
)


def screened_texts(data: dict[str, Any]) -> list[str]:
    """What screening reads before a scene job is queued: the text, and a new scene's title."""
    title = Scene.objects.filter(pk=data.get("sceneId")).values_list("title", flat=True).first()
    return [data.get("text", ""), title or ""]


def register() -> None:
    """Register both scene job types with the jobs engine (ScenesConfig.ready)."""
    for name in (services.SCENE_CREATION, services.SCENE_CONTINUATION):
        registry.register(
            JobType(
                name=name,
                stages=STAGES,
                queue=queue_for_backend(backend_name(name)),
                prepare=prepare,
                estimate=estimate,
                result=result,
                completed_message=completed_message,
                on_finished=on_finished,
                apply_retry=apply_retry,
                screen=screened_texts,
                screen_context="continuation",
                time_limit=4 * 3600,
            )
        )
