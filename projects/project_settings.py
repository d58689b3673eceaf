"""A project's settings: the AI Movie Platform's `projectSettings` and StoryCore's `settings`.

One object holds both documents' keys, each validated: `aspectRatio`, `episodeDuration` and
`qualityTier` (AI Movie Platform), `resolution`, `frameRate` and `duration` (StoryCore; the
AI Video System sends `{}`). Durations are in seconds (API_CONVENTIONS.md). An update merges
key by key: keys left out stay, `null` removes one.
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import StrictChoiceField, StrictIntegerField
from config.api.serializers import StrictSerializer

ASPECT_RATIOS = ["16:9", "9:16", "4:3", "3:4", "1:1", "21:9", "2.39:1"]
QUALITY_TIERS = ["draft", "standard", "high", "professional"]
MAX_DURATION_SECONDS = 4 * 3600
MAX_FRAME_SIDE = 8192
_RESOLUTION = re.compile(r"^(\d{1,5})x(\d{1,5})$")


@extend_schema_field({"type": "string", "example": "1920x1080", "pattern": _RESOLUTION.pattern})
class ResolutionField(serializers.CharField):
    """`WIDTHxHEIGHT` in pixels, each side 16 to 8192."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a string such as '1920x1080'.")
        match = _RESOLUTION.match(data.strip())
        if not match:
            raise serializers.ValidationError("Must be WIDTHxHEIGHT, such as '1920x1080'.")
        width, height = int(match[1]), int(match[2])
        if not (16 <= width <= MAX_FRAME_SIDE and 16 <= height <= MAX_FRAME_SIDE):
            raise serializers.ValidationError(
                f"Width and height must each be between 16 and {MAX_FRAME_SIDE} pixels."
            )
        return f"{width}x{height}"


@extend_schema_field({"type": "number", "minimum": 1, "maximum": 120, "example": 30})
class FrameRateField(serializers.Field):
    """Frames a second, 1 to 120; `30` stays `30` and `29.97` stays `29.97`."""

    def to_internal_value(self, data: Any) -> int | float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise serializers.ValidationError("Must be a number.")
        if not 1 <= data <= 120:
            raise serializers.ValidationError("Must be between 1 and 120.")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


def _choice(choices: list[str], help_text: str) -> serializers.Field:
    return StrictChoiceField(choices=choices, required=False, allow_null=True, help_text=help_text)


def _seconds(help_text: str) -> serializers.Field:
    return StrictIntegerField(
        min_value=1,
        max_value=MAX_DURATION_SECONDS,
        required=False,
        allow_null=True,
        help_text=help_text,
    )


class ProjectSettingsSerializer(StrictSerializer):
    """Every key optional; an unknown key or a bad value is refused, naming it."""

    aspect_ratio = _choice(ASPECT_RATIOS, "The frame's aspect ratio (AI Movie Platform).")
    episode_duration = _seconds("Seconds per episode (AI Movie Platform).")
    quality_tier = _choice(QUALITY_TIERS, "Rendering quality (AI Movie Platform).")
    resolution = ResolutionField(required=False, allow_null=True, help_text="e.g. 1920x1080")
    frame_rate = FrameRateField(required=False, allow_null=True, help_text="Frames a second.")
    duration = _seconds("The video's length in seconds (StoryCore).")


def merge_settings(stored: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Lay validated `changes` over `stored`; a `None` value removes its key."""
    merged = dict(stored)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
