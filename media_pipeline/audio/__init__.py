"""The soundtrack: narration by text-to-speech, a synthesised music bed, and their mix."""

from __future__ import annotations

from media_pipeline.audio.mix import ducking_gain, limit, mix_soundtrack
from media_pipeline.audio.music import MusicPlan, music_plan, synthesize_music
from media_pipeline.audio.tts import (
    EspeakTts,
    NarrationClip,
    PiperTts,
    TtsEngine,
    TtsError,
    UnknownVoice,
    describe_tts,
    narrate,
    plan_durations,
    tts_engine,
    validate_voice,
)

__all__ = [
    "EspeakTts",
    "MusicPlan",
    "NarrationClip",
    "PiperTts",
    "TtsEngine",
    "TtsError",
    "UnknownVoice",
    "describe_tts",
    "ducking_gain",
    "limit",
    "mix_soundtrack",
    "music_plan",
    "narrate",
    "plan_durations",
    "synthesize_music",
    "tts_engine",
    "validate_voice",
]
