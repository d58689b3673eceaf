"""The animatic backend: a moving storyboard of every shot, drawn on the CPU.

It is the embedded default, so that a laptop with no GPU still makes a real, watchable video:
each shot's prompt becomes a drawn scene in three parallax layers (animatic_scene), its speech
becomes captions (animatic_text), and the shot's camera move and transition are played over
them. Everything costly happens once per shot; a frame is one crop, two masked pastes, a
scale for zooms and a few overlay pastes, all in Pillow's C code, which keeps it well above
real time at 1280x720 (bench/animatic.py measures it).

Same request, same seed: same frames. The scene of shot i is seeded from the request's seed,
i, and a hash of the prompt, so editing one shot's prompt redraws that shot only.
"""

from __future__ import annotations

import hashlib
import math
import os
import platform
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import PIL
from PIL import Image, ImageDraw

from media_pipeline.backends import animatic_scene as scene
from media_pipeline.backends import animatic_text as text
from media_pipeline.backends.base import Frame, Manifest, Reporter
from media_pipeline.request import RenderRequest, Shot, shot_frames

RENDERER_VERSION = "2"  # bump when the same request would draw different frames
TRANSITION_SECONDS = 0.5
PROGRESS_EVERY = 12  # frames
TITLE_SECONDS = 2.5
PAN = 0.06  # of the frame, each way
TILT = 0.06
ZOOM = 1.3  # zoom_in ends this much closer
DOLLY = 1.2
DEPTHS = {  # how far each layer (far, mid, near) moves with the camera: parallax
    "pan_left": (0.85, 0.93, 1.0),
    "pan_right": (0.85, 0.93, 1.0),
    "tilt_up": (0.85, 0.93, 1.0),
    "tilt_down": (0.85, 0.93, 1.0),
    "tracking": (0.2, 0.55, 1.3),
    "handheld": (1.0, 1.0, 1.0),
}


