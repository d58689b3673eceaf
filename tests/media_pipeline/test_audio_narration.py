"""Narration: text-to-speech engines, voice validation, the no-engine path, shot durations."""

from __future__ import annotations

import json
import shutil
import stat
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from media_pipeline.audio import (
    NarrationClip,
    PiperTts,
    TtsError,
    UnknownVoice,
    describe_tts,
    narrate,
    plan_durations,
    tts_engine,
    validate_voice,
)
from media_pipeline.audio.tts import CLIP_SAMPLE_RATE, EspeakTts
from media_pipeline.audio.wav import read_wav
from media_pipeline.backends.base import Cancelled
from media_pipeline.request import Shot

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed here (apt install espeak-ng; CI installs it)",
)

SENTENCE = "Once upon a time, in a quiet valley, a young fox set out to find the river."


class RecordingReporter:
    """A reporter that keeps what it was told, and can be told to cancel."""

    def __init__(self, cancel_after: int | None = None) -> None:
        self.logs: list[tuple[str, str, dict[str, Any]]] = []
        self.progress_calls: list[tuple[float, str | None]] = []
        self.checks = 0
        self.cancel_after = cancel_after

    def progress(self, fraction: float, message: str | None = None) -> None:
        self.progress_calls.append((fraction, message))

    def check_cancelled(self) -> None:
        self.checks += 1
        if self.cancel_after is not None and self.checks > self.cancel_after:
            raise Cancelled()

    def log(self, message: str, level: str = "info", **details: Any) -> None:
        self.logs.append((level, message, details))


def _fundamental(samples: np.ndarray, rate: int) -> float:
    """Median pitch (Hz) of the voiced 40 ms frames, by autocorrelation."""
    size = int(0.04 * rate)
    pitches = []
    for start in range(0, len(samples) - size, size):
        frame = samples[start : start + size] - samples[start : start + size].mean()
        if np.sqrt(np.mean(frame**2)) < 0.02:
            continue
        ac = np.correlate(frame, frame, "full")[size - 1 :]
        lo, hi = rate // 400, rate // 70  # 70-400 Hz
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.3 * ac[0]:
            pitches.append(rate / lag)
    return float(np.median(pitches))


@needs_espeak
def test_espeak_narration_is_speech_length_and_not_silent(tmp_path, settings):
    settings.TTS_ENGINE = "espeak"
    shots = [
        Shot(prompt="valley", narration=SENTENCE),
        Shot(prompt="river"),
        Shot(prompt="fox", narration="Hello.", dialogue=(("Fox", "Is anyone there?"),)),
    ]

    clips = narrate(shots, voice="en", workdir=tmp_path, reporter=RecordingReporter())

    assert clips[1] is None
    long, short = clips[0], clips[2]
    assert long is not None and short is not None
    assert short.text == "Hello. Is anyone there?"
    samples, rate = read_wav(long.path)
    assert rate == CLIP_SAMPLE_RATE and samples.shape[1] == 1
    assert long.duration == pytest.approx(len(samples) / rate)
    # 15 words at ~165 words a minute: a few seconds, not a blip and not a minute.
    assert 3.0 < long.duration < 9.0
    assert long.duration > 2 * short.duration
    rms_db = 20 * np.log10(np.sqrt(np.mean(samples**2)))
    assert rms_db > -35
    # Trimmed: the clip starts and ends close to the speech, not in a second of silence.
    loud = np.flatnonzero(np.abs(samples[:, 0]) > 0.01)
    assert loud[0] < 0.1 * rate and len(samples) - loud[-1] < 0.1 * rate


@needs_espeak
def test_female_and_male_voices_really_differ_in_pitch(tmp_path, settings):
    settings.TTS_ENGINE = "espeak"
    shots = [Shot(prompt="p", narration=SENTENCE)]
    reporter = RecordingReporter()

    female = narrate(shots, voice="female", workdir=tmp_path / "f", reporter=reporter)[0]
    male = narrate(shots, voice="male", workdir=tmp_path / "m", reporter=reporter)[0]

    assert female is not None and male is not None
    f0_female = _fundamental(read_wav(female.path)[0][:, 0], CLIP_SAMPLE_RATE)
    f0_male = _fundamental(read_wav(male.path)[0][:, 0], CLIP_SAMPLE_RATE)
    assert f0_female > 1.4 * f0_male


