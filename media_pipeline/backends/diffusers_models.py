"""Which diffusers pipeline a GPU worker runs, and loading it once per worker process.

Settings name a model (a Hugging Face id or a local folder) for each task, video and image;
the pipeline class comes from the settings or from the model's `model_index.json`. A model is
loaded on first use and kept for the life of the process in a lock-protected cache keyed by
(class, source, revision, dtype, device); tests put tiny pipelines into the same cache.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from django.conf import settings

log = logging.getLogger(__name__)

Task = Literal["video", "image"]

# Family (the settings' word) -> diffusers pipeline class name.
VIDEO_PIPELINES = {"ltx": "LTXPipeline", "cogvideox": "CogVideoXPipeline", "wan": "WanPipeline"}
IMAGE_PIPELINES = {
    "sd": "StableDiffusionPipeline",
    "sdxl": "StableDiffusionXLPipeline",
    "flux": "FluxPipeline",
}
PIPELINES: dict[Task, dict[str, str]] = {"video": VIDEO_PIPELINES, "image": IMAGE_PIPELINES}
FAMILY_OF_CLASS = {cls: family for table in PIPELINES.values() for family, cls in table.items()}

_COMMIT = re.compile(r"^[0-9a-f]{40}$")


class DiffusersModelError(RuntimeError):
    """A configured model that cannot be used: unknown pipeline class, missing files."""


@dataclass(frozen=True)
class PipelineKey:
    """What makes two loaded pipelines the same one."""

    class_name: str
    source: str
    revision: str
    dtype: str
    device: str


@dataclass(frozen=True)
class ModelConfig:
    """One configured model: where it comes from, which pipeline runs it, on what, how."""

    task: Task
    source: str  # Hugging Face model id or local folder
    family: str  # ltx | cogvideox | wan | sd | sdxl | flux
    revision: str = ""
    device: str = "cpu"
    dtype: str = "float32"
    cpu_offload: bool = False
    vae_tiling: bool = True
    compile: bool = False
    local_files_only: bool = False

    @property
    def class_name(self) -> str:
        return PIPELINES[self.task][self.family]

    @property
    def key(self) -> PipelineKey:
        return PipelineKey(self.class_name, self.source, self.revision, self.dtype, self.device)


def resolve_device(name: str) -> str:
    """`auto` is CUDA when torch sees a GPU, else the CPU; anything else is taken as given."""
    if name and name != "auto":
        return name
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_dtype(name: str, device: str) -> str:
    """The configured dtype on a GPU; float32 on the CPU (bf16/fp16 kernels: slow or absent)."""
    return name if device.startswith("cuda") else "float32"


def read_model_index(
    source: str, *, revision: str = "", local_files_only: bool = False
) -> dict[str, Any] | None:
    """The model's model_index.json, or None when it cannot be had (offline, not cached)."""
    path: str | Path | None = None
    if Path(source).is_dir():
        path = Path(source) / "model_index.json"
        if not path.is_file():
            return None
    else:
        try:
            from huggingface_hub import hf_hub_download

            path = hf_hub_download(
                source,
                "model_index.json",
                revision=revision or None,
                local_files_only=local_files_only,
            )
        except Exception as exc:  # offline, unknown repo, gated: the caller decides
            log.info("model_index.json of %s not available: %s", source, exc)
            return None
    with open(path, encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def resolve_family(
    task: Task, source: str, configured: str, *, revision: str = "", local_files_only: bool = False
) -> str:
    """The pipeline family: the configured one, else the model_index.json `_class_name`'s."""
    if configured:
        if configured not in PIPELINES[task]:
            raise DiffusersModelError(f"Unknown {task} pipeline {configured!r}.")
        return configured
    index = read_model_index(source, revision=revision, local_files_only=local_files_only)
    class_name = (index or {}).get("_class_name", "")
    family = FAMILY_OF_CLASS.get(class_name, "")
    if family not in PIPELINES[task]:
        variable = f"DIFFUSERS_{task.upper()}_PIPELINE"
        raise DiffusersModelError(
            f"Cannot tell the {task} pipeline of {source!r} (model_index.json class "
            f"{class_name or 'unknown'}); set {variable} to one of {', '.join(PIPELINES[task])}."
        )
    return family


def model_config(task: Task, *, resolve: bool = True) -> ModelConfig:
    """The configured model for `task` from settings (resolve=False: no model_index lookup)."""
    prefix = f"DIFFUSERS_{task.upper()}_"
    source = getattr(settings, prefix + "MODEL")
    revision = getattr(settings, prefix + "REVISION")
    local_only = settings.DIFFUSERS_LOCAL_FILES_ONLY
    configured = getattr(settings, prefix + "PIPELINE")
    if resolve:
        family = resolve_family(
            task, source, configured, revision=revision, local_files_only=local_only
        )
    else:
        try:
            family = resolve_family(
                task, source, configured, revision=revision, local_files_only=True
            )
        except DiffusersModelError:
            family = ""
    device = resolve_device(settings.DIFFUSERS_DEVICE)
    return ModelConfig(
        task=task,
        source=source,
        family=family,
        revision=revision,
        device=device,
        dtype=resolve_dtype(settings.DIFFUSERS_DTYPE, device),
        cpu_offload=settings.DIFFUSERS_CPU_OFFLOAD,
        vae_tiling=settings.DIFFUSERS_VAE_TILING,
        compile=settings.DIFFUSERS_COMPILE,
        local_files_only=local_only,
    )


def pretrained_kwargs(config: ModelConfig) -> dict[str, Any]:
    """The keyword arguments `from_pretrained` gets for `config`."""
    import torch

    kwargs: dict[str, Any] = {"dtype": getattr(torch, config.dtype)}
    if config.revision:
        kwargs["revision"] = config.revision
    if config.local_files_only:
        kwargs["local_files_only"] = True
    return kwargs


def prepare_pipeline(pipe: Any, config: ModelConfig) -> Any:
    """Place a loaded pipeline on its device and switch on the configured savings."""
    if config.cpu_offload and config.device.startswith("cuda"):
        # Offload moves each model to the GPU only while it runs: the pipe must stay on the CPU.
        pipe.enable_model_cpu_offload(device=config.device)
    else:
        pipe.to(config.device)
    vae: Any = getattr(pipe, "vae", None)
    if config.vae_tiling and hasattr(vae, "enable_tiling"):
        vae.enable_tiling()
    if config.compile:
        denoiser = getattr(pipe, "transformer", None) or getattr(pipe, "unet", None)
        if denoiser is not None:
            # Module.compile compiles in place, so the pipeline keeps its module (and config).
            denoiser.compile()
    pipe.set_progress_bar_config(disable=True)
    return pipe


def load_pipeline(config: ModelConfig) -> Any:
    """Load `config`'s pipeline with from_pretrained and prepare it (the slow path, once)."""
    import diffusers

    cls = getattr(diffusers, config.class_name)
    kwargs = pretrained_kwargs(config)
    log.info("Loading %s from %s (%s)", config.class_name, config.source, kwargs)
    pipe = cls.from_pretrained(config.source, **kwargs)
    return prepare_pipeline(pipe, config)


def resolved_commit(source: str, revision: str = "", *, cache_dir: str | None = None) -> str:
    """The Hub commit the model files came from, when the local Hub cache tells it (else "")."""
    if _COMMIT.match(revision):
        return revision
    if Path(source).is_dir():
        return ""
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(
            source, "model_index.json", cache_dir=cache_dir, revision=revision or None
        )
    except Exception:  # a malformed id: no commit to tell
        return ""
    if not isinstance(cached, str):
        return ""
    parts = Path(cached).parts
    if "snapshots" in parts[:-1]:
        commit = parts[parts.index("snapshots") + 1]
        return commit if _COMMIT.match(commit) else ""
    return ""


class PipelineCache:
    """Pipelines by key, each loaded at most once per process; a run lock per pipeline."""

    def __init__(self, loader: Callable[[ModelConfig], Any] = load_pipeline) -> None:
        self._loader = loader
        self._lock = threading.Lock()
        self._pipes: dict[PipelineKey, Any] = {}
        self._run_locks: dict[PipelineKey, threading.Lock] = {}

    def get(self, config: ModelConfig) -> Any:
        """The pipeline for `config`, loading it on first use."""
        key = config.key
        with self._lock:
            # One lock for the load as well: two threads asking for a model load it once.
            if key not in self._pipes:
                self._pipes[key] = self._loader(config)
                self._run_locks[key] = threading.Lock()
            return self._pipes[key]

    def run_lock(self, key: PipelineKey) -> threading.Lock:
        """Held while a pipeline runs: a pipeline's scheduler keeps per-run state."""
        with self._lock:
            return self._run_locks.setdefault(key, threading.Lock())

    def register(self, key: PipelineKey, pipe: Any) -> None:
        """Put an already-built pipeline in the cache (tests, warm-up code)."""
        with self._lock:
            self._pipes[key] = pipe
            self._run_locks.setdefault(key, threading.Lock())

    def is_loaded(self, key: PipelineKey) -> bool:
        with self._lock:
            return key in self._pipes

    def clear(self) -> None:
        """Forget every pipeline (and free GPU memory they held)."""
        with self._lock:
            self._pipes.clear()
            self._run_locks.clear()
        free_memory()


PIPELINE_CACHE = PipelineCache()


def get_pipeline(config: ModelConfig) -> Any:
    """The process's pipeline for `config` (loaded on first use)."""
    return PIPELINE_CACHE.get(config)


def register_pipeline(key: PipelineKey, pipe: Any) -> None:
    """Use `pipe` for `key` in this process from now on."""
    PIPELINE_CACHE.register(key, pipe)


def clear_pipelines() -> None:
    PIPELINE_CACHE.clear()


def free_memory(*, collect: bool = True) -> None:
    """Return freed tensors' memory to the GPU driver; `collect` first breaks reference cycles."""
    import gc

    import torch

    if collect:  # a full collection costs ~0.5 s in a Django worker: only after failures
        gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def library_versions() -> dict[str, str]:
    """Versions that decide what a seed produces, for the reproducibility manifest."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": platform.python_version()}
    for name in ("torch", "diffusers", "transformers", "accelerate"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            continue
    import torch

    if torch.version.cuda:
        versions["cuda"] = str(torch.version.cuda)
    return versions


def source_kind(source: str) -> str:
    return "local" if os.path.isdir(source) else "hub"
