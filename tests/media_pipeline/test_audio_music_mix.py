"""The music bed and the soundtrack mix, measured as audio: harmony, tempo, levels, length."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from media_pipeline.audio import (
    NarrationClip,
    ducking_gain,
    limit,
    mix_soundtrack,
    music_plan,
    synthesize_music,
)
from media_pipeline.audio.tts import NARRATION_LEAD_IN
from media_pipeline.audio.wav import read_wav, write_wav
from media_pipeline.request import GENRES, MOODS

SR = 48000
CEILING = 10 ** (-1 / 20)


def _frames(mono: np.ndarray, size: int, hop: int) -> np.ndarray:
    count = 1 + (len(mono) - size) // hop
    index = np.arange(size)[None, :] + hop * np.arange(count)[:, None]
    return np.abs(np.fft.rfft(mono[index] * np.hanning(size), axis=1))


def _chroma(
    mono: np.ndarray, tonic: int, *, low: float = 80, high: float = 2000, size: int = 8192
) -> np.ndarray:
    """Share of spectral power on each pitch class, counted from the tonic (0 = tonic)."""
    power = _frames(mono, size, size // 2) ** 2
    freqs = np.fft.rfftfreq(size, 1 / SR)
    band = (freqs > low) & (freqs < high)
    classes = np.round(12 * np.log2(freqs[band] / 440) + 69).astype(int) % 12
    chroma = np.bincount(classes, weights=power[:, band].sum(axis=0), minlength=12)
    return np.roll(chroma / chroma.sum(), -tonic)


def _onset_envelope(mono: np.ndarray) -> tuple[np.ndarray, float]:
    magnitude = _frames(mono, 1024, 480)
    return np.maximum(0, np.diff(np.log1p(100 * magnitude), axis=0)).sum(axis=1), SR / 480


def _beat_period(mono: np.ndarray) -> float:
    """The strongest periodicity (s) of the onset envelope between 0.3 and 1.2 s."""
    flux, rate = _onset_envelope(mono)
    flux = flux - flux.mean()
    ac = np.correlate(flux, flux, "full")[len(flux) - 1 :]
    lo, hi = int(0.3 * rate), int(1.2 * rate)
    return (lo + int(np.argmax(ac[lo:hi]))) / rate


def _low_onset_rate(mono: np.ndarray) -> float:
    """Attacks per second below 160 Hz (bass notes and kick drums)."""
    magnitude = _frames(mono, 2048, 480)
    freqs = np.fft.rfftfreq(2048, 1 / SR)
    envelope = np.log1p(1000 * magnitude[:, (freqs > 30) & (freqs < 160)].sum(axis=1))
    flux = np.maximum(0, np.diff(envelope))
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(flux, 8), 17)
    peaks = (flux == windows.max(axis=1)) & (flux > 0.25 * flux.max())
    return peaks.sum() / (len(mono) / SR)


def _band_rms(x: np.ndarray, start: float, end: float, low: float, high: float) -> float:
    segment = x[int(start * SR) : int(end * SR)].mean(axis=1)
    power = np.abs(np.fft.rfft(segment)) ** 2
    freqs = np.fft.rfftfreq(len(segment), 1 / SR)
    return float(np.sqrt(power[(freqs > low) & (freqs < high)].sum()) / len(segment))


def _db(ratio: float) -> float:
    return float(20 * np.log10(ratio))


# --- the music bed ----------------------------------------------------------------------


def test_the_same_seed_makes_the_same_bed_and_another_seed_another():
    one = synthesize_music(duration=5, genre="fantasy", mood="epic", seed=7)
    again = synthesize_music(duration=5, genre="fantasy", mood="epic", seed=7)
    other = synthesize_music(duration=5, genre="fantasy", mood="epic", seed=8)

    assert np.array_equal(one, again)
    assert not np.allclose(one, other, atol=1e-3)


@pytest.mark.parametrize(("duration", "rate"), [(3.3337, 48000), (1.0, 44100), (0.51, 48000)])
def test_a_bed_is_exactly_as_long_as_asked_in_float32_stereo(duration, rate):
    bed = synthesize_music(
        duration=duration, genre="drama", mood="neutral", seed=1, sample_rate=rate
    )

    assert bed.shape == (round(duration * rate), 2)
    assert bed.dtype == np.float32


@pytest.mark.parametrize("genre", ["horror", "adventure"])
def test_no_bed_clips_and_each_fades_in_and_out(genre):
    for mood in MOODS:
        bed = synthesize_music(duration=2.5, genre=genre, mood=mood, seed=3)
        peak = float(np.abs(bed).max())
        assert 0.1 < peak <= CEILING, (genre, mood)
        assert np.sqrt(np.mean(bed[:480] ** 2)) < 1e-3, (genre, mood)
        assert np.sqrt(np.mean(bed[-480:] ** 2)) < 1e-3, (genre, mood)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_happy_is_in_a_major_key_and_sad_in_a_minor_one(seed):
    for mood, third, other in (("happy", 4, 3), ("sad", 3, 4)):
        plan = music_plan(genre="drama", mood=mood, seed=seed)
        bed = synthesize_music(duration=8, genre="drama", mood=mood, seed=seed)

        chroma = _chroma(bed.mean(axis=1), plan.tonic)

        # The third above the tonic, measured in the audio: major for happy, minor for sad.
        # The other third is not in the scale at all; what shows there is harmonics' leakage.
        assert chroma[third] > 0.05, (mood, plan.key, plan.scale, chroma.round(3))
        assert chroma[third] > 2.5 * chroma[other], (mood, plan.key, plan.scale, chroma.round(3))


@pytest.mark.parametrize(
    ("genre", "mood"),
    [("comedy", "happy"), ("comedy", "sad"), ("drama", "tense"), ("horror", "calm")],
)
def test_the_bed_keeps_the_tempo_of_its_plan(genre, mood):
    plan = music_plan(genre=genre, mood=mood, seed=4)
    bed = synthesize_music(duration=12, genre=genre, mood=mood, seed=4)

    period = _beat_period(bed.mean(axis=1))

    # The strongest pulse is the beat, or its half or double (eighths, or kick on 1 and 3).
    ratios = [period / (plan.beat_seconds * m) for m in (0.5, 1, 2)]
    assert min(abs(r - 1) for r in ratios) < 0.03, (plan.bpm, period)


def test_happy_is_faster_and_busier_than_sad():
    happy = music_plan(genre="comedy", mood="happy", seed=2)
    sad = music_plan(genre="comedy", mood="sad", seed=2)
    assert happy.bpm > 1.5 * sad.bpm

    happy_rate = _low_onset_rate(
        synthesize_music(duration=12, genre="comedy", mood="happy", seed=2).mean(axis=1)
    )
    sad_rate = _low_onset_rate(
        synthesize_music(duration=12, genre="comedy", mood="sad", seed=2).mean(axis=1)
    )

    assert happy_rate > 1.5  # a bass note or kick on most beats
    assert happy_rate > 4 * sad_rate


def test_horror_drones_on_a_minor_second_and_a_tritone():
    def dissonance(genre: str) -> float:
        plan = music_plan(genre=genre, mood="sad", seed=5)
        bed = synthesize_music(duration=8, genre=genre, mood="sad", seed=5)
        # Long windows: a semitone near 80 Hz is only 5 Hz wide.
        chroma = _chroma(bed.mean(axis=1), plan.tonic, low=75, high=250, size=32768)
        return float(chroma[1] + chroma[6])

    assert dissonance("horror") > 0.06
    assert dissonance("drama") < 0.01  # neither interval is in a minor key's chords


def test_every_genre_and_mood_has_a_plan_and_unknown_ones_are_refused():
    for genre in GENRES:
        for mood in MOODS:
            plan = music_plan(genre=genre, mood=mood, seed=0)
            assert 40 < plan.bpm < 160 and plan.chords
    with pytest.raises(ValueError, match="genre"):
        music_plan(genre="polka", mood="happy", seed=0)
    with pytest.raises(ValueError, match="mood"):
        music_plan(genre="drama", mood="grumpy", seed=0)


# --- ducking, limiting, the mix ---------------------------------------------------------


def test_ducking_follows_the_voice_smoothly():
    voice = np.zeros(4 * SR, np.float32)
    rng = np.random.default_rng(0)
    voice[SR : 2 * SR] = 0.3 * rng.standard_normal(SR).astype(np.float32)

    gain_db = 20 * np.log10(ducking_gain(voice, SR))

    assert np.abs(gain_db[: int(0.8 * SR)]).max() < 0.1  # untouched before the voice
    assert gain_db[int(1.2 * SR) : int(1.9 * SR)] == pytest.approx(-12, abs=0.3)
    assert gain_db[int(0.99 * SR)] < -6  # already down as the first word starts
    assert np.abs(gain_db[int(3.9 * SR) :]).max() < 0.5  # released afterwards
    assert np.abs(np.diff(gain_db)).max() < 0.01  # dB per sample: ramps, never clicks


def test_the_limiter_holds_peaks_under_the_ceiling_and_leaves_quiet_parts_alone():
    t = np.arange(2 * SR) / SR
    signal = 0.2 * np.sin(2 * np.pi * 220 * t)
    signal[SR : SR + 2400] *= 10  # a burst at +6 dBFS
    stereo = np.stack([signal, signal], axis=1).astype(np.float32)

    out = limit(stereo, SR)

    assert np.abs(out).max() <= CEILING
    assert np.allclose(out[: SR // 2], stereo[: SR // 2])
    assert np.allclose(out[-SR // 2 :], stereo[-SR // 2 :])


def _tone_clip(path: Path, seconds: float, freq: float = 300.0) -> NarrationClip:
    """A stand-in narration: a 22.05 kHz tone, so it carries nothing above 11 kHz."""
    t = np.arange(int(seconds * 22050)) / 22050
    write_wav(path, 0.5 * np.sin(2 * np.pi * freq * t), 22050)
    return NarrationClip(path, seconds, "tone", "en")


def test_music_ducks_under_narration_and_comes_back_between_lines(tmp_path):
    durations = [4.0, 5.0, 4.0]
    clips = [None, _tone_clip(tmp_path / "line.wav", 4.0), None]

    out = mix_soundtrack(
        durations=durations,
        clips=clips,
        music=True,
        genre="comedy",
        mood="happy",
        seed=5,
        out=tmp_path / "mix.wav",
    )

    assert out is not None
    mix, _ = read_wav(out)
    bed = synthesize_music(duration=13, genre="comedy", mood="happy", seed=5)
    # Above 13 kHz only the music (hi-hats, bright harmonics) sounds: the level there is
    # the music's level, with or without the voice on top. Compare with the unducked bed.
    speech, before = (4.0 + NARRATION_LEAD_IN + 0.3, 8.0), (1.6, 3.8)
    ducked = _db(_band_rms(mix, *speech, 13000, 20000) / _band_rms(bed, *speech, 13000, 20000))
    free = _db(_band_rms(mix, *before, 13000, 20000) / _band_rms(bed, *before, 13000, 20000))

    assert free == pytest.approx(0, abs=1.0)  # full level where nobody speaks
    assert -14 < ducked - free < -9  # ~12 dB down under the voice


def test_the_soundtrack_is_exactly_as_long_as_the_shots_and_never_clips(tmp_path):
    durations = [2.3, 1.7291666, 3.0]
    clips = [_tone_clip(tmp_path / "a.wav", 1.5), None, _tone_clip(tmp_path / "b.wav", 2.0)]

    out = mix_soundtrack(
        durations=durations,
        clips=clips,
        music=True,
        genre="scifi",
        mood="tense",
        seed=1,
        out=tmp_path / "mix.wav",
    )

    assert out is not None
    with wave.open(str(out)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, SR)
        assert wav.getnframes() == round(sum(durations) * SR)
    mix, _ = read_wav(out)
    assert np.abs(mix).max() <= CEILING + 1 / 32768


def test_each_line_starts_on_its_shot_and_stops_at_its_end(tmp_path):
    durations = [2.0, 1.0, 2.0]
    # The last line (3 s) is longer than its shot (2 s): it is cut at the end of the video.
    clips = [None, _tone_clip(tmp_path / "a.wav", 0.5), _tone_clip(tmp_path / "b.wav", 3.0)]

    out = mix_soundtrack(
        durations=durations,
        clips=clips,
        music=False,
        genre="drama",
        mood="calm",
        seed=0,
        out=tmp_path / "voice.wav",
    )

    assert out is not None
    voice, _ = read_wav(out)
    loud = np.flatnonzero(np.abs(voice[:, 0]) > 0.05) / SR
    assert loud[0] == pytest.approx(2.0 + NARRATION_LEAD_IN, abs=0.005)
    assert loud[-1] == pytest.approx(5.0, abs=0.01)
    assert len(voice) == 5 * SR
    second = loud[(loud > 2.0) & (loud < 3.0)]
    assert second[-1] == pytest.approx(2.0 + NARRATION_LEAD_IN + 0.5, abs=0.005)


def test_music_alone_makes_a_soundtrack_and_nothing_at_all_makes_none(tmp_path):
    music_only = mix_soundtrack(
        durations=[1.5, 1.5],
        clips=[None, None],
        music=True,
        genre="romance",
        mood="romantic",
        seed=2,
        out=tmp_path / "music.wav",
    )
    nothing = mix_soundtrack(
        durations=[1.5, 1.5],
        clips=[None, None],
        music=False,
        genre="romance",
        mood="romantic",
        seed=2,
        out=tmp_path / "none.wav",
    )

    assert music_only is not None and len(read_wav(music_only)[0]) == 3 * SR
    assert nothing is None and not (tmp_path / "none.wav").exists()


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed here (apt install espeak-ng; CI installs it)",
)
def test_real_narration_mixes_over_music(tmp_path, settings):
    from media_pipeline.audio import narrate, plan_durations
    from media_pipeline.backends.base import NullReporter
    from media_pipeline.request import Shot

    settings.TTS_ENGINE = "espeak"
    shots = [Shot(prompt="a", narration="The storm rolled in over the hills.", duration=1.0)]
    clips = narrate(shots, voice="narrator", workdir=tmp_path, reporter=NullReporter())
    durations = plan_durations(shots, clips, fps=24)

    out = mix_soundtrack(
        durations=durations,
        clips=clips,
        music=True,
        genre="thriller",
        mood="tense",
        seed=9,
        out=tmp_path / "mix.wav",
    )

    assert out is not None
    mix, _ = read_wav(out)
    assert len(mix) == round(durations[0] * SR) and durations[0] > 2.0
    # The voice band (300 Hz - 3 kHz) is well above the music where the narrator speaks.
    assert _band_rms(mix, 0.3, durations[0] - 0.5, 300, 3000) > 0.5 * np.abs(mix).max() / SR