@needs_espeak
def test_platform_voice_names_and_espeak_voice_ids_are_valid(settings):
    settings.TTS_ENGINE = "auto"
    for voice in ("en", "en-us", "en-gb", "female", "male", "narrator", "EN-US"):
        assert validate_voice(voice) is None, voice
    for voice in ("en+f3", "en-us+m2", "fr-fr", "de+whisper"):
        assert validate_voice(voice) is None, voice
    assert validate_voice(None) is None


@needs_espeak
def test_an_unknown_voice_is_refused_with_the_known_voices(settings):
    settings.TTS_ENGINE = "espeak"

    message = validate_voice("klingon")

    assert message is not None
    assert "Unknown voice 'klingon'" in message
    for known in ("en, en-us, en-gb, female, male, narrator", "en+f3", "en-gb-x-rp", "m3"):
        assert known in message
    # espeak-ng itself would quietly ignore a variant it lacks; the platform does not.
    assert validate_voice("en+nosuchvariant") is not None


@needs_espeak
def test_narrating_with_an_unknown_voice_fails_before_any_clip_is_made(tmp_path, settings):
    settings.TTS_ENGINE = "espeak"
    with pytest.raises(UnknownVoice):
        narrate(
            [Shot(prompt="p", narration="Hi.")],
            voice="klingon",
            workdir=tmp_path,
            reporter=RecordingReporter(),
        )
    assert list(tmp_path.iterdir()) == []


@needs_espeak
def test_narration_reports_progress_and_stops_when_cancelled(tmp_path, settings):
    settings.TTS_ENGINE = "espeak"
    shots = [Shot(prompt=str(i), narration=f"Shot number {i}.") for i in range(3)]

    reporter = RecordingReporter(cancel_after=1)
    with pytest.raises(Cancelled):
        narrate(shots, voice="en", workdir=tmp_path, reporter=reporter)
    assert len(list(tmp_path.glob("narration-*.wav"))) == 1

    reporter = RecordingReporter()
    narrate(shots, voice="en", workdir=tmp_path, reporter=reporter)
    assert [round(f, 2) for f, _ in reporter.progress_calls] == [0.0, 0.33, 0.67, 1.0]


def test_without_an_engine_the_video_has_no_voice_and_the_log_says_so_once(tmp_path, settings):
    settings.TTS_ENGINE = "none"
    reporter = RecordingReporter()
    shots = [Shot(prompt=str(i), narration=f"Line {i}.") for i in range(3)]

    clips = narrate(shots, voice="en", workdir=tmp_path, reporter=reporter)

    assert clips == [None, None, None]
    assert reporter.logs == [
        ("warn", "No text-to-speech engine is installed; the video has no narration", {})
    ]
    assert tts_engine() is None
    assert describe_tts()["available"] is False


def test_no_voice_asked_for_means_no_narration_and_no_warning(tmp_path, settings):
    settings.TTS_ENGINE = "none"
    reporter = RecordingReporter()

    clips = narrate(
        [Shot(prompt="p", narration="Hi.")], voice=None, workdir=tmp_path, reporter=reporter
    )

    assert clips == [None]
    assert reporter.logs == []


def test_without_an_engine_only_platform_voice_names_are_valid(settings):
    settings.TTS_ENGINE = "none"
    assert validate_voice("narrator") is None
    message = validate_voice("en+f3")
    assert message is not None and "female" in message


def test_auto_without_espeak_or_piper_is_no_engine(settings, monkeypatch):
    settings.TTS_ENGINE, settings.PIPER_MODEL = "auto", ""
    monkeypatch.setattr(shutil, "which", lambda name: None)

    assert tts_engine() is None
    description = describe_tts()
    assert description["available"] is False and description["engine"] is None
    assert "No text-to-speech engine" in description["problem"]


def test_espeak_asked_for_but_missing_is_a_clear_error(settings, monkeypatch):
    settings.TTS_ENGINE = "espeak"
    monkeypatch.setattr(shutil, "which", lambda name: None)

    with pytest.raises(TtsError, match="espeak-ng is not installed"):
        tts_engine()
    assert "espeak-ng is not installed" in describe_tts()["problem"]


