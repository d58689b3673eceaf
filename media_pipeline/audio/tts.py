"""Narration: text-to-speech engines behind one small interface, one clip per spoken shot.

espeak-ng is the engine every machine can have (CI installs it); a Piper voice model sounds
far better where one is configured (PIPER_MODEL). With neither, a video is made without a
voice rather than failing, and the job's log says so once.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import math
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from django.conf import settings

from media_pipeline.audio.wav import read_wav, resample, write_wav
from media_pipeline.backends.base import Reporter
from media_pipeline.request import Shot

CLIP_SAMPLE_RATE = 48000
# Narration starts this long after its shot begins, so the first word is not on the cut.
NARRATION_LEAD_IN = 0.1
SYNTH_TIMEOUT_SECONDS = 120

# The platform's voice names, whatever the engine: each engine maps them to one of its own.
VOICE_ALIASES = ("en", "en-us", "en-gb", "female", "male", "narrator")
# (espeak-ng voice, words per minute) for each platform voice name.
ESPEAK_ALIASES: dict[str, tuple[str, int]] = {
    "en": ("en-us", 165),
    "en-us": ("en-us", 165),
    "en-gb": ("en-gb", 165),
    "female": ("en-us+f3", 160),
    "male": ("en-us+m3", 160),
    "narrator": ("en-gb-x-rp+m2", 150),
}
ESPEAK_DEFAULT_RATE = 165


class TtsError(RuntimeError):
    """Text-to-speech failed, or the configured engine cannot run here."""


class UnknownVoice(ValueError):
    """A voice the engine does not have; the message lists the ones it has."""


@dataclass(frozen=True)
class NarrationClip:
    """One shot's narration: a 48 kHz mono WAV, trimmed of silence, and its length."""

    path: Path
    duration: float  # seconds
    text: str
    voice: str


class TtsEngine(Protocol):
    """Speaks text into a WAV file with one of its voices."""

    name: str

    def voices(self) -> list[str]:
        """Every voice name `resolve_voice` accepts, platform names first."""
        ...

    def resolve_voice(self, voice: str) -> str:
        """The engine's own voice for a platform or engine voice name; raises UnknownVoice."""
        ...

    def synthesize(self, text: str, *, voice: str, out: Path) -> Path:
        """Write `text` spoken by `voice` to the WAV file `out`; raises TtsError."""
        ...


