"""POST /ai/models/:id/optimize: tuned defaults for a task, measured on a short probe.

The probe runs the model twice on the same small piece of work, once with its defaults and
once with the tuned parameters, and measures wall time and peak memory (Python's tracemalloc,
which numpy reports into; CUDA's peak allocation for diffusers on a GPU). The improvements it
returns are those measurements; the tuned parameters become the caller's defaults for the
task. A tuning that measures slower than the defaults is stored all the same, and says so.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from jobs.engine import StageContext
from media_pipeline.backends.base import NullReporter
from studio import model_catalog as models
from studio.inputs import check_parameters, fail
from studio.models import ModelTuning

# What each level changes when the client gives no parameters of its own.
LEVELS: dict[str, dict[str, dict[str, Any]]] = {
    "video": {
        "speed": {"fps": 12, "resolution": "640x360"},
        "balanced": {"fps": 24, "resolution": "960x540"},
        "quality": {"fps": 24, "resolution": "1280x720"},
    },
    "image": {
        "speed": {"resolution": "512x288", "steps": 12},
        "balanced": {"resolution": "768x432", "steps": 20},
        "quality": {"resolution": "1024x576", "steps": 30},
    },
    "text": {
        "speed": {"max_tokens": 250, "temperature": 0.5},
        "balanced": {"max_tokens": 500, "temperature": 0.7},
        "quality": {"max_tokens": 1000, "temperature": 0.8},
    },
}
TASK_KIND = {"video_generation": "video", "image_generation": "image", "text_generation": "text"}
PROBE_PROMPT = "A lighthouse on a cliff above a stormy sea at dusk"


def prepare(data: dict[str, Any], owner: Any) -> dict[str, Any]:
    """Check the model, the task it is tuned for, the level and the parameters."""
    try:
        spec = models.get(str(data.get("model_id", "")))
    except LookupError:
        raise fail([{"field": "modelId", "message": "Unknown model."}]) from None
    task = data.get("task")
    if task not in TASK_KIND or task not in spec.tasks:
        tunable = [t for t in spec.tasks if t in TASK_KIND]
        message = f"One of: {', '.join(tunable)}." if tunable else "This model has nothing to tune."
        raise fail([{"field": "task", "message": message}])
    if not spec.available():
        raise fail([{"field": "modelId", "message": f"{spec.id} is not configured here."}])
    level = data.get("optimization_level") or "balanced"
    parameters = data.get("parameters") or LEVELS[TASK_KIND[task]][level]
    checked = check_parameters(parameters, spec.parameters)
    return {
        **data,
        "model_id": spec.id,
        "task": task,
        "optimization_level": level,
        "parameters": checked,
    }


def _measure(work: Callable[[], Any]) -> dict[str, float]:
    """Wall seconds and peak memory (bytes) of one run of `work`."""
    cuda = _cuda()
    if cuda is not None:
        cuda.reset_peak_memory_stats()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        work()
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    if cuda is not None:
        peak = max(peak, cuda.max_memory_allocated())
    return {"seconds": round(seconds, 4), "peakMemory": int(peak)}


def _cuda() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch.cuda if torch.cuda.is_available() else None


def _probe(spec: models.ModelSpec, task: str, parameters: dict[str, Any]) -> Callable[[], Any]:
    """One small piece of the task's work with these parameters."""
    from studio import inputs

    kind = TASK_KIND[task]
    if kind == "video":
        from media_pipeline import pipeline
        from media_pipeline.request import RenderRequest

        width, height = inputs.resolution_of(parameters.get("resolution", "1280x720"))
        request = RenderRequest.from_dict(
            {
                "shots": [{"prompt": PROBE_PROMPT, "narration": "A storm gathers.", "duration": 1}],
                "width": width,
                "height": height,
                "fps": parameters.get("fps", 24),
                "seed": parameters.get("seed", 0),
                "options": {"voice": None, "music": False},
            }
        )
        backend = pipeline.video_backend(spec.backend)
        return lambda: sum(1 for _ in backend.frames(request, NullReporter()))
    if kind == "image":
        from media_pipeline.images import make_image

        image = inputs.image_request(
            {"prompt": PROBE_PROMPT, "parameters": {"resolution": "1024x576", **parameters}}
        )
        return lambda: make_image(image, backend=spec.backend)
    import storytext

    return lambda: storytext.generate_text(
        PROBE_PROMPT, parameters=parameters, context={}, seed=0, reporter=NullReporter()
    )


def _defaults(spec: models.ModelSpec) -> dict[str, Any]:
    return {name: p["default"] for name, p in spec.parameters.items() if "default" in p}


def _ratio(before: float, after: float) -> float:
    return round(1 - after / before, 4) if before else 0.0


def optimize(ctx: StageContext) -> dict[str, Any]:
    """Probe defaults and tuned parameters side by side; store the tuning; return both."""
    spec = models.get(ctx.input["model_id"])
    task, tuned = ctx.input["task"], ctx.input["parameters"]
    baseline_parameters = {**_defaults(spec), "seed": 0}
    tuned_parameters = {**baseline_parameters, **tuned}
    if TASK_KIND[task] == "text":  # the writer takes its own parameters only
        baseline_parameters.pop("seed")
        tuned_parameters.pop("seed", None)
    _probe(spec, task, baseline_parameters)()  # warm-up: imports, caches, the model's load
    ctx.progress(0.2, "Probing the defaults")
    baseline = _measure(_probe(spec, task, baseline_parameters))
    ctx.progress(0.6, "Probing the tuned parameters")
    tuned_run = _measure(_probe(spec, task, tuned_parameters))
    speed = _ratio(baseline["seconds"], tuned_run["seconds"])
    memory = _ratio(baseline["peakMemory"], tuned_run["peakMemory"])
    result = {
        "id": spec.id,
        "name": spec.name,
        "type": spec.type,
        "task": task,
        "parameters": tuned,
        "optimization_level": ctx.input["optimization_level"],
        "optimization_result": {
            "speedImprovement": speed,
            "memoryReduction": memory,
            # Work per second, tuned over defaults, minus one.
            "performanceImprovement": round(baseline["seconds"] / tuned_run["seconds"] - 1, 4)
            if tuned_run["seconds"]
            else 0.0,
            "baseline": {**baseline, "parameters": baseline_parameters},
            "tuned": {**tuned_run, "parameters": tuned_parameters},
            "probe": f"{task} of a short sample ({PROBE_PROMPT!r})",
        },
        "status": "optimized",
    }
    ModelTuning.objects.update_or_create(
        owner_id=ctx.job.owner_id,
        model_id=spec.id,
        task=task,
        defaults={
            "optimization_level": ctx.input["optimization_level"],
            "parameters": tuned,
            "result": result["optimization_result"],
        },
    )
    return result


def tuned_defaults(*, owner: Any, model_id: str, task: str) -> dict[str, Any]:
    """The caller's stored tuned parameters for a model and task ({} if none)."""
    if owner is None:
        return {}
    row = ModelTuning.objects.filter(owner=owner, model_id=model_id, task=task).first()
    return dict(row.parameters) if row else {}
