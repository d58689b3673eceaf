"""Templates: render requests with `{text}` and `{color}` slots and settings a user may change.

A template's `customizations` holds its customisable fields and their defaults. Using it fills
the slots, applies the overrides (style, mood, genre, voice, music, resolution, duration) and
gives an ordinary render request, checked like any other before a job is queued.
"""

from __future__ import annotations

import copy
import io
import re
from typing import Any

from config.api.errors import ValidationFailed
from media_pipeline.images import ImageRequest, make_image
from studio import inputs
from studio.models import Template

HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
# Named colours a prompt can say, with their RGB, to name a client's hex colour.
COLOR_NAMES = {
    "red": (220, 40, 40),
    "orange": (240, 140, 30),
    "golden": (230, 190, 60),
    "yellow": (240, 220, 60),
    "green": (60, 170, 70),
    "teal": (30, 150, 150),
    "blue": (50, 100, 220),
    "navy": (20, 30, 90),
    "purple": (130, 60, 180),
    "pink": (235, 120, 170),
    "brown": (130, 80, 40),
    "white": (245, 245, 245),
    "grey": (128, 128, 128),
    "black": (15, 15, 15),
}
OVERRIDES = ("style", "mood", "genre", "voice", "music", "resolution", "duration", "seed")
MAX_TEXT = 500


