"""Still images from a prompt: keyframes, thumbnails and POST /ai/image.

Two backends, as for video: a storyboard frame drawn on the CPU (`animatic`, the default) and
a text-to-image diffusion model on a GPU worker (`diffusers`).
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from media_pipeline.backends.base import NullReporter, Reporter


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
    """A still from the animatic renderer: the shot's first frame, without captions or label."""
    from media_pipeline.backends.animatic import render_still

    reporter.check_cancelled()
    still = render_still(
        prompt=request.prompt,
        style=request.style,
        width=request.width,
        height=request.height,
        seed=request.seed,
    )
    reporter.progress(1.0)
    return Image.fromarray(still)
