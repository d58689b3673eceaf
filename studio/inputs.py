"""Checking a generation request before anything is queued, and turning it into job input.

Everything here raises `ValidationFailed` with one detail per bad field, so a client hears
about an unknown model, a resolution out of range, a video too long or an empty prompt at
once, and no job (or cost) is created. Keys are snake_case here: the API's parser has already
turned the client's camelCase into it.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

from config.api.errors import ValidationFailed
from config.api.exceptions import camel
from media_pipeline.images import ImageRequest
from media_pipeline.request import (
    GENRES,
    MOODS,
    STYLES,
    RenderRequest,
    RenderRequestInvalid,
)
from studio import model_catalog as models

Issues = list[dict[str, str]]

RESOLUTION = re.compile(r"^\s*(\d{2,5})\s*[xX\u00d7]\s*(\d{2,5})\s*$")
# The documents' words for styles, moods and genres, onto the renderer's.
STYLE_ALIASES = {
    "realistic": "cinematic",
    "photorealistic": "cinematic",
    "cartoon": "storybook",
    "animated": "anime",
    "retro": "vintage",
    "black_and_white": "noir",
    "cyberpunk": "neon",
}
MOOD_ALIASES = {
    "inspiring": "epic",
    "uplifting": "happy",
    "joyful": "happy",
    "dark": "tense",
    "suspenseful": "tense",
    "scary": "tense",
    "melancholic": "sad",
    "peaceful": "calm",
    "relaxed": "calm",
    "dramatic": "epic",
}
GENRE_ALIASES = {
    "cinematic": "drama",
    "sci-fi": "scifi",
    "science fiction": "scifi",
    "science_fiction": "scifi",
    "action": "adventure",
    "nature": "documentary",
}
QUALITY_RESOLUTIONS = {"low": (640, 360), "medium": (1280, 720), "high": (1920, 1080)}
VOICE_ALIASES = {"default": "en", "narrator": "en"}


def tuned_defaults(*, owner: Any, model_id: str, task: str) -> dict[str, Any]:
    """The owner's tuned parameters for a model and task (POST /ai/models/:id/optimize)."""
    from studio.tuning import tuned_defaults as stored

    return stored(owner=owner, model_id=model_id, task=task)


def fail(issues: Issues) -> ValidationFailed:
    """A 400 naming each bad field as the client spelt it (camelCase paths)."""
    issues = [{**issue, "field": camel(issue["field"])} for issue in issues]
    message = issues[0]["message"] if len(issues) == 1 else "Invalid generation request"
    return ValidationFailed(message, details=issues)


def _choice(value: Any, allowed: tuple[str, ...], aliases: dict[str, str], field: str) -> str:
    word = str(value).strip().lower().replace(" ", "_") if value is not None else ""
    word = aliases.get(word, aliases.get(str(value).strip().lower(), word))
    if word not in allowed:
        raise fail([{"field": field, "message": f"One of: {', '.join(allowed)}."}])
    return word


def style_of(value: Any, field: str = "style") -> str:
    return _choice(value or "cinematic", STYLES, STYLE_ALIASES, field)


def mood_of(value: Any, field: str = "mood") -> str:
    return _choice(value or "neutral", MOODS, MOOD_ALIASES, field)


def genre_of(value: Any, field: str = "genre") -> str:
    return _choice(value or "drama", GENRES, GENRE_ALIASES, field)


def voice_of(value: Any, field: str = "voice") -> str | None:
    """A narration voice the TTS engine knows; None (no voice) for false/"none"."""
    if value in (None, False, "none", ""):
        return None
    voice = VOICE_ALIASES.get(str(value).lower(), str(value))
    from media_pipeline import audio

    problem = audio.validate_voice(voice)
    if problem:
        raise fail([{"field": field, "message": problem}])
    return voice


def resolution_of(value: Any, field: str = "resolution") -> tuple[int, int]:
    match = RESOLUTION.match(str(value)) if isinstance(value, str) else None
    if not match:
        raise fail([{"field": field, "message": "Must look like 1280x720."}])
    return int(match.group(1)), int(match.group(2))


def check_parameters(
    params: Any, schema: dict[str, Any], *, field: str = "parameters"
) -> dict[str, Any]:
    """Client parameters against a model's declared ones: known names, types, ranges."""
    if params is None:
        return {}
    if not isinstance(params, dict):
        raise fail([{"field": field, "message": "Must be an object."}])
    issues: Issues = []
    checked: dict[str, Any] = {}
    for name, value in params.items():
        spec = schema.get(name)
        where = f"{field}.{name}"
        if spec is None:
            known = ", ".join(sorted(schema)) or "none"
            issues.append({"field": where, "message": f"Unknown parameter; known: {known}."})
            continue
        kind = spec["type"]
        if kind in ("number", "integer"):
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            if not numeric or (kind == "integer" and not float(value).is_integer()):
                issues.append(
                    {
                        "field": where,
                        "message": f"Must be {'an' if kind == 'integer' else 'a'} {kind}.",
                    }
                )
                continue
            if not spec["min"] <= value <= spec["max"]:
                issues.append(
                    {"field": where, "message": f"Must be from {spec['min']} to {spec['max']}."}
                )
                continue
            checked[name] = int(value) if kind == "integer" else float(value)
        elif not isinstance(value, str):
            issues.append({"field": where, "message": "Must be a string."})
        elif "enum" in spec and value not in spec["enum"]:
            issues.append({"field": where, "message": f"One of: {', '.join(spec['enum'])}."})
        else:
            checked[name] = value
    if issues:
        raise fail(issues)
    return checked


