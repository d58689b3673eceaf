"""What the media pipeline is asked to make: a render request of shots, and its limits.

A request is plain data (it travels in a job's JSON input), validated once, before any job is
queued, so a bad request is refused at the API and never costs worker time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.conf import settings

CAMERA_MOVES = (
    "static",
    "pan_left",
    "pan_right",
    "tilt_up",
    "tilt_down",
    "zoom_in",
    "zoom_out",
    "dolly_in",
    "dolly_out",
    "tracking",
    "handheld",
)
STYLES = (
    "cinematic",
    "anime",
    "noir",
    "watercolor",
    "documentary",
    "storybook",
    "neon",
    "vintage",
)
MOODS = ("neutral", "happy", "sad", "tense", "epic", "mysterious", "romantic", "calm")
GENRES = (
    "drama",
    "comedy",
    "thriller",
    "horror",
    "fantasy",
    "scifi",
    "romance",
    "documentary",
    "adventure",
    "mystery",
)
TRANSITIONS = ("cut", "fade", "dissolve", "wipe")


class InputInvalid(ValueError):
    """Input the pipeline refuses; `issues` name each field and why ({field, message})."""

    def __init__(self, issues: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{i['field']}: {i['message']}" for i in issues))
        self.issues = issues


class RenderRequestInvalid(InputInvalid):
    """A render request the pipeline refuses; `issues` name each field and why."""


@dataclass(frozen=True)
class Shot:
    """One shot: what is seen (prompt), what is said (narration, dialogue), how long, how shot."""

    prompt: str
    narration: str = ""
    dialogue: tuple[tuple[str, str], ...] = ()  # (speaker, line)
    duration: float = 4.0  # seconds
    camera: str = "static"
    transition: str = "cut"  # into the next shot

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, dialogue lines as {speaker, line}, as `RenderRequest.from_dict` reads."""
        data = asdict(self)
        data["dialogue"] = [{"speaker": s, "line": line} for s, line in self.dialogue]
        return data

    @property
    def spoken_text(self) -> str:
        """Everything spoken in the shot, narration first, then dialogue lines."""
        lines = [self.narration] if self.narration else []
        lines += [line for _speaker, line in self.dialogue]
        return " ".join(part.strip() for part in lines if part.strip())


@dataclass(frozen=True)
class RenderOptions:
    """Audio options: a voice for the narration (None: no voice) and a music bed; and
    `shot_labels`, a storyboard's "SHOT n/m · prompt" strip burned into the frames (off)."""

    voice: str | None = "en"
    music: bool = True
    genre: str = "drama"
    mood: str = "neutral"
    shot_labels: bool = False


