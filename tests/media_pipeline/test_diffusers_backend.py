"""The diffusers backend, end to end on the CPU with tiny randomly initialised pipelines."""

from __future__ import annotations

import importlib.metadata
import threading
from typing import Any

import numpy as np
import pytest
import torch

from media_pipeline.backends import diffusers_models as models
from media_pipeline.backends.base import Cancelled, NullReporter
from media_pipeline.backends.diffusers_backend import (
    DiffusersVideoBackend,
    describe_models,
    fit_frames,
    fit_size,
    generate_image,
    resample_indices,
    shot_prompt,
)
from media_pipeline.request import RenderRequest, Shot
from tests.media_pipeline import tiny_pipelines

TINY = {"steps": 2, "max_area": 32 * 32, "max_frames": 9}


class RecordingReporter(NullReporter):
    """Records progress; raises Cancelled from the `cancel_at`-th progress call on."""

    def __init__(self, cancel_at: int | None = None) -> None:
        self.calls: list[tuple[float, str | None]] = []
        self.cancel_at = cancel_at

    def progress(self, fraction: float, message: str | None = None) -> None:
        self.calls.append((fraction, message))
        if self.cancel_at is not None and len(self.calls) >= self.cancel_at:
            raise Cancelled("cancelled by the test")

    def check_cancelled(self) -> None:
        if self.cancel_at is not None and len(self.calls) >= self.cancel_at:
            raise Cancelled("cancelled by the test")


@pytest.fixture(scope="module")
def tiny() -> dict[str, Any]:
    """One tiny pipeline of each family, built once for the module."""
    torch.set_num_threads(2)
    pipes = {name: build() for name, build in tiny_pipelines.BUILDERS.items()}
    for pipe in pipes.values():
        pipe.set_progress_bar_config(disable=True)
    return pipes


@pytest.fixture
def use_model(settings, tiny):
    """Configure `family` as the video or image model and put its tiny pipeline in the cache."""
    settings.DIFFUSERS_DEVICE = "cpu"
    settings.DIFFUSERS_LOCAL_FILES_ONLY = True

    def use(family: str) -> models.ModelConfig:
        task = "video" if family in models.VIDEO_PIPELINES else "image"
        prefix = f"DIFFUSERS_{task.upper()}_"
        setattr(settings, prefix + "MODEL", f"tiny-random/{family}")
        setattr(settings, prefix + "PIPELINE", family)
        setattr(settings, prefix + "REVISION", "")
        config = models.model_config(task)
        models.register_pipeline(config.key, tiny[family])
        return config

    yield use
    models.clear_pipelines()


def two_shots(**overrides: Any) -> RenderRequest:
    values: dict[str, Any] = {
        "shots": (
            Shot(prompt="A lighthouse at dusk", duration=0.5),
            Shot(prompt="Waves on the rocks", duration=1.0, camera="pan_left"),
        ),
        "width": 160,
        "height": 128,
        "fps": 8,
        "seed": 7,
        "style": "noir",
    }
    values.update(overrides)
    return RenderRequest(**values)


@pytest.mark.parametrize("family", ["ltx", "cogvideox", "wan"])
def test_each_video_pipeline_renders_every_frame_at_the_request_size(use_model, family):
    use_model(family)
    backend = DiffusersVideoBackend(**TINY)
    request = two_shots()
    reporter = RecordingReporter()

    frames = list(backend.frames(request, reporter))

    assert len(frames) == request.frame_count == 4 + 8
    for frame in frames:
        assert frame.shape == (128, 160, 3)
        assert frame.dtype == np.uint8
    assert np.ptp(np.stack(frames)) > 0  # the model's output, not a blank fill
    plans = backend.plan(request)
    assert all((p.num_frames - 1) % backend_step(backend) == 0 for p in plans)
    fractions = [fraction for fraction, _ in reporter.calls]
    assert fractions == sorted(fractions)
    assert len(fractions) >= len(request.shots) * TINY["steps"]
    assert fractions[-1] == 1.0
    assert fractions[TINY["steps"] - 1] == pytest.approx(0.5)  # the first shot's last step


def backend_step(backend: DiffusersVideoBackend) -> int:
    _pipe, spec = backend._pipeline()
    return spec.frame_step


def test_generated_sizes_and_frame_counts_follow_each_models_rules(use_model):
    use_model("ltx")
    ltx = DiffusersVideoBackend(steps=2).plan(two_shots(width=1280, height=720))
    assert (ltx[0].width % 32, ltx[0].height % 32) == (0, 0)
    assert ltx[0].width * ltx[0].height <= 704 * 480 * 1.1
    assert ltx[0].fps == 24 and ltx[1].num_frames == 25  # 1 s at 24 fps: 4k+1 (tiny VAE)

    use_model("cogvideox")
    cog = DiffusersVideoBackend(steps=2).plan(two_shots(width=1280, height=720))
    assert (cog[0].width, cog[0].height) == (16, 16)  # the tiny config's trained size
    assert cog[0].num_frames == 9

    use_model("wan")
    wan = DiffusersVideoBackend(steps=2).plan(two_shots(width=480, height=832))
    assert (wan[0].width % 16, wan[0].height % 16) == (0, 0)
    assert wan[0].height > wan[0].width  # portrait stays portrait
    assert wan[1].num_frames == 17  # 1 s at 16 fps, 4k+1