def _run(command: list[str], *, text: str, engine: str) -> None:
    # Text goes in on stdin, never as an argument, so a line starting with "-" stays text.
    try:
        result = subprocess.run(  # noqa: S603 - a found binary; text only on stdin
            command,
            input=text.encode(),
            capture_output=True,
            timeout=SYNTH_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise TtsError(f"{engine} took over {SYNTH_TIMEOUT_SECONDS} s for one shot") from exc
    except OSError as exc:
        raise TtsError(f"{engine} could not be started: {exc}") from exc
    if result.returncode != 0:
        stderr = result.stderr.decode(errors="replace").strip()
        raise TtsError(f"{engine} failed (exit {result.returncode}): {stderr[-500:]}")


@functools.lru_cache(maxsize=4)
def _espeak_catalogue(binary: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The languages and voice variants an espeak-ng installation has."""

    def table(*args: str) -> list[list[str]]:
        out = subprocess.run(  # noqa: S603 - the found espeak-ng, fixed arguments
            [binary, *args], capture_output=True, text=True, timeout=30, check=False
        )
        return [line.split() for line in out.stdout.splitlines()[1:] if line.strip()]

    # MBROLA voices ("mb/...") need separate voice data that is rarely installed; leave them out.
    languages: set[str] = set()
    for row in table("--voices"):
        if len(row) >= 5 and not row[4].startswith("mb/"):
            # The language, and those it also speaks: "(en 2)" after en-gb makes "en" a voice.
            languages.add(row[1].lower())
            languages.update(word[1:].lower() for word in row[5:] if word.startswith("("))
    variants = sorted(
        {row[4].removeprefix("!v/") for row in table("--voices=variant") if len(row) >= 5}
    )
    return tuple(sorted(languages)), tuple(variants)


class EspeakTts:
    """espeak-ng: robotic but everywhere, dozens of languages, voice variants such as en+f3."""

    name = "espeak"

    def __init__(self, binary: str) -> None:
        self.binary = binary

    @classmethod
    def find(cls) -> EspeakTts | None:
        binary = shutil.which("espeak-ng")
        return cls(binary) if binary else None

    def languages(self) -> tuple[str, ...]:
        return _espeak_catalogue(self.binary)[0]

    def variants(self) -> tuple[str, ...]:
        return _espeak_catalogue(self.binary)[1]

    def voices(self) -> list[str]:
        return list(VOICE_ALIASES) + [v for v in self.languages() if v not in VOICE_ALIASES]

    def resolve_voice(self, voice: str) -> str:
        return self._resolve(voice)[0]

    def _resolve(self, voice: str) -> tuple[str, int]:
        key = voice.strip().lower()
        if key in ESPEAK_ALIASES:
            return ESPEAK_ALIASES[key]
        language, _, variant = voice.strip().partition("+")
        # espeak-ng silently ignores an unknown variant, so the check has to be ours.
        if language.lower() in self.languages() and (not variant or variant in self.variants()):
            return voice.strip(), ESPEAK_DEFAULT_RATE
        raise UnknownVoice(
            f"Unknown voice {voice!r}. Known voices: {', '.join(VOICE_ALIASES)}, or an "
            f"espeak-ng voice '<language>[+<variant>]' such as en+f3, where <language> is one "
            f"of: {', '.join(self.languages())}; and <variant> one of: "
            f"{', '.join(self.variants())}."
        )

    def synthesize(self, text: str, *, voice: str, out: Path) -> Path:
        espeak_voice, rate = self._resolve(voice)
        _run(
            [self.binary, "-v", espeak_voice, "-s", str(rate), "-w", str(out), "--stdin"],
            text=text,
            engine="espeak-ng",
        )
        return out


class PiperTts:
    """Piper: a neural voice from one .onnx model (and its .onnx.json), run by its CLI."""

    name = "piper"

    def __init__(self, model: Path, command: list[str]) -> None:
        self.model = model
        self.command = command

    @staticmethod
    def find_command() -> list[str] | None:
        """The piper binary on PATH, else the `piper` Python package's CLI, else None."""
        binary = shutil.which("piper")
        if binary:
            return [binary]
        if importlib.util.find_spec("piper") is not None:
            return [sys.executable, "-m", "piper"]
        return None

    @classmethod
    def from_settings(cls) -> PiperTts:
        """The configured Piper voice; raises TtsError naming what is missing."""
        if not settings.PIPER_MODEL:
            raise TtsError("PIPER_MODEL is not set: give the path of a Piper voice (.onnx)")
        model = Path(settings.PIPER_MODEL)
        if not model.is_file():
            raise TtsError(f"PIPER_MODEL={model} does not exist")
        command = cls.find_command()
        if command is None:
            raise TtsError(
                f"PIPER_MODEL={model} is set but Piper is not installed: "
                "pip install piper-tts, or put the piper binary on PATH"
            )
        return cls(model, command)

    def speakers(self) -> dict[str, int]:
        """A multi-speaker model's speakers (name -> id), from its .onnx.json config."""
        config = self.model.with_name(self.model.name + ".json")
        try:
            speaker_map = json.loads(config.read_text()).get("speaker_id_map") or {}
        except (OSError, ValueError):
            return {}
        return {str(name): int(sid) for name, sid in speaker_map.items()}

    def voices(self) -> list[str]:
        return list(VOICE_ALIASES) + sorted(self.speakers())

    def resolve_voice(self, voice: str) -> str:
        if voice.strip().lower() in VOICE_ALIASES or voice in self.speakers():
            return voice
        raise UnknownVoice(
            f"Unknown voice {voice!r}. Known voices: {', '.join(self.voices())} "
            f"(the Piper model {self.model.name} speaks every platform voice name alike)."
        )

    def synthesize(self, text: str, *, voice: str, out: Path) -> Path:
        self.resolve_voice(voice)
        command = [*self.command, "--model", str(self.model), "--output_file", str(out)]
        speaker = self.speakers().get(voice)
        if speaker is not None:
            command += ["--speaker", str(speaker)]
        # Piper reads one utterance per line.
        _run(command, text=" ".join(text.split()) + "\n", engine="piper")
        if not out.is_file():
            raise TtsError("piper exited without writing its WAV file")
        return out


def tts_engine() -> TtsEngine | None:
    """The engine TTS_ENGINE asks for; None when it is "none", or "auto" finds none.

    An engine named explicitly (espeak, piper) that cannot run raises TtsError: that is a
    broken deployment, not a machine that simply has no voice.
    """
    choice = settings.TTS_ENGINE
    if choice == "none":
        return None
    if choice == "piper":
        return PiperTts.from_settings()
    if choice == "espeak":
        espeak = EspeakTts.find()
        if espeak is None:
            raise TtsError(
                "TTS_ENGINE=espeak but espeak-ng is not installed (apt install espeak-ng)"
            )
        return espeak
    if settings.PIPER_MODEL:
        try:
            return PiperTts.from_settings()
        except TtsError:
            pass  # auto: fall back to espeak-ng; describe_tts() reports why Piper is not used
    return EspeakTts.find()


def describe_tts() -> dict[str, Any]:
    """What narration this machine can do, for the model registry; never raises."""
    problem = None
    try:
        engine = tts_engine()
    except TtsError as exc:
        engine, problem = None, str(exc)
    if problem is None and settings.TTS_ENGINE == "auto":
        piper_problem = None
        if settings.PIPER_MODEL:  # configured, so say why it is not the engine
            try:
                PiperTts.from_settings()
            except TtsError as exc:
                piper_problem = f"Piper is not used: {exc}"
        if engine is None:
            problem = "No text-to-speech engine is installed (espeak-ng, or Piper with PIPER_MODEL)"
            if piper_problem:
                problem = f"{problem}. {piper_problem}"
        else:
            problem = piper_problem
    description: dict[str, Any] = {
        "engine": engine.name if engine else None,
        "setting": settings.TTS_ENGINE,
        "available": engine is not None,
        "voices": engine.voices() if engine else [],
        "problem": problem,
    }
    if isinstance(engine, EspeakTts):
        description["variants"] = list(engine.variants())
    if isinstance(engine, PiperTts):
        description["model"] = str(engine.model)
    return description


def validate_voice(voice: str | None) -> str | None:
    """Why `voice` cannot be used (a message listing the known voices), or None if it can.

    None (no narration) is always fine. Without an engine only the platform's own voice
    names pass, since the video will then be made without a voice anyway.
    """
    if voice is None:
        return None
    try:
        engine = tts_engine()
    except TtsError:
        engine = None
    if engine is None:
        if voice.strip().lower() in VOICE_ALIASES:
            return None
        return f"Unknown voice {voice!r}. Known voices: {', '.join(VOICE_ALIASES)}."
    try:
        engine.resolve_voice(voice)
    except UnknownVoice as exc:
        return str(exc)
    return None


def _trimmed(samples: np.ndarray, sample_rate: int, *, floor_db: float = -50.0) -> np.ndarray:
    """The clip without the silence engines put before and after the speech."""
    loud = np.flatnonzero(np.abs(samples) > 10 ** (floor_db / 20))
    if len(loud) == 0:
        return samples[:0]
    margin = int(0.03 * sample_rate)
    return samples[max(0, loud[0] - margin) : loud[-1] + margin]


def narrate(
    shots: Sequence[Shot], *, voice: str | None, workdir: Path, reporter: Reporter
) -> list[NarrationClip | None]:
    """One narration clip per shot that has spoken text (None for the others).

    With no voice asked for, or no engine installed, every entry is None and the video is
    made without a voice; the latter is logged once as a warning.
    """
    clips: list[NarrationClip | None] = [None] * len(shots)
    spoken = [i for i, shot in enumerate(shots) if shot.spoken_text]
    if voice is None or not spoken:
        return clips
    engine = tts_engine()
    if engine is None:
        reporter.log(
            "No text-to-speech engine is installed; the video has no narration", level="warn"
        )
        return clips
    engine.resolve_voice(voice)  # an unknown voice fails before any work is done
    workdir.mkdir(parents=True, exist_ok=True)
    for done, i in enumerate(spoken):
        reporter.check_cancelled()
        reporter.progress(done / len(spoken), f"Narrating shot {i + 1} of {len(shots)}")
        text = shots[i].spoken_text
        raw = engine.synthesize(text, voice=voice, out=workdir / f"narration-{i:03d}.raw.wav")
        samples, rate = read_wav(raw)
        mono = _trimmed(samples.mean(axis=1), rate)
        raw.unlink(missing_ok=True)
        if len(mono) == 0:
            reporter.log(f"Shot {i + 1}: the narration came out silent", level="warn")
            continue
        mono = resample(mono, rate, CLIP_SAMPLE_RATE)
        path = write_wav(workdir / f"narration-{i:03d}.wav", mono, CLIP_SAMPLE_RATE)
        clips[i] = NarrationClip(path, len(mono) / CLIP_SAMPLE_RATE, text, voice)
    reporter.progress(1.0, "Narration done")
    reporter.log(
        f"Narrated {len(spoken)} shot(s) with {engine.name}",
        engine=engine.name,
        voice=voice,
        seconds=round(sum(c.duration for c in clips if c), 2),
    )
    return clips


def plan_durations(
    shots: Sequence[Shot],
    clips: Sequence[NarrationClip | None],
    *,
    padding: float = 0.4,
    fps: int | None = None,
) -> list[float]:
    """Each shot's length: as asked, or longer when its narration (plus padding) needs it.

    With `fps`, a lengthened shot is rounded up to whole frames, so the video's frames and
    the soundtrack's samples stay in step shot after shot.
    """
    if len(shots) != len(clips):
        raise ValueError(f"{len(shots)} shots but {len(clips)} narration clips")
    padding = max(padding, NARRATION_LEAD_IN)  # the clip starts NARRATION_LEAD_IN in
    durations = []
    for shot, clip in zip(shots, clips, strict=True):
        needed = clip.duration + padding if clip else 0.0
        if needed <= shot.duration:
            durations.append(shot.duration)
        elif fps:
            durations.append(math.ceil(needed * fps - 1e-9) / fps)
        else:
            durations.append(needed)
    return durations
