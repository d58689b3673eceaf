"""The model catalogue as GET /ai/models lists it: every model and engine, and whether usable.

The API half of the model registry: which model a request names or gets by default, by job
type. Which backend renders a job, on which queue and about how long, is the pipeline's own
(media_pipeline.pipeline.backend_name, queue_for_backend, render_seconds).

One entry per engine (`mdl_` ids). Which are usable depends on this installation: a GPU
worker's diffusers models, an OpenAI-compatible server at LLM_BASE_URL, espeak-ng or a Piper
voice, a speech model for transcription. `status` says so: `active` (what a request of that
kind uses by default), `available` (can be chosen), `unavailable` (not configured here).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings

from media_pipeline.pipeline import backend_name

ModelType = Literal["text", "image", "video", "audio"]
MODEL_TYPES: tuple[ModelType, ...] = ("text", "image", "video", "audio")


def _number(minimum: float, maximum: float, default: float, description: str) -> dict[str, Any]:
    return {
        "type": "number",
        "min": minimum,
        "max": maximum,
        "default": default,
        "description": description,
    }


def _integer(minimum: int, maximum: int, default: int, description: str) -> dict[str, Any]:
    return {
        "type": "integer",
        "min": minimum,
        "max": maximum,
        "default": default,
        "description": description,
    }


def _choice(choices: list[str], default: str, description: str) -> dict[str, Any]:
    return {"type": "string", "enum": choices, "default": default, "description": description}


TEXT_PARAMETERS = {
    "temperature": _number(0, 2, 0.7, "Controls randomness of output"),
    "max_tokens": _integer(1, 4000, 1000, "Maximum number of tokens to generate"),
    "top_p": _number(0, 1, 0.9, "Nucleus sampling: the share of probability mass considered"),
    "top_k": _integer(1, 200, 50, "Only the K most likely next tokens are considered"),
    "seed": _integer(0, 2**31 - 1, 0, "Same seed, same text (local writer)"),
}
IMAGE_PARAMETERS = {
    "resolution": {
        "type": "string",
        "pattern": "WIDTHxHEIGHT",
        "default": "1024x576",
        "description": "Image size, each side 128-1920 and even",
    },
    "steps": _integer(1, 100, 30, "Denoising steps (diffusers)"),
    "guidance_scale": _number(0, 30, 7.5, "Classifier-free guidance (diffusers)"),
    "seed": _integer(0, 2**31 - 1, 0, "Same seed, same image"),
    "negative_prompt": {"type": "string", "default": "", "description": "What to avoid"},
}
VIDEO_PARAMETERS = {
    "duration": _number(0.5, 600, 8, "Seconds of video"),
    "resolution": {
        "type": "string",
        "pattern": "WIDTHxHEIGHT",
        "default": "1280x720",
        "description": "Video size, each side 128-1920 and even",
    },
    "fps": _integer(8, 60, 24, "Frames per second"),
    "seed": _integer(0, 2**31 - 1, 0, "Same seed, same video"),
}


@dataclass(frozen=True)
class ModelSpec:
    """One model or engine as GET /ai/models lists it."""

    id: str
    name: str
    type: ModelType
    description: str
    version: str
    backend: str  # what runs it: animatic, diffusers, rules, openai, espeak, ffmpeg, ...
    tasks: tuple[str, ...]  # the job kinds that may use it
    capabilities: tuple[str, ...]
    performance: dict[str, str]
    parameters: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()  # other names clients use (the documents' "stable_diffusion")
    source: Callable[[], str] = lambda: ""  # model id or path, from settings
    available: Callable[[], bool] = lambda: True
    default_for: Callable[[], tuple[str, ...]] = lambda: ()  # tasks it is the default of
    # When the entry was added to the registry and last changed (its version, its defaults):
    # update `updated_at` with any change of what GET /ai/models shows of it.
    created_at: str = "2026-11-22T00:00:00Z"
    updated_at: str = "2026-11-22T00:00:00Z"

    def status(self) -> str:
        if not self.available():
            return "unavailable"
        return "active" if self.default_for() else "available"


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _diffusers_installed() -> bool:
    return _installed("diffusers") and _installed("torch")


def tts_available() -> bool:
    """Whether narration can be spoken here (espeak-ng installed or a Piper voice set)."""
    from media_pipeline import audio

    return audio.tts_engine() is not None


def transcription_available() -> bool:
    return bool(settings.SPEECH_MODEL) and _installed("faster_whisper")


VIDEO_TASKS = ("video_generation", "film")


def _video_tasks_on(backend: str) -> tuple[str, ...]:
    """The video tasks whose backend, as settings choose, is `backend`."""
    return tuple(task for task in VIDEO_TASKS if backend_name(task) == backend)


MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(
        id="mdl_story_writer",
        name="Story writer",
        type="text",
        description="Local rule-based writer: stories, outlines and summaries offline, no GPU",
        version="1.0",
        backend="rules",
        tasks=("text_generation",),
        capabilities=("text_generation", "story_outline", "summarization", "script_breakdown"),
        performance={"speed": "fast", "accuracy": "low", "cost": "low"},
        parameters=TEXT_PARAMETERS,
        aliases=("story_writer", "rules"),
        default_for=lambda: () if settings.LLM_BASE_URL else ("text_generation",),
    ),
    ModelSpec(
        id="mdl_llm",
        name="Language model (OpenAI-compatible server)",
        type="text",
        description="Any OpenAI-compatible server (vLLM, Ollama, ...) at LLM_BASE_URL",
        version="1.0",
        backend="openai",
        tasks=("text_generation",),
        capabilities=("text_generation", "summarization", "translation", "script_breakdown"),
        performance={"speed": "medium", "accuracy": "high", "cost": "medium"},
        parameters=TEXT_PARAMETERS,
        aliases=("llm", "gemma3", "llama", "mistral", "qwen"),
        source=lambda: f"{settings.LLM_BASE_URL or ''} ({settings.LLM_MODEL})",
        available=lambda: bool(settings.LLM_BASE_URL),
        default_for=lambda: ("text_generation",) if settings.LLM_BASE_URL else (),
    ),
    ModelSpec(
        id="mdl_animatic",
        name="Animatic storyboard renderer",
        type="video",
        description="Moving storyboards on the CPU: composition, captions, camera moves",
        version="1.0",
        backend="animatic",
        tasks=("video_generation", "film", "template_render"),
        capabilities=("text_to_video", "storyboard", "captions", "camera_motion"),
        performance={"speed": "fast", "accuracy": "low", "cost": "low"},
        parameters=VIDEO_PARAMETERS,
        aliases=("animatic", "storyboard"),
        default_for=lambda: _video_tasks_on("animatic"),
    ),
    ModelSpec(
        id="mdl_diffusers_video",
        name="Text-to-video diffusion (diffusers)",
        type="video",
        description="LTX-Video, CogVideoX or Wan on GPU workers (DIFFUSERS_VIDEO_MODEL)",
        version="1.0",
        backend="diffusers",
        tasks=("video_generation", "film", "template_render"),
        capabilities=("text_to_video",),
        performance={"speed": "slow", "accuracy": "high", "cost": "high"},
        parameters={**VIDEO_PARAMETERS, "steps": _integer(1, 100, 30, "Denoising steps")},
        aliases=("ltx", "ltx_video", "cogvideox", "wan", "diffusers"),
        source=lambda: settings.DIFFUSERS_VIDEO_MODEL,
        available=_diffusers_installed,
        default_for=lambda: _video_tasks_on("diffusers"),
    ),
    ModelSpec(
        id="mdl_storyboard_still",
        name="Storyboard frame",
        type="image",
        description="A storyboard frame drawn on the CPU from the prompt and style",
        version="1.0",
        backend="animatic",
        tasks=("image_generation",),
        capabilities=("text_to_image", "keyframes", "thumbnails"),
        performance={"speed": "fast", "accuracy": "low", "cost": "low"},
        parameters=IMAGE_PARAMETERS,
        aliases=("storyboard_still",),
        default_for=lambda: (
            ("image_generation",) if settings.MEDIA_IMAGE_BACKEND == "animatic" else ()
        ),
    ),
    ModelSpec(
        id="mdl_diffusers_image",
        name="Text-to-image diffusion (diffusers)",
        type="image",
        description="Stable Diffusion, SDXL or FLUX on GPU workers (DIFFUSERS_IMAGE_MODEL)",
        version="1.0",
        backend="diffusers",
        tasks=("image_generation",),
        capabilities=("text_to_image", "keyframes", "thumbnails"),
        performance={"speed": "medium", "accuracy": "high", "cost": "medium"},
        parameters=IMAGE_PARAMETERS,
        aliases=("stable_diffusion", "sdxl", "flux"),
        source=lambda: settings.DIFFUSERS_IMAGE_MODEL,
        available=_diffusers_installed,
        default_for=lambda: (
            ("image_generation",) if settings.MEDIA_IMAGE_BACKEND == "diffusers" else ()
        ),
    ),
    ModelSpec(
        id="mdl_ffmpeg_video",
        name="Video processing (ffmpeg)",
        type="video",
        description="Enhancement, stabilisation, resize and transcode with ffmpeg filters",
        version="1.0",
        backend="ffmpeg",
        tasks=("video_processing",),
        capabilities=("enhancement", "stabilization", "resize", "transcode"),
        performance={"speed": "fast", "accuracy": "high", "cost": "low"},
        aliases=("ffmpeg", "video_processing"),
        default_for=lambda: ("video_processing",),
    ),
    ModelSpec(
        id="mdl_ffmpeg_audio",
        name="Audio processing (ffmpeg)",
        type="audio",
        description="Transcode, loudness normalisation and noise reduction with ffmpeg filters",
        version="1.0",
        backend="ffmpeg",
        tasks=("audio_processing",),
        capabilities=("transcode", "normalize", "noise_reduction"),
        performance={"speed": "fast", "accuracy": "high", "cost": "low"},
        aliases=("audio_processing",),
        default_for=lambda: ("audio_processing",),
    ),
    ModelSpec(
        id="mdl_tts",
        name="Narration (text-to-speech)",
        type="audio",
        description="espeak-ng when installed, a Piper voice when PIPER_MODEL is set",
        version="1.0",
        backend="tts",
        tasks=("video_generation", "film", "template_render"),
        capabilities=("text_to_speech", "narration"),
        performance={"speed": "fast", "accuracy": "medium", "cost": "low"},
        aliases=("tts", "espeak", "piper"),
        source=lambda: settings.PIPER_MODEL or "espeak-ng",
        available=tts_available,
        default_for=lambda: ("narration",),
    ),
    ModelSpec(
        id="mdl_music",
        name="Music bed synthesiser",
        type="audio",
        description="A music bed to match the mood and genre, mixed under the narration",
        version="1.0",
        backend="synth",
        tasks=("video_generation", "film", "template_render"),
        capabilities=("music_generation",),
        performance={"speed": "fast", "accuracy": "medium", "cost": "low"},
        aliases=("music",),
        default_for=lambda: ("music",),
    ),
    ModelSpec(
        id="mdl_whisper",
        name="Speech recognition (Whisper)",
        type="audio",
        description="Transcription with a local Whisper model (SPEECH_MODEL); none by default",
        version="1.0",
        backend="whisper",
        tasks=("audio_processing",),
        capabilities=("transcription",),
        performance={"speed": "medium", "accuracy": "high", "cost": "low"},
        aliases=("whisper",),
        source=lambda: settings.SPEECH_MODEL,
        available=transcription_available,
        default_for=lambda: ("transcription",) if transcription_available() else (),
    ),
)
_BY_ID = {spec.id: spec for spec in MODELS}


def models(type: str | None = None) -> list[ModelSpec]:
    """Every registered model, or those of one type."""
    return [spec for spec in MODELS if type is None or spec.type == type]


def get(model_id: str) -> ModelSpec:
    """A model by id or alias; LookupError if there is none."""
    if model_id in _BY_ID:
        return _BY_ID[model_id]
    wanted = model_id.strip().lower()
    for spec in MODELS:
        if wanted in spec.aliases or (
            spec.id == "mdl_llm" and wanted == settings.LLM_MODEL.lower()
        ):
            return spec
    raise LookupError(model_id)


def default_for(task: str) -> ModelSpec:
    """The model a request of `task` uses when it names none."""
    for spec in MODELS:
        if task in spec.default_for():
            return spec
    raise LookupError(task)


def resolve(model: str | None, *, task: str) -> ModelSpec:
    """The model a request asks for (by id or alias), checked to do `task` and be usable here.

    Raises ValueError with a message for the client: unknown model, wrong kind, not usable here.
    """
    if not model:
        return default_for(task)
    try:
        spec = get(model)
    except LookupError:
        usable = ", ".join(s.id for s in MODELS if task in s.tasks)
        raise ValueError(f"Unknown model {model!r}; models for this request: {usable}.") from None
    if task not in spec.tasks:
        raise ValueError(f"Model {spec.id} does not do {task.replace('_', ' ')}.")
    if not spec.available():
        raise ValueError(f"Model {spec.id} is not configured on this platform.")
    return spec