def test_same_seed_gives_the_same_frames_and_another_seed_does_not(use_model):
    use_model("ltx")
    backend = DiffusersVideoBackend(**TINY)
    request = two_shots(shots=(Shot(prompt="A red kite", duration=0.5),))

    first = np.stack(list(backend.frames(request, NullReporter())))
    again = np.stack(list(backend.frames(request, NullReporter())))
    other = np.stack(list(backend.frames(two_shots(shots=request.shots, seed=8), NullReporter())))

    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_cancelling_mid_shot_stops_at_once_and_frees_the_pipelines_tensors(use_model):
    use_model("wan")
    backend = DiffusersVideoBackend(**{**TINY, "steps": 3})
    reporter = RecordingReporter(cancel_at=5)  # shot 2, step 2 of 3
    frames = backend.frames(two_shots(), reporter)
    received = []

    with pytest.raises(Cancelled) as caught:
        for frame in frames:
            received.append(frame)

    assert len(received) == 4  # every frame of shot 1, none of shot 2
    assert len(reporter.calls) == 5
    with pytest.raises(StopIteration):
        next(frames)
    tb = caught.value.__traceback__
    while tb is not None:  # no frame of the traceback still holds latents or embeddings
        held = [v for v in tb.tb_frame.f_locals.values() if isinstance(v, torch.Tensor)]
        assert held == [], tb.tb_frame.f_code.co_name
        tb = tb.tb_next


def test_cancelled_before_a_shot_starts_runs_no_step(use_model):
    use_model("ltx")
    reporter = RecordingReporter(cancel_at=0)

    with pytest.raises(Cancelled):
        next(DiffusersVideoBackend(**TINY).frames(two_shots(), reporter))

    assert reporter.calls == []


def test_manifest_names_the_model_seed_plan_and_library_versions(use_model):
    use_model("cogvideox")
    backend = DiffusersVideoBackend(**TINY)
    request = two_shots()
    list(backend.frames(request, NullReporter()))

    manifest = backend.manifest(request)

    assert manifest.backend == "diffusers"
    assert manifest.model_id == "tiny-random/cogvideox"
    assert manifest.seed == 7
    assert (manifest.device, manifest.dtype) == ("cpu", "float32")
    params = manifest.parameters
    assert params["pipeline"] == "CogVideoXPipeline"
    assert params["steps"] == 2 and params["guidance_scale"] == 6.0
    assert (params["generated_width"], params["generated_height"]) == (16, 16)
    assert [s["seed"] for s in params["shots"]] == [7, 8]
    assert [s["num_frames"] for s in params["shots"]] == [9, 9]
    assert [s["output_frames"] for s in params["shots"]] == [4, 8]
    assert params["shots"][1]["prompt"].startswith(
        "Waves on the rocks, camera pans left, film noir"
    )
    assert {"python", "torch", "diffusers", "transformers"} <= set(manifest.versions)
    assert manifest.versions["diffusers"] == importlib.metadata.version("diffusers")


@pytest.mark.parametrize("family", ["sd", "sdxl", "flux"])
def test_each_image_pipeline_makes_an_image_of_the_asked_size(use_model, family):
    use_model(family)
    reporter = RecordingReporter()

    image = generate_image(
        "A castle on a hill", width=40, height=24, seed=3, steps=2, reporter=reporter, max_area=256
    )
    again = generate_image("A castle on a hill", width=40, height=24, seed=3, steps=2, max_area=256)

    assert image.size == (40, 24) and image.mode == "RGB"
    assert np.array_equal(np.asarray(image), np.asarray(again))
    assert [round(f, 2) for f, _ in reporter.calls] == [0.5, 1.0]


def test_image_generation_can_be_cancelled_between_steps(use_model):
    use_model("sd")

    with pytest.raises(Cancelled):
        generate_image(
            "A castle", width=32, height=32, steps=3, reporter=RecordingReporter(cancel_at=1)
        )


def test_a_pipeline_loads_once_per_process_however_many_threads_ask():
    loads = []

    def slow_loader(config: models.ModelConfig) -> object:
        loads.append(config.key)
        threading.Event().wait(0.05)  # long enough for every thread to be waiting on the lock
        return object()

    cache = models.PipelineCache(loader=slow_loader)
    config = models.ModelConfig(task="video", source="org/model", family="ltx")
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(cache.get(config))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(loads) == 1
    assert len(got) == 8 and all(pipe is got[0] for pipe in got)
    assert cache.is_loaded(config.key)
    other = models.ModelConfig(task="video", source="org/model", family="ltx", revision="v2")
    assert not cache.is_loaded(other.key)
    cache.get(other)
    assert len(loads) == 2