def shot_seed(request_seed: int, index: int, prompt: str) -> int:
    """The seed of one shot's drawing: the request's seed, the shot's place, its prompt."""
    digest = hashlib.sha256(f"{request_seed}:{index}:{prompt}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True)
class CameraPath:
    """Per frame: the crop size (a zoom crops less and scales up) and each layer's offset."""

    sizes: np.ndarray  # (n, 2) int: crop width, height
    offsets: np.ndarray  # (n, 3, 2) int: x, y for far, mid, near

    def margins(self) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
        """How much larger than the frame each layer must be drawn, (x, y) per layer."""
        reach = np.abs(self.offsets).max(axis=0) + 2
        return (
            (int(reach[0, 0]), int(reach[0, 1])),
            (int(reach[1, 0]), int(reach[1, 1])),
            (int(reach[2, 0]), int(reach[2, 1])),
        )


def camera_path(
    move: str, *, frames: int, fps: int, width: int, height: int, rng: np.random.Generator
) -> CameraPath:
    """Where the camera looks in each frame of a shot; moves ease in and out."""
    u = np.linspace(0.0, 1.0, frames) if frames > 1 else np.zeros(1)
    ease = u * u * (3 - 2 * u)
    x = np.zeros(frames)
    y = np.zeros(frames)
    zoom = np.ones(frames)
    push = np.zeros(frames)  # a dolly's extra push of the near layers, downwards
    if move == "pan_left":
        x = width * PAN * (1 - 2 * ease)
    elif move == "pan_right":
        x = width * PAN * (2 * ease - 1)
    elif move == "tilt_up":
        y = height * TILT * (1 - 2 * ease)
    elif move == "tilt_down":
        y = height * TILT * (2 * ease - 1)
    elif move == "tracking":  # a steady move sideways: no easing, strong parallax
        x = width * PAN * (2 * u - 1) * (1 if rng.uniform() < 0.5 else -1)
    elif move == "handheld":
        t = np.arange(frames) / fps
        phase = rng.uniform(0, 2 * math.pi, 4)
        amp = width * 0.006
        x = amp * (
            0.65 * np.sin(2 * math.pi * 0.9 * t + phase[0])
            + 0.35 * np.sin(2 * math.pi * 2.3 * t + phase[1])
        )
        y = (
            amp
            * 0.7
            * (
                0.6 * np.sin(2 * math.pi * 1.1 * t + phase[2])
                + 0.4 * np.sin(2 * math.pi * 2.9 * t + phase[3])
            )
        )
    elif move == "zoom_in":
        zoom = 1 + (ZOOM - 1) * ease
    elif move == "zoom_out":
        zoom = ZOOM - (ZOOM - 1) * ease
    elif move == "dolly_in":
        zoom = 1 + (DOLLY - 1) * ease
        push = height * 0.05 * ease
    elif move == "dolly_out":
        zoom = DOLLY - (DOLLY - 1) * ease
        push = height * 0.05 * (1 - ease)
    depths = DEPTHS.get(move, (1.0, 1.0, 1.0))
    offsets = np.zeros((frames, 3, 2), np.int64)
    for layer, (depth, pushed) in enumerate(zip(depths, (0.0, 0.3, 1.0), strict=True)):
        offsets[:, layer, 0] = np.round(x * depth)
        offsets[:, layer, 1] = np.round(y * depth - push * pushed)
    sizes = np.stack([np.round(width / zoom), np.round(height / zoom)], axis=1).astype(np.int64)
    return CameraPath(sizes=sizes, offsets=offsets)


@dataclass(frozen=True)
class _Cutout:
    """A masked layer cut to what it covers, with where that sits on the layer."""

    rgb: Image.Image
    mask: Image.Image
    x: int
    y: int


def _cutout(rgb: Image.Image, mask: Image.Image) -> _Cutout | None:
    box = mask.getbbox()
    if box is None:
        return None
    return _Cutout(rgb.crop(box), mask.crop(box), box[0], box[1])


class ShotRender:
    """One shot, drawn and ready: `frame(j)` gives its j-th frame (a fresh RGB image)."""

    def __init__(self, request: RenderRequest, index: int) -> None:
        shot = request.shots[index]
        self.width, self.height, self.fps = request.width, request.height, request.fps
        self.frames = shot_frames(shot, request.fps)
        self.style = request.style
        streams = np.random.SeedSequence(shot_seed(request.seed, index, shot.prompt)).spawn(3)
        draw_rng, camera_rng, effects_rng = (np.random.default_rng(s) for s in streams)
        self.camera = camera_path(
            shot.camera,
            frames=self.frames,
            fps=self.fps,
            width=self.width,
            height=self.height,
            rng=camera_rng,
        )
        # Every shot is read in the world of the whole script (scene.read_shots).
        self.spec = scene.read_shots(
            [s.prompt for s in request.shots],
            [len({who for who, _line in s.dialogue if who.strip()}) for s in request.shots],
        )[index]
        layers = scene.paint(
            spec=self.spec,
            style=self.style,
            width=self.width,
            height=self.height,
            margins=self.camera.margins(),
            rng=draw_rng,
        )
        self.layers = layers
        self.mid = _cutout(layers.mid, layers.mid_mask)
        self.near = _cutout(layers.near, layers.near_mask)
        self.weather = self._weather(layers.weather, effects_rng)
        self.letterbox = (
            max(0, round((self.height - self.width / 2.0) / 2))
            if self.style == "cinematic" and self.width >= 1.5 * self.height
            else 0
        )
        self.label: text.Overlay | None = (
            text.shot_label(
                text=f"SHOT {index + 1}/{len(request.shots)}  ·  {shot.prompt}",
                width=self.width,
                height=self.height,
            )
            if request.options.shot_labels
            else None
        )
        self.captions, self.caption_at = self._captions(shot)
        self.title: text.Overlay | None = None
        self.title_frames = 0
        self.title_fade = max(1, round(0.5 * self.fps))
        if index == 0 and request.title.strip():
            self.title = text.title_card(
                title=request.title.strip(), width=self.width, height=self.height
            )
            self.title_frames = min(round(TITLE_SECONDS * self.fps), max(1, int(self.frames * 0.7)))
        self._faded: dict[int, text.Overlay] = {}
        self._held: dict[int, Image.Image] = {}

    def _captions(self, shot: Shot) -> tuple[list[text.Overlay], np.ndarray]:
        """Caption pages and, per frame, which page shows (-1: none), timed by length."""
        pages = text.caption_pages(
            narration=shot.narration,
            dialogue=shot.dialogue,
            width=self.width,
            height=self.height,
            style=self.style,
        )
        at = np.full(self.frames, -1, np.int64)
        if pages:
            weights = np.asarray([max(1, w) for _page, w in pages], np.float64)
            ends = np.round(np.cumsum(weights) / weights.sum() * self.frames).astype(np.int64)
            start = 0
            for k, end in enumerate(ends):
                at[start:end] = k
                start = end
        return [page for page, _w in pages], at

    def _weather(self, kind: str, rng: np.random.Generator) -> Image.Image | None:
        """A tile twice the frame's height that repeats every frame height: rain or snow."""
        if not kind:
            return None
        w, h = self.width, self.height
        tile = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        draw = ImageDraw.Draw(tile)
        if kind == "rain":
            length = h * 0.05
            for _ in range(int(w * h / 2500)):
                x, y = rng.uniform(0, w), rng.uniform(0, h)
                draw.line(
                    (x, y, x - length * 0.15, y + length),
                    fill=(*scene.grade((200, 205, 215), self.style), 110),
                    width=1,
                )
        else:
            for _ in range(int(w * h / 3500)):
                x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.8, 2.2) * h / 720
                draw.ellipse(
                    (x - r, y - r, x + r, y + r),
                    fill=(*scene.grade((250, 250, 255), self.style), 210),
                )
        both = Image.new("RGBA", (w, 2 * h))
        both.paste(tile, (0, 0))
        both.paste(tile, (0, h))
        return both

    def held(self, j: int) -> Image.Image:
        """Frame j, kept: the still end of a shot that a transition blends over many frames.

        Images handed out are never drawn on again (blends make new ones), so one copy can
        serve every frame of the transition, from any thread.
        """
        if j not in self._held:
            self._held[j] = self.frame(j)
        return self._held[j]

    def frame(self, j: int) -> Image.Image:
        """Frame j of the shot (0-based), a new image; safe to call from several threads."""
        w, h = (int(v) for v in self.camera.sizes[j])
        (fx, fy), (mx, my), (nx, ny) = self.camera.offsets[j].tolist()
        margins = self.layers.margins
        # The crop of each layer: its rest position (the margin) plus its share of the move.
        left, top = (self.width - w) // 2, (self.height - h) // 2
        x0, y0 = margins[0][0] + left + fx, margins[0][1] + top + fy
        image = self.layers.far.crop((x0, y0, x0 + w, y0 + h))
        for cut, (lx, ly), margin in (
            (self.mid, (mx, my), margins[1]),
            (self.near, (nx, ny), margins[2]),
        ):
            if cut is not None:
                ox, oy = margin[0] + left + lx, margin[1] + top + ly
                image.paste(cut.rgb, (cut.x - ox, cut.y - oy), cut.mask)
        if (w, h) != (self.width, self.height):
            image = image.resize((self.width, self.height), Image.Resampling.BILINEAR)
        if self.weather is not None:
            speed = 0.045 if self.layers.weather == "rain" else 0.004
            shift = round(j * speed * self.height) % self.height
            image.paste(self.weather, (0, shift - self.height), self.weather)
        if self.letterbox:
            image.paste((0, 0, 0), (0, 0, self.width, self.letterbox))
            image.paste((0, 0, 0), (0, self.height - self.letterbox, self.width, self.height))
        if j < self.title_frames and self.title is not None:  # under the label and captions
            left_frames = self.title_frames - j
            if left_frames <= self.title_fade:
                level = round(8 * left_frames / (self.title_fade + 1))
                if level not in self._faded:
                    self._faded[level] = self.title.faded(level / 8)
                self._paste(image, self._faded[level])
            else:
                self._paste(image, self.title)
        if self.label is not None:
            self._paste(image, self.label)
        page = int(self.caption_at[j])
        if page >= 0:
            self._paste(image, self.captions[page])
        return image

    @staticmethod
    def _paste(image: Image.Image, overlay: text.Overlay) -> None:
        image.paste(overlay.image, (overlay.x, overlay.y), overlay.image)


