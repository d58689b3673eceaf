"""The soundtrack mix: narration on its shots, the music bed ducked under it, a peak limiter."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from media_pipeline.audio.music import synthesize_music
from media_pipeline.audio.tts import NARRATION_LEAD_IN, NarrationClip
from media_pipeline.audio.wav import read_wav, resample, write_wav

VOICE_PEAK_DB = -3.0  # every clip is brought to this peak, so engines and voices sound alike
DUCK_DB = 12.0  # the music drops this much while someone speaks
CEILING_DB = -1.0
_FRAME_SECONDS = 0.01


def ducking_gain(
    voice: np.ndarray,
    sample_rate: int,
    *,
    depth_db: float = DUCK_DB,
    threshold_db: float = -42.0,
    attack: float = 0.06,
    release: float = 0.45,
    hold: float = 0.25,
    lookahead: float = 0.05,
) -> np.ndarray:
    """Per-sample linear gain for the music: 1.0 in silence, -depth_db while `voice` speaks.

    Follows the voice's envelope (10 ms RMS frames above `threshold_db`), holds through the
    short gaps between words, and moves smoothly: `attack` seconds down (starting `lookahead`
    early, so the first syllable is already clear) and `release` seconds back up.
    """
    n = len(voice)
    if n == 0:
        return np.ones(0, np.float32)
    hop = max(1, int(sample_rate * _FRAME_SECONDS))
    frames = -(-n // hop)
    padded = np.zeros(frames * hop, np.float32)
    padded[:n] = voice
    rms = np.sqrt(np.mean(padded.reshape(frames, hop) ** 2, axis=1))
    active = (rms > 10 ** (threshold_db / 20)).astype(np.float64)
    # Hold: a frame counts as speech if any of the last `hold` seconds did.
    span = max(1, int(hold / _FRAME_SECONDS))
    counts = np.cumsum(np.concatenate([np.zeros(span), active]))
    held = (counts[span:] - counts[:-span]) > 0
    ahead = int(lookahead / _FRAME_SECONDS)
    if ahead:
        held = np.concatenate([held[ahead:], np.repeat(held[-1:], ahead)])
    # One-pole smoothing with separate attack and release times; a loop at the 100 Hz frame
    # rate costs a few milliseconds per minute of audio.
    up = 1 - np.exp(-_FRAME_SECONDS / attack)
    down = 1 - np.exp(-_FRAME_SECONDS / release)
    amount = np.empty(frames)
    level = 0.0
    for i, target in enumerate(held.tolist()):
        level += (up if target > level else down) * (target - level)
        amount[i] = level
    gain = 10 ** (-depth_db * amount / 20)
    centres = (np.arange(frames) + 0.5) * hop
    return np.interp(np.arange(n), centres, gain).astype(np.float32)


def _ramp_min(values: np.ndarray, step: float, *, forward: bool) -> np.ndarray:
    """The lowest envelope under `values` whose slope is at most `step` per block."""
    index = np.arange(len(values)) * step
    if forward:  # y[i] = min over j <= i of values[j] + (i - j) * step
        return np.minimum.accumulate(values - index) + index
    # y[i] = min over j >= i of values[j] + (j - i) * step
    return np.minimum.accumulate((values + index)[::-1])[::-1] - index


def limit(
    samples: np.ndarray,
    sample_rate: int,
    *,
    ceiling_db: float = CEILING_DB,
    lookahead: float = 0.005,
    release: float = 0.15,
) -> np.ndarray:
    """A look-ahead peak limiter: nothing above `ceiling_db`, gain changes as smooth ramps."""
    if len(samples) == 0:
        return samples
    ceiling = 10 ** (ceiling_db / 20)
    block = max(1, sample_rate // 1000)
    blocks = -(-len(samples) // block)
    peak = np.zeros(blocks * block, np.float32)
    peak[: len(samples)] = np.abs(samples).max(axis=1)
    peaks = peak.reshape(blocks, block).max(axis=1)
    need = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    # Each block takes the lowest need of its neighbours and of the look-ahead window, so
    # interpolating between block centres never lets a sample past the ceiling.
    k = max(1, int(np.ceil(lookahead * sample_rate / block)))
    padded = np.concatenate([np.ones(1), need, np.ones(k)])
    gain = np.min([padded[s : s + blocks] for s in range(k + 2)], axis=0)
    gain = _ramp_min(gain, 1.0 / k, forward=False)  # attack: down within the look-ahead
    gain = _ramp_min(gain, block / (release * sample_rate), forward=True)  # release
    centres = (np.arange(blocks) + 0.5) * block
    per_sample = np.interp(np.arange(len(samples)), centres, gain).astype(np.float32)
    out = samples * per_sample[:, None]
    top = float(np.abs(out).max())
    if top > ceiling:  # only float rounding can get here
        out *= ceiling / top
    return out.astype(np.float32)


def _voice_track(
    durations: Sequence[float], clips: Sequence[NarrationClip | None], n: int, sample_rate: int
) -> np.ndarray:
    """Every clip at its shot's start (plus the lead-in), cut at its shot's end if too long."""
    track = np.zeros(n, np.float32)
    starts = np.concatenate([[0.0], np.cumsum(durations)])
    for i, clip in enumerate(clips):
        if clip is None:
            continue
        data, rate = read_wav(clip.path)
        mono = resample(data.mean(axis=1), rate, sample_rate)
        peak = float(np.abs(mono).max()) if len(mono) else 0.0
        if peak == 0:
            continue
        mono = mono * min(10 ** (VOICE_PEAK_DB / 20) / peak, 10.0)
        begin = round((starts[i] + NARRATION_LEAD_IN) * sample_rate)
        end = min(n, round(starts[i + 1] * sample_rate))
        room = max(0, end - begin)
        if len(mono) > room:  # longer than its shot (durations not from plan_durations)
            mono = mono[:room].copy()
            fade = min(len(mono), int(0.02 * sample_rate))
            mono[len(mono) - fade :] *= np.linspace(1, 0, fade, dtype=np.float32)
        track[begin : begin + len(mono)] += mono
    return track


def mix_soundtrack(
    *,
    durations: Sequence[float],
    clips: Sequence[NarrationClip | None],
    music: bool,
    genre: str,
    mood: str,
    seed: int,
    out: Path,
    sample_rate: int = 48000,
) -> Path | None:
    """Write the soundtrack: 16-bit stereo WAV of exactly sum(durations) seconds.

    Narration clips start on their shots; the music bed ducks under them. Returns None, and
    writes nothing, when there is neither narration nor music.
    """
    if len(durations) != len(clips):
        raise ValueError(f"{len(durations)} shot durations but {len(clips)} narration clips")
    narrated = any(clip is not None for clip in clips)
    if not narrated and not music:
        return None
    total = float(sum(durations))
    n = round(total * sample_rate)
    if n <= 0:
        raise ValueError("A soundtrack needs a positive duration")
    voice = _voice_track(durations, clips, n, sample_rate) if narrated else np.zeros(n, np.float32)
    mixed = np.repeat(voice[:, None], 2, axis=1)
    if music:
        bed = synthesize_music(
            duration=total, genre=genre, mood=mood, seed=seed, sample_rate=sample_rate
        )
        if narrated:
            bed = bed * ducking_gain(voice, sample_rate)[:, None]
        mixed += bed
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_wav(out, limit(mixed, sample_rate), sample_rate)