def test_a_saved_pipeline_loads_back_by_path_offline_and_renders_the_same(
    use_model, tiny, settings, tmp_path, monkeypatch
):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    tiny["ltx"].save_pretrained(tmp_path)
    settings.DIFFUSERS_DEVICE = "cpu"
    settings.DIFFUSERS_VIDEO_MODEL = str(tmp_path)
    settings.DIFFUSERS_VIDEO_PIPELINE = ""  # read from model_index.json
    settings.DIFFUSERS_VIDEO_REVISION = ""
    settings.DIFFUSERS_LOCAL_FILES_ONLY = True
    settings.DIFFUSERS_VAE_TILING = True

    config = models.model_config("video")

    assert (config.family, config.class_name, config.dtype) == ("ltx", "LTXPipeline", "float32")
    assert models.pretrained_kwargs(config) == {
        "dtype": torch.float32,
        "local_files_only": True,
    }
    request = two_shots(shots=(Shot(prompt="A red kite", duration=0.5),))
    loaded = list(DiffusersVideoBackend(**TINY).frames(request, NullReporter()))
    pipe = models.get_pipeline(config)
    assert type(pipe).__name__ == "LTXPipeline" and pipe is not tiny["ltx"]
    assert pipe.vae.use_tiling
    assert models.PIPELINE_CACHE.is_loaded(config.key)
    use_model("ltx")
    in_memory = list(DiffusersVideoBackend(**TINY).frames(request, NullReporter()))
    assert np.array_equal(np.stack(loaded), np.stack(in_memory))


def test_from_pretrained_gets_revision_dtype_and_offline_flag():
    config = models.ModelConfig(
        task="image",
        source="org/model",
        family="sdxl",
        revision="v1.0",
        device="cuda",
        dtype="bfloat16",
        local_files_only=True,
    )

    assert models.pretrained_kwargs(config) == {
        "dtype": torch.bfloat16,
        "revision": "v1.0",
        "local_files_only": True,
    }
    assert config.key == models.PipelineKey(
        "StableDiffusionXLPipeline", "org/model", "v1.0", "bfloat16", "cuda"
    )


def test_cpu_workers_run_float32_whatever_dtype_is_configured():
    assert models.resolve_dtype("bfloat16", "cpu") == "float32"
    assert models.resolve_dtype("bfloat16", "cuda") == "bfloat16"
    assert models.resolve_dtype("float16", "cuda:1") == "float16"


def test_a_model_whose_pipeline_cannot_be_told_is_refused_with_the_variable_to_set(tmp_path):
    (tmp_path / "model_index.json").write_text('{"_class_name": "KandinskyPipeline"}')

    with pytest.raises(models.DiffusersModelError, match="DIFFUSERS_VIDEO_PIPELINE"):
        models.resolve_family("video", str(tmp_path), "")
    assert models.resolve_family("video", str(tmp_path), "wan") == "wan"


def test_the_commit_comes_from_the_hub_cache_snapshot(tmp_path):
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "models--org--model"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    (repo / "snapshots" / commit).mkdir(parents=True)
    (repo / "snapshots" / commit / "model_index.json").write_text("{}")

    assert models.resolved_commit("org/model", cache_dir=str(tmp_path)) == commit
    assert models.resolved_commit("org/other", cache_dir=str(tmp_path)) == ""
    assert models.resolved_commit("org/model", commit) == commit


def test_describe_models_says_which_configured_models_are_loaded(use_model, settings):
    use_model("wan")
    settings.DIFFUSERS_IMAGE_MODEL = "org/image-model"
    settings.DIFFUSERS_IMAGE_PIPELINE = "flux"
    settings.DIFFUSERS_IMAGE_REVISION = "abc"

    video, image = describe_models()

    assert video == {
        "id": "tiny-random/wan",
        "task": "text-to-video",
        "pipeline": "WanPipeline",
        "family": "wan",
        "source": "hub",
        "revision": "",
        "device": "cpu",
        "dtype": "float32",
        "loaded": True,
    }
    assert image["pipeline"] == "FluxPipeline" and image["revision"] == "abc"
    assert image["loaded"] is False


def test_shot_prompts_carry_the_camera_move_and_the_style():
    shot = Shot(prompt="A fox in the snow.", camera="zoom_in")

    assert shot_prompt(shot, "anime") == (
        "A fox in the snow, slow zoom in, anime style, cel shading, vibrant colors, "
        "detailed background art"
    )
    assert "camera" not in shot_prompt(Shot(prompt="A fox"), "noir")


def test_frame_counts_and_sizes_snap_to_what_the_model_accepts():
    assert fit_frames(4.0, fps=24, step=8, max_frames=257) == 97
    assert fit_frames(0.1, fps=24, step=8, max_frames=257) == 9
    assert fit_frames(30.0, fps=24, step=8, max_frames=257) == 257
    assert fit_frames(6.0, fps=8, step=8, max_frames=49) == 49
    assert fit_frames(5.0, fps=16, step=4, max_frames=81) == 81
    assert fit_size(1280, 720, multiple=32, area=704 * 480) == (768, 448)
    assert fit_size(720, 1280, multiple=16, area=832 * 480) == (480, 848)


def test_time_resampling_spreads_generated_frames_over_the_shot():
    assert resample_indices(9, 4) == [1, 3, 5, 7]
    assert resample_indices(9, 9) == list(range(9))
    assert resample_indices(5, 10) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