@dataclass(frozen=True)
class RenderRequest:
    """Shots to render at one resolution and frame rate, with a seed and a visual style."""

    shots: tuple[Shot, ...]
    width: int = 1280
    height: int = 720
    fps: int = 24
    seed: int = 0
    style: str = "cinematic"
    title: str = ""
    options: RenderOptions = field(default_factory=RenderOptions)

    @property
    def duration(self) -> float:
        return sum(shot.duration for shot in self.shots)

    @property
    def frame_count(self) -> int:
        return sum(shot_frames(shot, self.fps) for shot in self.shots)

    def with_durations(self, durations: list[float]) -> RenderRequest:
        """The same request with each shot lasting its entry of `durations` (one per shot)."""
        shots = tuple(
            replace(shot, duration=d) for shot, d in zip(self.shots, durations, strict=True)
        )
        return replace(self, shots=shots)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, as kept in a job's input; `from_dict` reads it back."""
        data = asdict(replace(self, shots=()))
        data["shots"] = [shot.to_dict() for shot in self.shots]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RenderRequest:
        """Build and validate a request from JSON; raises RenderRequestInvalid."""
        issues: list[dict[str, str]] = []
        raw_shots = data.get("shots")
        if not isinstance(raw_shots, list | tuple) or not raw_shots:
            raise RenderRequestInvalid([{"field": "shots", "message": "At least one shot."}])
        shots = []
        for i, raw in enumerate(raw_shots):
            if not isinstance(raw, dict):
                issues.append({"field": f"shots[{i}]", "message": "Must be an object."})
                continue
            dialogue = tuple(
                (str(line.get("speaker", "")), str(line.get("line", line.get("text", ""))))
                if isinstance(line, dict)
                else (str(line[0]), str(line[1]))
                for line in raw.get("dialogue") or ()
            )
            shots.append(
                Shot(
                    prompt=str(raw.get("prompt", "")).strip(),
                    narration=str(raw.get("narration") or "").strip(),
                    dialogue=dialogue,
                    duration=float(raw.get("duration", 4.0)),
                    camera=str(raw.get("camera") or "static"),
                    transition=str(raw.get("transition") or "cut"),
                )
            )
        raw_options = data.get("options") or {}
        options = RenderOptions(
            voice=raw_options.get("voice", "en"),
            music=bool(raw_options.get("music", True)),
            genre=str(raw_options.get("genre") or "drama"),
            mood=str(raw_options.get("mood") or "neutral"),
            shot_labels=bool(raw_options.get("shot_labels", False)),
        )
        request = cls(
            shots=tuple(shots),
            width=int(data.get("width", 1280)),
            height=int(data.get("height", 720)),
            fps=int(data.get("fps", 24)),
            seed=int(data.get("seed", 0)),
            style=str(data.get("style") or "cinematic"),
            title=str(data.get("title") or ""),
            options=options,
        )
        issues += request.problems()
        if issues:
            raise RenderRequestInvalid(issues)
        return request

    def problems(self) -> list[dict[str, str]]:
        """Every reason to refuse this request (empty when it can be rendered)."""
        issues = []

        def bad(field_name: str, message: str) -> None:
            issues.append({"field": field_name, "message": message})

        limits = settings.MEDIA_LIMITS
        if not self.shots:
            bad("shots", "At least one shot.")
        if len(self.shots) > limits["max_shots"]:
            bad("shots", f"At most {limits['max_shots']} shots.")
        for i, shot in enumerate(self.shots):
            if not shot.prompt:
                bad(f"shots[{i}].prompt", "The prompt may not be empty.")
            elif len(shot.prompt) > limits["max_prompt_chars"]:
                bad(f"shots[{i}].prompt", f"At most {limits['max_prompt_chars']} characters.")
            if not 0.5 <= shot.duration <= limits["max_shot_seconds"]:
                bad(
                    f"shots[{i}].duration",
                    f"Between 0.5 and {limits['max_shot_seconds']} seconds.",
                )
            if shot.camera not in CAMERA_MOVES:
                bad(f"shots[{i}].camera", f"One of: {', '.join(CAMERA_MOVES)}.")
            if shot.transition not in TRANSITIONS:
                bad(f"shots[{i}].transition", f"One of: {', '.join(TRANSITIONS)}.")
        if self.duration > limits["max_seconds"]:
            bad("duration", f"At most {limits['max_seconds']} seconds of video in one request.")
        if not (limits["min_side"] <= self.width <= limits["max_width"]) or self.width % 2:
            bad("width", f"An even number from {limits['min_side']} to {limits['max_width']}.")
        if not (limits["min_side"] <= self.height <= limits["max_height"]) or self.height % 2:
            bad("height", f"An even number from {limits['min_side']} to {limits['max_height']}.")
        if not 8 <= self.fps <= 60:
            bad("fps", "From 8 to 60 frames per second.")
        if self.style not in STYLES:
            bad("style", f"One of: {', '.join(STYLES)}.")
        if self.options.genre not in GENRES:
            bad("options.genre", f"One of: {', '.join(GENRES)}.")
        if self.options.mood not in MOODS:
            bad("options.mood", f"One of: {', '.join(MOODS)}.")
        return issues


def shot_frames(shot: Shot, fps: int) -> int:
    """Frames in a shot: its duration at `fps`, at least one."""
    return max(1, round(shot.duration * fps))