def blend(kind: str, outgoing: Image.Image, incoming: Image.Image, t: float) -> Image.Image:
    """A transition `t` (0..1) of the way from the outgoing shot to the incoming one."""
    if kind == "dissolve":
        return Image.blend(outgoing, incoming, t)
    if kind == "fade":  # through black: out over the first half, in over the second
        black = Image.new("RGB", outgoing.size)
        if t < 0.5:
            return Image.blend(outgoing, black, t * 2)
        return Image.blend(black, incoming, t * 2 - 1)
    if kind == "wipe":  # the incoming shot slides in from the left edge
        edge = round(outgoing.width * t)
        image = outgoing.copy()
        if edge > 0:
            image.paste(incoming.crop((0, 0, edge, incoming.height)), (0, 0))
        return image
    return incoming if t >= 0.5 else outgoing


class Grain:
    """Vintage film grain: each frame darkened by a different crop of one noise tile."""

    def __init__(self, request: RenderRequest) -> None:
        rng = np.random.default_rng(shot_seed(request.seed, -1, "grain"))
        shape = (request.height + 32, request.width + 32, 1)
        # Grey grain, stored three times over: a broadcast (H, W, 1) operand is ~20x slower.
        self.tile = np.repeat(rng.integers(0, 22, shape, dtype=np.uint8), 3, axis=2)
        self.offsets = rng.integers(0, 32, (request.frame_count, 2))
        self.height, self.width = request.height, request.width

    def apply(self, frame: np.ndarray, g: int) -> np.ndarray:
        """Frame g with its grain: a saturating subtraction (NumPy's is ~20x Pillow's)."""
        x, y = (int(v) for v in self.offsets[g])
        noise = self.tile[y : y + self.height, x : x + self.width]
        return np.maximum(frame, noise) - noise