def model_for(model: Any, *, task: str) -> models.ModelSpec:
    try:
        return models.resolve(str(model) if model else None, task=task)
    except ValueError as exc:
        raise fail([{"field": "model", "message": str(exc)}]) from None


def prompt_of(value: Any, field: str = "prompt", limit: int = 4000) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise fail([{"field": field, "message": "The prompt may not be empty."}])
    if len(text) > limit:
        raise fail([{"field": field, "message": f"At most {limit} characters."}])
    return text


def _render_request(data: dict[str, Any]) -> RenderRequest:
    try:
        return RenderRequest.from_dict(data)
    except RenderRequestInvalid as exc:
        raise fail([{**i, "field": f"request.{i['field']}"} for i in exc.issues]) from None
    except (TypeError, ValueError) as exc:
        raise fail(
            [{"field": "request", "message": f"Not a valid render request: {exc}"}]
        ) from None


def request_of(data: dict[str, Any]) -> RenderRequest:
    return RenderRequest.from_dict(data["request"])


# --- video ---------------------------------------------------------------------------------


def video_request_from_prompt(
    prompt: str, parameters: dict[str, Any], *, title: str = ""
) -> RenderRequest:
    """The AI Video System's `prompt` + `parameters` as a render request of shots."""
    from storytext.script import script_to_shots

    duration = parameters.get("duration", 8)
    if isinstance(duration, bool) or not isinstance(duration, int | float):
        raise fail([{"field": "parameters.duration", "message": "Must be a number of seconds."}])
    limit = settings.MEDIA_LIMITS["max_seconds"]
    if not 1 <= duration <= limit:
        raise fail([{"field": "parameters.duration", "message": f"From 1 to {limit} seconds."}])
    width, height = resolution_of(parameters.get("resolution", "1280x720"), "parameters.resolution")
    style = style_of(parameters.get("style"), "parameters.style")
    mood = mood_of(parameters.get("mood"), "parameters.mood")
    genre = genre_of(parameters.get("genre"), "parameters.genre")
    fps = parameters.get("fps", 24)
    shots = script_to_shots(
        parameters.get("narration") or prompt,
        total_duration=float(duration),
        style=style,
        mood=mood,
        genre=genre,
        max_shots=settings.MEDIA_LIMITS["max_shots"],
    )
    return _render_request(
        {
            "shots": [shot.to_dict() for shot in shots],
            "width": width,
            "height": height,
            "fps": fps,
            "seed": parameters.get("seed", 0),
            "style": style,
            "title": title,
            "options": {
                "voice": voice_of(parameters.get("voice", "en"), "parameters.voice"),
                "music": parameters.get("music", True) is not False,
                "genre": genre,
                "mood": mood,
            },
        }
    )


VIDEO_PARAMETERS = {
    "duration",
    "resolution",
    "style",
    "fps",
    "seed",
    "voice",
    "music",
    "mood",
    "genre",
    "narration",
}


def prepare_video(data: dict[str, Any], owner: Any = None) -> dict[str, Any]:
    """A video job's input: a checked render request, the model and its backend."""
    spec = model_for(data.get("model"), task="video_generation")
    if spec.backend not in ("animatic", "diffusers"):
        raise fail([{"field": "model", "message": f"{spec.id} does not make video from text."}])
    if "request" in data:
        request = _render_request(data["request"])
    else:
        prompt = prompt_of(data.get("prompt"))
        parameters = data.get("parameters") or {}
        if not isinstance(parameters, dict):
            raise fail([{"field": "parameters", "message": "Must be an object."}])
        unknown = sorted(set(parameters) - VIDEO_PARAMETERS)
        if unknown:
            raise fail(
                [
                    {"field": f"parameters.{name}", "message": "Unknown parameter."}
                    for name in unknown
                ]
            )
        tuned = tuned_defaults(owner=owner, model_id=spec.id, task="video_generation")
        request = video_request_from_prompt(
            prompt, {**tuned, **parameters}, title=data.get("title", "")
        )
    return {
        **{k: v for k, v in data.items() if k not in ("parameters",)},
        "request": request.to_dict(),
        "model": spec.id,
        "backend": spec.backend,
    }


# --- film ----------------------------------------------------------------------------------

FILM_DEFAULTS: dict[str, Any] = {
    "num_images": 4,
    "video_duration": 15,
    "include_voice": True,
    "include_music": True,
    "fps": 24,
    "quality": "medium",
    "voice": "default",
    "genre": "drama",
    "mood": "neutral",
}