def color_name(value: str) -> str:
    """A colour word for a hex colour (the nearest named one), or a named colour as given."""
    word = value.strip().lower()
    if word in COLOR_NAMES:
        return word
    if not HEX_COLOR.match(word):
        raise ValidationFailed.for_field(
            "customizations.color", "A colour like #FF0000 or one of: " + ", ".join(COLOR_NAMES)
        )
    digits = word[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    rgb = tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return min(
        COLOR_NAMES,
        key=lambda name: sum((a - b) ** 2 for a, b in zip(COLOR_NAMES[name], rgb, strict=True)),
    )


def _fill(text: str, slots: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: slots.get(m.group(1), m.group(0)), text)


def render_request(template: Template, customizations: Any) -> dict[str, Any]:
    """The template's render request with the customisations applied (as JSON)."""
    if not isinstance(customizations, dict):
        raise ValidationFailed.for_field("customizations", "Must be an object.")
    allowed = set(template.customizations) | set(OVERRIDES)
    unknown = sorted(set(customizations) - allowed)
    if unknown:
        raise ValidationFailed(
            "Unknown customisation",
            details=[
                {
                    "field": f"customizations.{name}",
                    "message": f"Not customisable; one of: {', '.join(sorted(allowed))}.",
                }
                for name in unknown
            ],
        )
    values = {**template.customizations, **customizations}
    text = values.get("text", "")
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise ValidationFailed.for_field("customizations.text", f"Text of at most {MAX_TEXT}.")
    slots = {"text": text.strip()}
    if "color" in values:
        slots["color"] = color_name(str(values["color"]))
    request = copy.deepcopy(template.render_request)
    for shot in request["shots"]:
        for key in ("prompt", "narration"):
            if shot.get(key):
                shot[key] = _fill(shot[key], slots).strip()
    request["title"] = _fill(request.get("title", ""), slots)
    options = request.setdefault("options", {})
    if "style" in customizations:
        request["style"] = inputs.style_of(customizations["style"], "customizations.style")
    if "mood" in customizations:
        options["mood"] = inputs.mood_of(customizations["mood"], "customizations.mood")
    if "genre" in customizations:
        options["genre"] = inputs.genre_of(customizations["genre"], "customizations.genre")
    if "voice" in customizations:
        options["voice"] = inputs.voice_of(customizations["voice"], "customizations.voice")
    if "music" in customizations:
        if not isinstance(customizations["music"], bool):
            raise ValidationFailed.for_field("customizations.music", "Must be true or false.")
        options["music"] = customizations["music"]
    if "resolution" in customizations:
        width, height = inputs.resolution_of(
            customizations["resolution"], "customizations.resolution"
        )
        request["width"], request["height"] = width, height
    if "seed" in customizations:
        request["seed"] = customizations["seed"]
    if "duration" in customizations:
        _scale_to(request, customizations["duration"])
    return request


def _scale_to(request: dict[str, Any], duration: Any) -> None:
    if isinstance(duration, bool) or not isinstance(duration, int | float) or duration <= 0:
        raise ValidationFailed.for_field("customizations.duration", "A number of seconds.")
    total = sum(shot["duration"] for shot in request["shots"])
    for shot in request["shots"]:
        shot["duration"] = round(shot["duration"] * duration / total, 3)


def thumbnail_jpeg(template: Template) -> bytes:
    """A 480-wide still of the template's first shot with its default customisations."""
    request = render_request(template, {})
    shot = request["shots"][0]
    image = make_image(
        ImageRequest(
            prompt=shot["prompt"],
            width=480,
            height=270,
            seed=request.get("seed", 0),
            style=request.get("style", "cinematic"),
        ),
        backend="animatic",
    )
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _shot(
    prompt: str, narration: str, duration: float, camera: str, transition: str = "dissolve"
) -> dict[str, Any]:
    return {
        "prompt": prompt,
        "narration": narration,
        "duration": duration,
        "camera": camera,
        "transition": transition,
    }


def _request(
    title: str, style: str, mood: str, genre: str, shots: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "shots": shots,
        "width": 1280,
        "height": 720,
        "fps": 24,
        "seed": 7,
        "style": style,
        "title": title,
        "options": {"voice": "en", "music": True, "genre": genre, "mood": mood},
    }


# The templates `make run` ships (a data migration loads them).
DEMO_TEMPLATES: list[dict[str, Any]] = [
    {
        "slug": "nature-scene",
        "name": "Nature Scene",
        "description": "A calm journey from mountain dawn to a lake at dusk, narrated.",
        "category": "nature",
        "customizations": {"text": "The valley wakes slowly.", "color": "#f4a261"},
        "render_request": _request(
            "{text}",
            "watercolor",
            "calm",
            "documentary",
            [
                _shot("{color} sunrise over snowy mountains", "{text}", 4, "pan_right", "fade"),
                _shot(
                    "a forest of tall pine trees in morning mist",
                    "Mist drifts between the pines.",
                    4,
                    "tilt_up",
                ),
                _shot(
                    "a quiet lake at dusk reflecting the sky",
                    "By evening the lake holds the whole sky.",
                    4,
                    "zoom_out",
                ),
            ],
        ),
    },
    {
        "slug": "city-night",
        "name": "City at Night",
        "description": "Neon streets, rain and a skyline, for a moody intro.",
        "category": "urban",
        "customizations": {"text": "The city never sleeps.", "color": "#7b2cbf"},
        "render_request": _request(
            "{text}",
            "neon",
            "mysterious",
            "thriller",
            [
                _shot(
                    "a {color} neon city street in the rain at night",
                    "{text}",
                    4,
                    "tracking",
                    "fade",
                ),
                _shot(
                    "a skyline of tall buildings under the moon",
                    "Above the streets, a thousand windows glow.",
                    4,
                    "pan_left",
                ),
            ],
        ),
    },
    {
        "slug": "bedtime-story",
        "name": "Bedtime Story",
        "description": "A storybook opening with a gentle narrator.",
        "category": "story",
        "customizations": {
            "text": "Once upon a time, a small fox found a lantern.",
            "color": "#e9c46a",
        },
        "render_request": _request(
            "{text}",
            "storybook",
            "happy",
            "fantasy",
            [
                _shot(
                    "a cozy village at night with {color} lanterns", "{text}", 5, "dolly_in", "fade"
                ),
                _shot(
                    "a small fox walking through a forest under the stars",
                    "The lantern lit a path nobody had seen before.",
                    5,
                    "tracking",
                ),
                _shot(
                    "a castle on a hill under a full moon",
                    "And at the end of the path, a castle waited.",
                    5,
                    "zoom_in",
                ),
            ],
        ),
    },
    {
        "slug": "product-launch",
        "name": "Product Launch",
        "description": "A short, upbeat announcement with a title card.",
        "category": "marketing",
        "customizations": {"text": "Introducing something new.", "color": "#2a9d8f"},
        "render_request": _request(
            "{text}",
            "cinematic",
            "happy",
            "documentary",
            [
                _shot(
                    "a {color} studio with a spotlight on a pedestal",
                    "{text}",
                    3,
                    "dolly_in",
                    "cut",
                ),
                _shot(
                    "a bright city square full of people",
                    "Made for everyone, everywhere.",
                    3,
                    "pan_right",
                    "wipe",
                ),
            ],
        ),
    },
    {
        "slug": "space-voyage",
        "name": "Space Voyage",
        "description": "A starship leaves orbit: an epic science-fiction opening.",
        "category": "scifi",
        "customizations": {
            "text": "In the year 2300, the last ship left Earth.",
            "color": "#00b4d8",
        },
        "render_request": _request(
            "{text}",
            "cinematic",
            "epic",
            "scifi",
            [
                _shot(
                    "a starship above a {color} planet in space", "{text}", 4, "zoom_out", "fade"
                ),
                _shot("stars and a distant nebula", "Ahead lay nothing but stars.", 4, "pan_left"),
            ],
        ),
    },
    {
        "slug": "history-lesson",
        "name": "History Lesson",
        "description": "A documentary-style explainer with a vintage look.",
        "category": "education",
        "customizations": {"text": "Long ago, a river town became a city.", "color": "#bc6c25"},
        "render_request": _request(
            "{text}",
            "vintage",
            "neutral",
            "documentary",
            [
                _shot("an old {color} river town with boats", "{text}", 4, "pan_right", "fade"),
                _shot(
                    "a busy market square in an old city",
                    "Traders came from every corner of the land.",
                    4,
                    "dolly_in",
                ),
            ],
        ),
    },
]
