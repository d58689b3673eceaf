"""Prices of generation work (the film job API's cost estimate and its breakdown)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jobs.registry import CostEstimate

# Dollars per unit, from the film job API's example estimate.
PER_IMAGE = Decimal("0.02")
PER_VIDEO_SECOND = Decimal("0.05")
PER_VOICE_SECOND = Decimal("0.015")
PER_MUSIC_SECOND = Decimal("0.01")
PER_FFMPEG_SECOND = Decimal("0.001")
CENT = Decimal("0.01")


def film_estimate(
    *, num_images: int, video_duration: float, include_voice: bool, include_music: bool
) -> CostEstimate:
    """What a script-to-film job costs: images, video, voice, music and packaging."""
    seconds = Decimal(str(video_duration))
    breakdown = {
        "image_generation": PER_IMAGE * num_images,
        "video_generation": PER_VIDEO_SECOND * seconds,
        "voice_synthesis": PER_VOICE_SECOND * seconds if include_voice else Decimal(0),
        "music_synthesis": PER_MUSIC_SECOND * seconds if include_music else Decimal(0),
        "ffmpeg_processing": PER_FFMPEG_SECOND * seconds,
    }
    breakdown = {k: v.quantize(CENT, rounding=ROUND_HALF_UP) for k, v in breakdown.items()}
    return CostEstimate(total=sum(breakdown.values(), Decimal(0)), breakdown=breakdown)


def video_estimate(
    *, video_duration: float, include_voice: bool, include_music: bool
) -> CostEstimate:
    """What a video without keyframes costs: the film price of its seconds, voice and music."""
    film = film_estimate(
        num_images=0,
        video_duration=video_duration,
        include_voice=include_voice,
        include_music=include_music,
    )
    breakdown = {key: value for key, value in film.breakdown.items() if key != "image_generation"}
    return CostEstimate(total=film.total, breakdown=breakdown)


def as_money(breakdown: dict[str, Decimal]) -> dict[str, Any]:
    return {key: float(value) for key, value in breakdown.items()}