class FramePlan:
    """Which shot and frame each frame of the request is, and what it blends with.

    A transition of about TRANSITION_SECONDS is centred on the cut: its first half ends the
    outgoing shot, its second half begins the incoming one, so the frame count is the shots'
    own. Over it, the other shot is held still (its last or first frame).
    """

    def __init__(self, request: RenderRequest) -> None:
        self.counts = [shot_frames(shot, request.fps) for shot in request.shots]
        self.starts = np.cumsum([0, *self.counts])
        self.windows: list[tuple[int, int]] = []  # per cut: frames before it, frames after
        for i, shot in enumerate(request.shots[:-1]):
            span = 0
            if shot.transition != "cut":
                span = min(
                    round(TRANSITION_SECONDS * request.fps),
                    self.counts[i] // 2,
                    self.counts[i + 1] // 2,
                )
            if span < 2:
                span = 0
            self.windows.append((span // 2, span - span // 2))

    def locate(self, g: int) -> tuple[int, int]:
        """(shot, frame within it) of frame g of the request."""
        i = int(np.searchsorted(self.starts, g, side="right")) - 1
        return i, g - int(self.starts[i])

    def transition(self, g: int) -> tuple[int, int, float] | None:
        """For a frame inside a transition: (other shot, its held frame, t from 0 to 1)."""
        i, j = self.locate(g)
        if i > 0:
            before, after = self.windows[i - 1]
            if j < after:
                return i - 1, self.counts[i - 1] - 1, (before + j + 1) / (before + after + 1)
        if i < len(self.windows):
            before, after = self.windows[i]
            start = self.counts[i] - before
            if j >= start:
                return i + 1, 0, (j - start + 1) / (before + after + 1)
        return None


class AnimaticBackend:
    """Moving storyboards on the CPU: the default video backend."""

    name = "animatic"

    def __init__(self, threads: int | None = None) -> None:
        # Pillow lets go of the GIL while it crops, pastes and scales, so frames drawn on two
        # threads come nearly twice as fast on two cores; more rarely pays, as the encoder
        # needs CPU too.
        self.threads = threads or min(2, os.cpu_count() or 1)

    def frames(self, request: RenderRequest, reporter: Reporter) -> Iterator[Frame]:
        """Yield every frame of the request in order, each a fresh read-only RGB array.

        Frames are drawn a few ahead on `threads` threads, and the next shot's drawings on one
        more, so a shot boundary does not stall. Closing the generator, or Cancelled from the
        reporter (checked before every frame), stops it; work already started is dropped.
        """
        total = request.frame_count
        shots = len(request.shots)
        reporter.log(
            "Drawing the animatic",
            frames=total,
            shots=shots,
            width=request.width,
            height=request.height,
            style=request.style,
        )
        plan = FramePlan(request)
        grain = Grain(request) if request.style == "vintage" else None
        preparing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="animatic-shot")
        drawing = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="animatic")
        renders: dict[int, Future[ShotRender]] = {}

        def render(i: int) -> Future[ShotRender]:
            if i not in renders:
                renders[i] = preparing.submit(ShotRender, request, i)
            return renders[i]

        def draw(g: int, mine: Future[ShotRender], other: Future[ShotRender] | None) -> Frame:
            # The shots' futures come with the job: the main thread may drop them meanwhile.
            i, j = plan.locate(g)
            image = mine.result().frame(j)
            blending = plan.transition(g)
            if blending is not None and other is not None:
                k, held, t = blending
                still = other.result().held(held)
                kind = request.shots[min(i, k)].transition
                image = blend(kind, image, still, t) if k > i else blend(kind, still, image, t)
            frame = np.asarray(image)
            return grain.apply(frame, g) if grain is not None else frame

        ahead: deque[Future[Frame]] = deque()
        queued = 0
        try:
            for g in range(total):
                while queued < total and len(ahead) < 2 * self.threads:
                    i, _j = plan.locate(queued)
                    for k in (i - 1, i, i + 1):  # this shot, and its neighbours for transitions
                        if 0 <= k < shots:
                            render(k)
                    for old in [k for k in renders if k < i - 1]:  # let the old drawings go
                        del renders[old]
                    blending = plan.transition(queued)
                    other = render(blending[0]) if blending is not None else None
                    ahead.append(drawing.submit(draw, queued, render(i), other))
                    queued += 1
                reporter.check_cancelled()
                yield ahead.popleft().result()
                done = g + 1
                if done % PROGRESS_EVERY == 0 or done == total:
                    shot = plan.locate(g)[0] + 1
                    reporter.progress(done / total, f"Rendering shot {shot} of {shots}")
        finally:
            for future in ahead:
                future.cancel()
            drawing.shutdown(wait=False, cancel_futures=True)
            preparing.shutdown(wait=False, cancel_futures=True)

    def manifest(self, request: RenderRequest) -> Manifest:
        """What drew the frames: this renderer's version, the seed, the size, the libraries."""
        return Manifest(
            backend=self.name,
            model_id="animatic",
            revision=RENDERER_VERSION,
            seed=request.seed,
            device="cpu",
            dtype="uint8",
            parameters={
                "width": request.width,
                "height": request.height,
                "fps": request.fps,
                "style": request.style,
                "frames": request.frame_count,
                "shots": len(request.shots),
            },
            versions={
                "numpy": np.__version__,
                "Pillow": PIL.__version__,
                "python": platform.python_version(),
            },
        )


def render_still(
    *, prompt: str, style: str = "cinematic", width: int = 1024, height: int = 576, seed: int = 0
) -> Frame:
    """One storyboard frame of a prompt (no captions or label): a keyframe or thumbnail."""
    request = RenderRequest(
        shots=(Shot(prompt=prompt, duration=1.0),),
        width=width,
        height=height,
        fps=8,
        seed=seed,
        style=style,
    )
    render = ShotRender(request, 0)
    render.label = None
    return np.asarray(render.frame(0))
