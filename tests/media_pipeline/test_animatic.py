"""The animatic backend: exact frames, determinism, captions, camera moves, transitions."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pytest

from media_pipeline.backends.animatic import AnimaticBackend, FramePlan, render_still
from media_pipeline.backends.animatic_scene import read_prompt
from media_pipeline.backends.base import Cancelled, NullReporter
from media_pipeline.request import RenderRequest, Shot

W, H = 320, 180


def make(*shots: Shot, **kwargs: Any) -> RenderRequest:
    options: dict[str, Any] = {"width": W, "height": H, "fps": 12, "seed": 7, **kwargs}
    return RenderRequest(shots=shots, **options)


def frames(request: RenderRequest, reporter: Any = None) -> list[np.ndarray]:
    return list(AnimaticBackend().frames(request, reporter or NullReporter()))


def digest(frames: list[np.ndarray]) -> str:
    h = hashlib.sha256()
    for frame in frames:
        h.update(frame.tobytes())
    return h.hexdigest()


class Recorder(NullReporter):
    """Records progress; raises Cancelled from the `cancel_after`-th check on."""

    def __init__(self, cancel_after: int | None = None) -> None:
        self.checks = 0
        self.cancel_after = cancel_after
        self.progress_calls: list[tuple[float, str | None]] = []

    def progress(self, fraction: float, message: str | None = None) -> None:
        self.progress_calls.append((fraction, message))

    def check_cancelled(self) -> None:
        self.checks += 1
        if self.cancel_after is not None and self.checks > self.cancel_after:
            raise Cancelled


@pytest.mark.parametrize(
    ("fps", "shots"),
    [
        (8, (Shot("a meadow", duration=0.5),)),
        (  # shots so short that frames of three shots are in flight at once
            8,
            tuple(
                Shot(f"shot {i} in a city", duration=0.5, transition=t, camera="pan_left")
                for i, t in enumerate(("dissolve", "fade", "wipe", "dissolve", "cut", "fade"))
            ),
        ),
        (
            12,
            (
                Shot("a city at night", duration=1.0, camera="pan_left", transition="dissolve"),
                Shot("a forest", duration=0.7, camera="zoom_in", transition="fade"),
                Shot("the sea", duration=1.3, camera="tracking", transition="wipe"),
                Shot("space", duration=0.6, camera="handheld"),
            ),
        ),
        (
            30,
            (
                Shot("a room", duration=1.1, camera="dolly_out", transition="fade"),
                Shot("snowy mountains", duration=0.5, camera="tilt_up"),
            ),
        ),
    ],
)
def test_frames_are_exactly_the_requests_count_shape_and_type(fps, shots):
    request = make(*shots, fps=fps, title="A Title")
    made = frames(request)
    assert len(made) == request.frame_count
    assert all(f.shape == (H, W, 3) and f.dtype == np.uint8 for f in made)


def test_a_720p_request_gives_720p_frames():
    request = make(
        Shot("a castle on a hill", narration="Long ago.", duration=0.5, camera="zoom_in"),
        width=1280,
        height=720,
        fps=8,
    )
    made = frames(request)
    assert len(made) == 4
    assert {f.shape for f in made} == {(720, 1280, 3)}


def test_the_same_request_draws_the_same_frames_and_a_new_seed_or_prompt_does_not():
    shots = (
        Shot("a detective in the rain", narration="It rained.", camera="handheld", duration=1.0),
        Shot("a city at night", camera="pan_right", transition="dissolve", duration=1.0),
    )
    first = digest(frames(make(*shots)))
    assert digest(frames(make(*shots))) == first
    assert digest(frames(make(*shots, seed=8))) != first
    changed = (Shot("a boat on the sea", narration="It rained.", camera="handheld"), shots[1])
    assert digest(frames(make(*changed))) != first


def test_narration_is_drawn_as_a_caption_at_the_bottom():
    quiet = frames(make(Shot("a meadow", duration=0.5)))[0].astype(int)
    spoken = frames(make(Shot("a meadow", narration="The wind came.", duration=0.5)))[0]
    spoken = spoken.astype(int)
    band = slice(int(H * 0.7), H)
    assert np.abs(spoken[band] - quiet[band]).mean() > 2
    assert np.array_equal(spoken[: int(H * 0.6)], quiet[: int(H * 0.6)])


def test_dialogue_pages_change_during_the_shot():
    shot = Shot("two friends", dialogue=(("Ann", "Look."), ("Bo", "I see it.")), duration=2.0)
    made = frames(make(shot))
    first, last = made[0].astype(int), made[-1].astype(int)
    assert np.abs(first[int(H * 0.7) :] - last[int(H * 0.7) :]).mean() > 1


@pytest.mark.parametrize("camera", ["pan_left", "tilt_down", "zoom_in", "dolly_in", "tracking"])
def test_a_camera_move_moves_the_picture(camera):
    made = frames(make(Shot("a forest with mountains", camera=camera, duration=1.5)))
    middle = len(made) // 2
    assert not np.array_equal(made[middle], made[middle + 1])
    assert np.abs(made[0].astype(int) - made[-1].astype(int)).mean() > 3


def test_a_static_shot_without_changing_captions_holds_still():
    made = frames(make(Shot("a house in a meadow", narration="Home.", duration=1.0)))
    assert all(np.array_equal(made[0], frame) for frame in made[1:])


def test_a_dissolve_frame_lies_between_the_two_shots():
    day = Shot("a meadow on a sunny day", duration=1.0, transition="dissolve")
    night = Shot("a city at night", duration=1.0)
    cut = frames(make(Shot(day.prompt, duration=1.0), night))
    dissolved = frames(make(day, night))
    plan = FramePlan(make(day, night))
    before, after = plan.windows[0]
    assert before + after >= 4
    end_of_day, start_of_night = cut[11].astype(int), cut[12].astype(int)
    middle = dissolved[12].astype(int)  # second half of the window: night is mostly in
    low = np.minimum(end_of_day, start_of_night) - 1
    high = np.maximum(end_of_day, start_of_night) + 1
    assert np.all((low <= middle) & (middle <= high))
    assert np.abs(middle - end_of_day).mean() > 5
    assert np.abs(middle - start_of_night).mean() > 5
    assert np.array_equal(dissolved[5], cut[5])  # outside the window: untouched


def test_a_fade_goes_through_black_and_a_wipe_reveals_the_next_shot_from_the_left():
    day = Shot("a meadow on a sunny day", duration=1.0)
    night = Shot("snowy mountains", duration=1.0)
    cut = frames(make(day, night))
    faded = frames(make(Shot(day.prompt, duration=1.0, transition="fade"), night))
    darkest = min(faded[9:15], key=lambda f: f.mean())
    assert darkest.mean() < 0.3 * min(cut[11].mean(), cut[12].mean())
    wiped = frames(make(Shot(day.prompt, duration=1.0, transition="wipe"), night))
    frame = wiped[12]
    assert np.array_equal(frame[:, :20], cut[12][:, :20])  # the night shot's first frame
    assert np.array_equal(frame[:, -20:], cut[11][:, -20:])  # the day shot's last frame


def test_noir_is_grey_everywhere_captions_and_weather_included():
    shot = Shot(
        "a detective in the rain on a neon street at night",
        narration="Nobody saw.",
        dialogue=(("Sam", "Who?"),),
        camera="zoom_in",
        duration=1.0,
    )
    for frame in frames(make(shot, style="noir", title="Night")):
        assert np.array_equal(frame[..., 0], frame[..., 1])
        assert np.array_equal(frame[..., 1], frame[..., 2])


def test_styles_change_the_colours():
    shot = Shot("a village by the sea at sunset", duration=0.5)
    means = {
        style: frames(make(shot, style=style))[0].reshape(-1, 3).mean(axis=0)
        for style in ("cinematic", "vintage", "neon", "watercolor")
    }
    red, green, blue = means["vintage"]
    assert red > green > blue  # sepia
    assert len({tuple(np.round(m)) for m in means.values()}) == 4


def test_the_title_card_shows_over_the_first_shot_only():
    shots = (Shot("a meadow", duration=1.0), Shot("a forest", duration=1.0))
    plain, titled = frames(make(*shots)), frames(make(*shots, title="The Walk"))
    assert not np.array_equal(plain[0], titled[0])
    assert np.array_equal(plain[-1], titled[-1])


def test_cancelled_from_the_reporter_stops_the_frames():
    request = make(Shot("a forest", duration=2.0), Shot("a city", duration=2.0))
    reporter = Recorder(cancel_after=5)
    made = []
    with pytest.raises(Cancelled):
        for frame in AnimaticBackend().frames(request, reporter):
            made.append(frame)
    assert len(made) == 5 < request.frame_count


def test_progress_reaches_one_naming_the_shot():
    request = make(Shot("a forest", duration=1.0), Shot("a city", duration=1.5))
    reporter = Recorder()
    frames(request, reporter)
    fractions = [f for f, _m in reporter.progress_calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert len(fractions) == 30 // 12 + 1
    assert reporter.progress_calls[-1][1] == "Rendering shot 2 of 2"
    assert reporter.checks == request.frame_count


def test_the_manifest_says_what_drew_the_frames():
    request = make(Shot("a forest", duration=1.0), style="anime", seed=42)
    manifest = AnimaticBackend().manifest(request)
    assert (manifest.backend, manifest.seed, manifest.device) == ("animatic", 42, "cpu")
    assert manifest.parameters == {
        "width": W,
        "height": H,
        "fps": 12,
        "style": "anime",
        "frames": 12,
        "shots": 1,
    }
    assert set(manifest.versions) == {"numpy", "Pillow", "python"}


def test_the_prompt_decides_what_is_drawn():
    spec = read_prompt("Two friends walk through a forest at sunset")
    assert (spec.people, spec.forest, spec.time) == (2, True, "sunset")
    spec = read_prompt("A crowd in a rainy city street at night")
    assert (spec.people, spec.setting, spec.rain, spec.time) == (5, "city", True, "night")
    assert read_prompt("A ship on the ocean", speakers=2).people == 2
    assert read_prompt("A spaceship in orbit around a planet").setting == "space"
    assert read_prompt("A close-up of a robot").framing == "close"


def test_a_still_is_one_frame_of_the_prompt():
    still = render_still(prompt="a lighthouse on the coast", width=W, height=H, seed=3)
    assert still.shape == (H, W, 3)
    assert np.array_equal(
        still, render_still(prompt="a lighthouse on the coast", width=W, height=H, seed=3)
    )


def test_vintage_grain_flickers_and_never_wraps_to_bright():
    shot = Shot("a street at night", narration="Once.", duration=0.5)
    grainy = frames(make(shot, style="vintage"))
    assert not np.array_equal(grainy[0], grainy[1])  # the grain moves, the picture does not
    band = grainy[0][int(H * 0.75) :].astype(int)
    assert np.percentile(band, 5) < 40  # the caption's dark backing stays dark: no wrap-around