def prepare_film(data: dict[str, Any], owner: Any = None) -> dict[str, Any]:
    """The film job API's `script` and `config`, checked and completed with defaults."""
    script = prompt_of(data.get("script"), "script", limit=20000)
    raw = data.get("config") or {}
    if not isinstance(raw, dict):
        raise fail([{"field": "config", "message": "Must be an object."}])
    unknown = sorted(set(raw) - set(FILM_DEFAULTS))
    if unknown:
        raise fail([{"field": f"config.{name}", "message": "Unknown field."} for name in unknown])
    config = {**FILM_DEFAULTS, **raw}
    issues: Issues = []
    ints = {"num_images": (1, 50), "fps": (8, 60)}
    for name, (low, high) in ints.items():
        value = config[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            issues.append(
                {"field": f"config.{name}", "message": f"An integer from {low} to {high}."}
            )
    limit = settings.MEDIA_LIMITS["max_seconds"]
    seconds = config["video_duration"]
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not 1 <= seconds <= limit
    ):
        issues.append({"field": "config.video_duration", "message": f"From 1 to {limit} seconds."})
    for name in ("include_voice", "include_music"):
        if not isinstance(config[name], bool):
            issues.append({"field": f"config.{name}", "message": "Must be true or false."})
    if config["quality"] not in QUALITY_RESOLUTIONS:
        issues.append(
            {"field": "config.quality", "message": f"One of: {', '.join(QUALITY_RESOLUTIONS)}."}
        )
    if issues:
        raise fail(issues)
    config["genre"] = genre_of(config["genre"], "config.genre")
    config["mood"] = mood_of(config["mood"], "config.mood")
    config["voice"] = voice_of(config["voice"], "config.voice") if config["include_voice"] else None
    spec = model_for(data.get("model"), task="film")
    prepared = {
        **data,
        "script": script,
        "config": config,
        "model": spec.id,
        "backend": spec.backend,
    }
    film_request(prepared)  # the shots must fit the limits too
    return prepared


def film_request(data: dict[str, Any]) -> RenderRequest:
    """The film's render request: its script as shots, at the quality's resolution."""
    from storytext.script import script_to_shots

    config = data["config"]
    width, height = QUALITY_RESOLUTIONS[config["quality"]]
    shots = script_to_shots(
        data["script"],
        total_duration=float(config["video_duration"]),
        style="cinematic",
        mood=config["mood"],
        genre=config["genre"],
        max_shots=settings.MEDIA_LIMITS["max_shots"],
    )
    return _render_request(
        {
            "shots": [shot.to_dict() for shot in shots],
            "width": width,
            "height": height,
            "fps": config["fps"],
            "seed": data.get("seed", 0),
            "style": "cinematic",
            "title": data.get("title", ""),
            "options": {
                "voice": config["voice"] if config["include_voice"] else None,
                "music": config["include_music"],
                "genre": config["genre"],
                "mood": config["mood"],
            },
        }
    )


# --- text and image ------------------------------------------------------------------------


def prepare_text(data: dict[str, Any], owner: Any = None) -> dict[str, Any]:
    spec = model_for(data.get("model"), task="text_generation")
    context = data.get("context") or {}
    if not isinstance(context, dict):
        raise fail([{"field": "context", "message": "Must be an object."}])
    return {
        **data,
        "prompt": prompt_of(data.get("prompt"), limit=20000),
        "model": spec.id,
        "parameters": {
            **tuned_defaults(owner=owner, model_id=spec.id, task="text_generation"),
            **check_parameters(data.get("parameters"), spec.parameters),
        },
        "context": context,
    }


def prepare_image(data: dict[str, Any], owner: Any = None) -> dict[str, Any]:
    spec = model_for(data.get("model"), task="image_generation")
    parameters = {
        **tuned_defaults(owner=owner, model_id=spec.id, task="image_generation"),
        **check_parameters(data.get("parameters"), spec.parameters),
    }
    width, height = resolution_of(parameters.get("resolution", "1024x576"), "parameters.resolution")
    limits = settings.MEDIA_LIMITS
    for side, value, most in (("Width", width, "max_width"), ("Height", height, "max_height")):
        if not limits["min_side"] <= value <= limits[most] or value % 2:
            message = f"{side}: an even number from {limits['min_side']} to {limits[most]}."
            raise fail([{"field": "parameters.resolution", "message": message}])
    context = data.get("context") or {}
    if not isinstance(context, dict):
        raise fail([{"field": "context", "message": "Must be an object."}])
    return {
        **data,
        "prompt": prompt_of(data.get("prompt")),
        "model": spec.id,
        "backend": spec.backend,
        "parameters": {**parameters, "resolution": f"{width}x{height}"},
        "context": context,
        "style": style_of(context.get("style"), "context.style"),
    }


def image_request(data: dict[str, Any]) -> ImageRequest:
    parameters = data["parameters"]
    width, height = resolution_of(parameters["resolution"])
    return ImageRequest(
        prompt=data["prompt"],
        width=width,
        height=height,
        seed=int(parameters.get("seed", 0)),
        style=data.get("style", "cinematic"),
        steps=parameters.get("steps"),
        guidance_scale=parameters.get("guidance_scale"),
        negative_prompt=parameters.get("negative_prompt", ""),
    )