def test_piper_configured_but_not_installed_is_a_clear_error(tmp_path, settings, monkeypatch):
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"onnx")
    settings.TTS_ENGINE, settings.PIPER_MODEL = "piper", str(model)
    monkeypatch.setattr(PiperTts, "find_command", staticmethod(lambda: None))

    with pytest.raises(TtsError, match="Piper is not installed"):
        tts_engine()

    settings.PIPER_MODEL = str(tmp_path / "missing.onnx")
    with pytest.raises(TtsError, match="does not exist"):
        tts_engine()


def test_auto_falls_back_from_a_broken_piper_and_says_why(tmp_path, settings, monkeypatch):
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"onnx")
    settings.TTS_ENGINE, settings.PIPER_MODEL = "auto", str(model)
    monkeypatch.setattr(PiperTts, "find_command", staticmethod(lambda: None))

    engine = tts_engine()

    assert engine is None or isinstance(engine, EspeakTts)
    assert "Piper is not installed" in describe_tts()["problem"]


def _stand_in_piper(tmp_path: Path) -> Path:
    """An executable with Piper's command line that records its call and writes a tone.

    It checks how the platform drives Piper (arguments, text on stdin, the WAV it reads
    back); it is not Piper, and says nothing of how Piper sounds.
    """
    script = tmp_path / "bin" / "piper"
    script.parent.mkdir()
    script.write_text(
        textwrap.dedent(
            f"""\
            #!{sys.executable}
            import json, sys, wave
            import numpy as np
            args = sys.argv[1:]
            text = sys.stdin.read()
            json.dump({{"args": args, "text": text}}, open({str(tmp_path / "call.json")!r}, "w"))
            out = args[args.index("--output_file") + 1]
            t = np.arange(22050) / 22050
            tone = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2")
            with wave.open(out, "wb") as w:
                w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050)
                w.writeframes(tone.tobytes())
            """
        )
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_piper_is_driven_through_its_command_line(tmp_path, settings, monkeypatch):
    script = _stand_in_piper(tmp_path)
    model = tmp_path / "voices" / "en_US-test.onnx"
    model.parent.mkdir()
    model.write_bytes(b"onnx")
    (model.parent / "en_US-test.onnx.json").write_text(
        json.dumps({"speaker_id_map": {"alice": 0, "bob": 1}})
    )
    settings.TTS_ENGINE, settings.PIPER_MODEL = "auto", str(model)
    monkeypatch.setenv("PATH", f"{script.parent}:/usr/bin:/bin")

    engine = tts_engine()
    assert isinstance(engine, PiperTts)
    assert validate_voice("bob") is None and validate_voice("narrator") is None
    assert "alice" in (validate_voice("carol") or "")
    shots = [Shot(prompt="p", narration="Hello\nthere.")]

    clip = narrate(shots, voice="bob", workdir=tmp_path / "out", reporter=RecordingReporter())[0]

    call = json.loads((tmp_path / "call.json").read_text())
    assert call["args"][:2] == ["--model", str(model)]
    assert call["args"][call["args"].index("--speaker") + 1] == "1"
    assert call["text"] == "Hello there.\n"  # one utterance on one line
    assert clip is not None and clip.duration == pytest.approx(1.0, abs=0.05)
    assert describe_tts()["engine"] == "piper"


def _clip(duration: float) -> NarrationClip:
    return NarrationClip(Path("unused.wav"), duration, "text", "en")


def test_shots_last_long_enough_for_their_narration():
    shots = [Shot(prompt="a", duration=2.0), Shot(prompt="b", duration=6.0), Shot(prompt="c")]
    clips = [_clip(3.0), _clip(3.0), None]

    assert plan_durations(shots, clips) == pytest.approx([3.4, 6.0, 4.0])
    assert plan_durations(shots, clips, padding=1.0) == pytest.approx([4.0, 6.0, 4.0])


def test_lengthened_shots_are_whole_frames_when_fps_is_given():
    shots = [Shot(prompt="a", duration=1.0), Shot(prompt="b", duration=1.0)]
    durations = plan_durations(shots, [_clip(2.01), None], fps=24)

    assert durations[1] == 1.0
    frames = durations[0] * 24
    assert frames == pytest.approx(round(frames)) and durations[0] >= 2.41


def test_durations_need_one_clip_entry_per_shot():
    with pytest.raises(ValueError):
        plan_durations([Shot(prompt="a")], [])
