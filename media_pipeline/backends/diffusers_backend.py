"""The `diffusers` video backend (GPU workers): text-to-video per shot, text-to-image for stills.

Each shot is generated at the size and frame count its model accepts (LTX: sides a multiple of
32, 8k+1 frames; CogVideoX: its trained 720x480, 8k+1 frames up to 49; Wan: multiples of 16,
4k+1 frames) at the model's own frame rate, then every frame is cropped and resized to the
request's size and the clip resampled in time to exactly the shot's frame count at the
request's fps. Progress and cancellation go through the pipeline's step callback.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from PIL import Image

from media_pipeline.backends.base import Frame, Manifest, NullReporter, Reporter
from media_pipeline.backends.diffusers_models import (
    PIPELINE_CACHE,
    PIPELINES,
    DiffusersModelError,
    ModelConfig,
    free_memory,
    library_versions,
    model_config,
    resolved_commit,
    source_kind,
)
from media_pipeline.request import RenderRequest, Shot, shot_frames

STYLE_WORDS = {
    "cinematic": "cinematic film still, dramatic lighting, shallow depth of field, 35mm",
    "anime": "anime style, cel shading, vibrant colors, detailed background art",
    "noir": "film noir, black and white, high contrast, hard shadows",
    "watercolor": "watercolor painting, soft washes, paper texture",
    "documentary": "documentary footage, natural light, handheld realism",
    "storybook": "storybook illustration, warm colors, soft shapes",
    "neon": "neon-lit night, cyberpunk colors, glowing signs, reflections",
    "vintage": "vintage 1970s film, grain, faded warm colors",
}
CAMERA_WORDS = {
    "static": "static camera",
    "pan_left": "camera pans left",
    "pan_right": "camera pans right",
    "tilt_up": "camera tilts up",
    "tilt_down": "camera tilts down",
    "zoom_in": "slow zoom in",
    "zoom_out": "slow zoom out",
    "dolly_in": "camera dollies in",
    "dolly_out": "camera dollies out",
    "tracking": "tracking shot following the subject",
    "handheld": "handheld camera",
}
NEGATIVE_PROMPT = "worst quality, blurry, jittery, distorted, deformed, watermark, text"


def shot_prompt(shot: Shot, style: str) -> str:
    """What the model is asked for: the shot's prompt, its camera move, the style's words."""
    parts = [shot.prompt.strip().rstrip(".")]
    if shot.camera != "static":
        parts.append(CAMERA_WORDS.get(shot.camera, shot.camera.replace("_", " ")))
    parts.append(STYLE_WORDS.get(style, style))
    return ", ".join(part for part in parts if part)


@dataclass(frozen=True)
class VideoSpec:
    """What one video model accepts: size and frame-count rules, its frame rate and defaults."""

    family: str
    side_multiple: int
    frame_step: int  # frame counts are frame_step * k + 1
    max_frames: int
    native_fps: int
    native_size: tuple[int, int]  # (width, height) it was trained at
    fixed_size: bool  # only native_size works (CogVideoX 1.0's positional embeddings)
    guidance_scale: float
    max_sequence_length: int


def video_spec(pipe: Any, family: str) -> VideoSpec:
    """The rules for `pipe`, read from its own VAE and transformer configs where they are kept."""
    if family == "ltx":
        return VideoSpec(
            family=family,
            side_multiple=32,  # LTXPipeline.check_inputs refuses anything else
            frame_step=int(pipe.vae_temporal_compression_ratio),
            max_frames=257,
            native_fps=24,
            native_size=(704, 480),
            fixed_size=False,
            guidance_scale=3.0,
            max_sequence_length=128,
        )
    if family == "cogvideox":
        config = pipe.transformer.config
        spatial = int(pipe.vae_scale_factor_spatial)
        temporal = int(pipe.vae_scale_factor_temporal)
        size = (config.sample_width * spatial, config.sample_height * spatial)
        # 1.0 models were trained on 8N+1 frames (two latent frames per step); 1.5 on 16N+1.
        step = temporal * (2 if config.patch_size_t is None else 4)
        return VideoSpec(
            family=family,
            side_multiple=spatial * int(config.patch_size),
            frame_step=step,
            max_frames=max(int(config.sample_frames), step + 1),
            native_fps=8 if config.patch_size_t is None else 16,
            native_size=size,
            fixed_size=config.patch_size_t is None,
            guidance_scale=6.0,
            max_sequence_length=int(config.max_text_seq_length),
        )
    if family == "wan":
        patch = pipe.transformer.config.patch_size
        return VideoSpec(
            family=family,
            side_multiple=int(pipe.vae_scale_factor_spatial) * int(patch[1]),
            frame_step=int(pipe.vae_scale_factor_temporal),
            max_frames=81,
            native_fps=16,
            native_size=(832, 480),
            fixed_size=False,
            guidance_scale=5.0,
            max_sequence_length=512,
        )
    raise DiffusersModelError(f"No video rules for pipeline family {family!r}.")


def fit_size(width: int, height: int, *, multiple: int, area: int) -> tuple[int, int]:
    """A size of about `area` pixels with the aspect of width x height, sides a multiple."""
    aspect = width / height
    gen_h = math.sqrt(area / aspect)
    gen_w = gen_h * aspect
    return (
        max(multiple, round(gen_w / multiple) * multiple),
        max(multiple, round(gen_h / multiple) * multiple),
    )


def fit_frames(seconds: float, *, fps: int, step: int, max_frames: int) -> int:
    """The valid frame count (step * k + 1, k >= 1) nearest to `seconds` at `fps`, capped."""
    k = round((seconds * fps - 1) / step)
    k_max = max(1, (max_frames - 1) // step)
    return min(max(k, 1), k_max) * step + 1


@dataclass(frozen=True)
class ShotPlan:
    """How one shot is generated."""

    index: int
    prompt: str
    seed: int
    width: int
    height: int
    num_frames: int
    fps: int
    output_frames: int


def plan_shots(
    request: RenderRequest, spec: VideoSpec, *, max_area: int | None, max_frames: int | None
) -> list[ShotPlan]:
    """Generation size, frame count and seed of every shot of `request`."""
    native_area = spec.native_size[0] * spec.native_size[1]
    if spec.fixed_size:
        width, height = spec.native_size
    else:
        # A small request need not cost full resolution, but these models fall apart far
        # below the size they were trained at: stay between a quarter and all of it.
        area = min(native_area, max(request.width * request.height, native_area // 4))
        if max_area:
            area = min(area, max_area)
        width, height = fit_size(
            request.width, request.height, multiple=spec.side_multiple, area=area
        )
    cap = min(spec.max_frames, max_frames) if max_frames else spec.max_frames
    return [
        ShotPlan(
            index=i,
            prompt=shot_prompt(shot, request.style),
            seed=request.seed + i,
            width=width,
            height=height,
            num_frames=fit_frames(
                shot.duration, fps=spec.native_fps, step=spec.frame_step, max_frames=cap
            ),
            fps=spec.native_fps,
            output_frames=shot_frames(shot, request.fps),
        )
        for i, shot in enumerate(request.shots)
    ]


def fit_frame(frame: np.ndarray, width: int, height: int) -> Frame:
    """Crop `frame` (float 0-1 or uint8, HxWx3) to the target aspect and resize it: uint8 RGB."""
    if frame.dtype != np.uint8:
        frame = (np.clip(frame, 0.0, 1.0) * 255.0).round().astype(np.uint8)
    src_h, src_w = frame.shape[:2]
    if (src_w, src_h) == (width, height):
        return np.ascontiguousarray(frame)
    # Cover, then centre-crop: a model's size never distorts the picture.
    scale = max(width / src_w, height / src_h)
    crop_w, crop_h = min(src_w, round(width / scale)), min(src_h, round(height / scale))
    left, top = (src_w - crop_w) // 2, (src_h - crop_h) // 2
    image = Image.fromarray(frame[top : top + crop_h, left : left + crop_w])
    image = image.resize((width, height), Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=np.uint8)


def resample_indices(generated: int, wanted: int) -> list[int]:
    """Which generated frame shows at each of `wanted` output frames, spread evenly in time."""
    # Nearest frame rather than blending: a blend of two frames ghosts every moving edge.
    return [min(generated - 1, int((j + 0.5) * generated / wanted)) for j in range(wanted)]


def _run(pipe: Any, kwargs: dict[str, Any]) -> Any:
    """Call `pipe`; when it fails or is cancelled, free what the aborted run held."""
    try:
        return pipe(**kwargs)
    except BaseException as exc:
        # The traceback of an exception raised mid-denoise keeps the pipeline's locals
        # (latents, text embeddings) alive as long as the job engine holds the exception.
        traceback.clear_frames(exc.__traceback__)
        # Offload hooks are reset only at the end of a successful call; do it here too.
        if hasattr(pipe, "maybe_free_model_hooks"):
            pipe.maybe_free_model_hooks()
        free_memory(collect=True)
        raise
    finally:
        free_memory(collect=False)


class DiffusersVideoBackend:
    """Text-to-video with a diffusers pipeline (LTX-Video, CogVideoX or Wan), shot by shot."""

    name = "diffusers"

    def __init__(
        self,
        *,
        config: ModelConfig | None = None,
        steps: int | None = None,
        guidance_scale: float | None = None,
        negative_prompt: str = NEGATIVE_PROMPT,
        max_area: int | None = None,
        max_frames: int | None = None,
    ) -> None:
        self._config = config
        self.steps = steps or settings.DIFFUSERS_STEPS
        self.guidance_scale = guidance_scale
        self.negative_prompt = negative_prompt
        self.max_area = max_area
        self.max_frames = max_frames

    @property
    def config(self) -> ModelConfig:
        if self._config is None:
            self._config = model_config("video")
        return self._config

    def _pipeline(self) -> tuple[Any, VideoSpec]:
        pipe = PIPELINE_CACHE.get(self.config)
        return pipe, video_spec(pipe, self.config.family)

    def _plans(self, request: RenderRequest, spec: VideoSpec) -> list[ShotPlan]:
        return plan_shots(request, spec, max_area=self.max_area, max_frames=self.max_frames)

    def _guidance_scale(self, spec: VideoSpec) -> float:
        return self.guidance_scale if self.guidance_scale is not None else spec.guidance_scale

    def plan(self, request: RenderRequest) -> list[ShotPlan]:
        """The generation plan of `request` (loads the model if it is not loaded yet)."""
        _pipe, spec = self._pipeline()
        return self._plans(request, spec)

    def frames(self, request: RenderRequest, reporter: Reporter) -> Iterator[Frame]:
        """Yield every frame of `request`: each shot generated, fitted, resampled in time."""
        pipe, spec = self._pipeline()
        plans = self._plans(request, spec)
        reporter.log(
            f"diffusers {self.config.class_name}: {len(plans)} shots at "
            f"{plans[0].width}x{plans[0].height}, {self.steps} steps",
            model=self.config.source,
        )
        for plan in plans:
            reporter.check_cancelled()
            video = self._generate(pipe, spec, plan, len(plans), reporter)
            for index in resample_indices(len(video), plan.output_frames):
                yield fit_frame(video[index], request.width, request.height)
            del video
        reporter.progress(1.0, "Generated every shot")

    def _generate(
        self, pipe: Any, spec: VideoSpec, plan: ShotPlan, shot_count: int, reporter: Reporter
    ) -> np.ndarray:
        import torch

        def on_step_end(
            pipeline: Any, step: int, timestep: Any, tensors: dict[str, Any]
        ) -> dict[str, Any]:
            total = max(1, int(getattr(pipeline, "num_timesteps", 0) or self.steps))
            fraction = (plan.index + (step + 1) / total) / shot_count
            reporter.progress(
                fraction, f"Shot {plan.index + 1}/{shot_count}: step {step + 1}/{total}"
            )
            reporter.check_cancelled()
            return {}

        kwargs: dict[str, Any] = {
            "prompt": plan.prompt,
            "negative_prompt": self.negative_prompt,
            "width": plan.width,
            "height": plan.height,
            "num_frames": plan.num_frames,
            "num_inference_steps": self.steps,
            "guidance_scale": self._guidance_scale(spec),
            # A CPU generator gives the same noise for a seed on any GPU (or none).
            "generator": torch.Generator("cpu").manual_seed(plan.seed),
            "max_sequence_length": spec.max_sequence_length,
            "output_type": "np",
            "callback_on_step_end": on_step_end,
            "callback_on_step_end_tensor_inputs": [],
        }
        if spec.family == "ltx":
            kwargs["frame_rate"] = spec.native_fps
            if getattr(pipe.vae.config, "timestep_conditioning", False):
                # LTX-Video 0.9.1+ decodes with a little noise, as its model card says.
                kwargs.update(decode_timestep=0.05, decode_noise_scale=0.025)
        with PIPELINE_CACHE.run_lock(self.config.key):
            output = _run(pipe, kwargs)
        video: np.ndarray = np.asarray(output.frames[0])
        return video

    def manifest(self, request: RenderRequest) -> Manifest:
        """How the frames of `request` were (or will be) made: model, plan, seeds, versions."""
        pipe, spec = self._pipeline()
        config = self.config
        plans = self._plans(request, spec)
        return Manifest(
            backend=self.name,
            model_id=_name_or_path(pipe) or config.source,
            revision=resolved_commit(config.source, config.revision) or config.revision,
            seed=request.seed,
            device=config.device,
            dtype=config.dtype,
            parameters={
                "pipeline": type(pipe).__name__,
                "family": spec.family,
                "source": config.source,
                "requested_revision": config.revision,
                "steps": self.steps,
                "guidance_scale": self._guidance_scale(spec),
                "negative_prompt": self.negative_prompt,
                "max_sequence_length": spec.max_sequence_length,
                "generated_width": plans[0].width,
                "generated_height": plans[0].height,
                "generated_fps": spec.native_fps,
                "cpu_offload": config.cpu_offload,
                "vae_tiling": config.vae_tiling,
                "compile": config.compile,
                "scheduler": type(pipe.scheduler).__name__,
                "shots": [asdict(plan) for plan in plans],
            },
            versions=library_versions(),
        )


def _name_or_path(pipe: Any) -> str:
    config = getattr(pipe, "config", None)
    return str(getattr(config, "_name_or_path", "") or "") if config is not None else ""


@dataclass(frozen=True)
class ImageSpec:
    """What one text-to-image model accepts and was trained at."""

    family: str
    side_multiple: int
    native_area: int
    guidance_scale: float
    extra: dict[str, Any] = field(default_factory=dict)


def image_spec(pipe: Any, family: str) -> ImageSpec:
    """The rules for a text-to-image `pipe`, read from its own configs."""
    scale = int(pipe.vae_scale_factor)
    if family in ("sd", "sdxl"):
        side = int(pipe.unet.config.sample_size) * scale
        # check_inputs wants multiples of 8 whatever the VAE's factor.
        return ImageSpec(family, max(8, scale), side * side, 7.5 if family == "sd" else 5.0)
    if family == "flux":
        # Flux packs 2x2 latent patches: sides are multiples of twice the VAE factor.
        side = int(pipe.default_sample_size) * scale
        return ImageSpec(family, max(16, 2 * scale), side * side, 3.5)
    raise DiffusersModelError(f"No image rules for pipeline family {family!r}.")


def generate_image(
    prompt: str,
    *,
    width: int,
    height: int,
    seed: int = 0,
    steps: int | None = None,
    negative_prompt: str = NEGATIVE_PROMPT,
    reporter: Reporter | None = None,
    guidance_scale: float | None = None,
    max_area: int | None = None,
    config: ModelConfig | None = None,
) -> Image.Image:
    """One image for `prompt` at exactly width x height, with the configured image model."""
    import torch

    reporter = reporter or NullReporter()
    config = config or model_config("image")
    pipe = PIPELINE_CACHE.get(config)
    spec = image_spec(pipe, config.family)
    area = min(spec.native_area, max_area) if max_area else spec.native_area
    gen_w, gen_h = fit_size(width, height, multiple=spec.side_multiple, area=area)
    steps = steps or settings.DIFFUSERS_STEPS

    def on_step_end(
        pipeline: Any, step: int, timestep: Any, tensors: dict[str, Any]
    ) -> dict[str, Any]:
        total = max(1, int(getattr(pipeline, "num_timesteps", 0) or steps))
        reporter.progress((step + 1) / total, f"Step {step + 1}/{total}")
        reporter.check_cancelled()
        return {}

    kwargs: dict[str, Any] = {
        "prompt": prompt,
        "width": gen_w,
        "height": gen_h,
        "num_inference_steps": steps,
        "guidance_scale": guidance_scale if guidance_scale is not None else spec.guidance_scale,
        "generator": torch.Generator("cpu").manual_seed(seed),
        "output_type": "np",
        "callback_on_step_end": on_step_end,
        "callback_on_step_end_tensor_inputs": [],
    }
    if config.family != "flux":  # Flux is guidance-distilled: no negative prompt
        kwargs["negative_prompt"] = negative_prompt
    reporter.check_cancelled()
    with PIPELINE_CACHE.run_lock(config.key):
        output = _run(pipe, kwargs)
    return Image.fromarray(fit_frame(np.asarray(output.images[0]), width, height))


def describe_models() -> list[dict[str, Any]]:
    """The configured video and image models, for GET /ai/models; never loads or downloads."""
    described = []
    for task in PIPELINES:
        config = model_config(task, resolve=False)
        loaded = bool(config.family) and PIPELINE_CACHE.is_loaded(config.key)
        described.append(
            {
                "id": config.source,
                "task": "text-to-video" if task == "video" else "text-to-image",
                "pipeline": config.class_name if config.family else "",
                "family": config.family,
                "source": source_kind(config.source),
                "revision": config.revision,
                "device": config.device,
                "dtype": config.dtype,
                "loaded": loaded,
            }
        )
    return described


__all__ = [
    "DiffusersVideoBackend",
    "ImageSpec",
    "ShotPlan",
    "VideoSpec",
    "describe_models",
    "generate_image",
    "image_spec",
    "plan_shots",
    "shot_prompt",
    "video_spec",
]
