"""Still images from a prompt: keyframes, thumbnails and POST /ai/image.

Two backends, as for video: a storyboard frame drawn on the CPU (`animatic`, the default) and
a text-to-image diffusion model on a GPU worker (`diffusers`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from media_pipeline.backends.base import NullReporter, Reporter
from media_pipeline.request import RenderOptions, RenderRequest, Shot


@dataclass(frozen=True)
class ImageRequest:
    """One image: what it shows, its size, seed and the diffusion knobs (ignored by animatic)."""

    prompt: str
    width: int = 1024
    height: int = 576
    seed: int = 0
    style: str = "cinematic"
    steps: int | None = None
    guidance_scale: float | None = None
    negative_prompt: str = ""


def make_image(
    request: ImageRequest, *, backend: str, reporter: Reporter | None = None
) -> Image.Image:
    """The image for `request` from the named backend (`animatic` or `diffusers`)."""
    reporter = reporter or NullReporter()
    if backend == "diffusers":
        from media_pipeline.backends.diffusers_backend import NEGATIVE_PROMPT, generate_image

        return generate_image(
            request.prompt,
            width=request.width,
            height=request.height,
            seed=request.seed,
            steps=request.steps,
            guidance_scale=request.guidance_scale,
            negative_prompt=request.negative_prompt or NEGATIVE_PROMPT,
            reporter=reporter,
        )
    if backend == "animatic":
        return _storyboard_frame(request, reporter)
    raise LookupError(f"Unknown image backend {backend!r}")


def _storyboard_frame(request: ImageRequest, reporter: Reporter) -> Image.Image:
    """A still from the animatic renderer: the middle frame of a short static shot."""
    from media_pipeline.backends.animatic import AnimaticBackend

    fps = 8
    shot = Shot(prompt=request.prompt, duration=1.0, camera="static")
    render = RenderRequest(
        shots=(shot,),
        width=request.width,
        height=request.height,
        fps=fps,
        seed=request.seed,
        style=request.style,
        options=RenderOptions(voice=None, music=False),
    )
    frames = AnimaticBackend().frames(render, reporter)
    still: np.ndarray | None = None
    for index, frame in enumerate(frames):
        if index == fps // 2:
            still = np.array(frame, copy=True)
            break
    close = getattr(frames, "close", None)
    if close is not None:
        close()
    if still is None:
        raise RuntimeError("The storyboard renderer made no frame")
    reporter.progress(1.0)
    return Image.fromarray(still)
