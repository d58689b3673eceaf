"""StoryCore's POST /ai/video and /ai/audio: ffmpeg operations on a file the caller owns.

The input is one of the caller's own stored files: a clip (`clp_…`), a finished job's output
(`job_…`), or a storage name from an earlier result (`users/<their id>/…`). Operations run in
order, each on the previous one's output; the last output is stored under the job's prefix.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from django.core.files.storage import default_storage

from config.api.errors import ModelNotConfigured, NotFound
from jobs.engine import StageContext
from jobs.models import Job, JobStatus
from jobs.reporting import StageReporter
from media_pipeline import processing, storage
from media_pipeline.packaging import probe
from media_pipeline.pipeline import OUTPUT_DIR
from studio import model_catalog as models
from studio.inputs import fail, model_for

Kind = Literal["video", "audio"]

# StoryCore's operation names, onto the pipeline's.
OPERATION_ALIASES = {
    "enhancement": "enhance",
    "stabilization": "stabilize",
    "stabilisation": "stabilize",
    "scale": "resize",
    "noise_reduction": "denoise",
    "normalization": "normalize",
    "normalisation": "normalize",
}
QUALITY_CRF = {"low": 28, "medium": 23, "high": 19}
VIDEO_CONTAINERS = ("mp4", "webm", "mov")
VALIDATE = {
    "video": processing.validate_video_operation,
    "audio": processing.validate_audio_operation,
}


def input_file(*, owner: Any, reference: Any) -> str:
    """The storage name of the caller's file that `reference` names (else 404)."""
    from studio.models import Clip

    name = None
    if isinstance(reference, str) and reference.startswith("clp_"):
        name = (
            Clip.objects.filter(pk=reference, owner=owner, removed_at__isnull=True)
            .values_list("video_file", flat=True)
            .first()
        )
    elif isinstance(reference, str) and reference.startswith("job_"):
        job = Job.objects.filter(pk=reference, owner=owner, status=JobStatus.COMPLETED).first()
        result = (job.result or {}) if job else {}
        name = result.get("file") or result.get("outputFile") or result.get("imageFile")
    elif isinstance(reference, str):
        candidate = str(PurePosixPath(reference.lstrip("/")))
        if storage.owner_of(candidate) == owner.pk:
            name = candidate
    if not name or not default_storage.exists(name):
        raise NotFound("Input file not found")
    return name


def _operations(kind: Kind, raw: Any, *, transcription: bool) -> list[dict[str, Any]]:
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise fail([{"field": "operations", "message": "Must be a list of operations."}])
    checked = []
    validate = VALIDATE[kind]
    for index, item in enumerate(raw):
        where = f"operations[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise fail([{"field": where, "message": "An object with a `type`."}])
        unknown = sorted(set(item) - {"type", "parameters"})
        if unknown:
            raise fail([{"field": f"{where}.{unknown[0]}", "message": "Unknown field."}])
        name = OPERATION_ALIASES.get(item["type"], item["type"])
        params = item.get("parameters") or {}
        if name == "transcription" and kind == "audio":
            if not transcription:
                raise ModelNotConfigured(
                    "Transcription needs a speech model, and none is configured on this "
                    "platform (set SPEECH_MODEL on the workers)."
                )
            checked.append({"type": name, "parameters": params})
            continue
        issues = validate(name, params)
        if issues:
            raise fail(
                [
                    {**i, "field": f"{where}.{i['field']}".replace(".operation", ".type")}
                    for i in issues
                ]
            )
        checked.append({"type": name, "parameters": params})
    return checked


def _output_operations(kind: Kind, parameters: Any, output_path: str) -> list[dict[str, Any]]:
    """The top-level `parameters` (resolution, codec, quality…) as final operations."""
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        raise fail([{"field": "parameters", "message": "Must be an object."}])
    extension = PurePosixPath(output_path).suffix.lstrip(".").lower() if output_path else ""
    ops: list[dict[str, Any]] = []
    if kind == "video":
        known = {"resolution", "codec", "quality"}
        unknown = sorted(set(parameters) - known)
        if unknown:
            message = f"Not supported here; known: {', '.join(sorted(known))}."
            raise fail([{"field": f"parameters.{name}", "message": message} for name in unknown])
        if "resolution" in parameters:
            from studio.inputs import resolution_of

            width, height = resolution_of(parameters["resolution"], "parameters.resolution")
            ops.append({"type": "resize", "parameters": {"width": width, "height": height}})
        if extension or "codec" in parameters or "quality" in parameters:
            if extension and extension not in VIDEO_CONTAINERS:
                raise fail(
                    [
                        {
                            "field": "outputPath",
                            "message": f"Ends in one of: {', '.join(VIDEO_CONTAINERS)}.",
                        }
                    ]
                )
            transcode: dict[str, Any] = {"container": extension or "mp4"}
            if "codec" in parameters:
                transcode["codec"] = parameters["codec"]
            if "quality" in parameters:
                if parameters["quality"] not in QUALITY_CRF:
                    raise fail(
                        [{"field": "parameters.quality", "message": "One of: low, medium, high."}]
                    )
                if transcode.get("codec", "h264") == "h264" and transcode["container"] != "webm":
                    transcode["crf"] = QUALITY_CRF[parameters["quality"]]
            ops.append({"type": "transcode", "parameters": transcode})
    else:
        names = {
            "codec": "format",
            "bitrate": "bitrate",
            "sample_rate": "sample_rate",
            "channels": "channels",
        }
        unknown = sorted(set(parameters) - set(names))
        if unknown:
            message = f"Not supported here; known: {', '.join(sorted(names))}."
            raise fail([{"field": f"parameters.{name}", "message": message} for name in unknown])
        transcode = {names[key]: value for key, value in parameters.items()}
        if extension and "format" not in transcode:
            transcode["format"] = extension
        if transcode:
            ops.append({"type": "transcode", "parameters": transcode})
    validate = VALIDATE[kind]
    for op in ops:
        issues = validate(op["type"], op["parameters"])
        if issues:
            raise fail([{**i, "field": f"parameters.{i['field']}"} for i in issues])
    return ops


# Names the StoryCore examples give for the model of a processing request: the operations
# decide what runs (ffmpeg; Whisper for a transcription), so these pick the default.
EXAMPLE_MODELS = ("llava", "whisper")


def prepare(kind: Kind, data: dict[str, Any], owner: Any) -> dict[str, Any]:
    """Check a processing request: the input exists and is the caller's, every operation."""
    task = f"{kind}_processing"
    model = data.get("model")
    spec = model_for(None if model in EXAMPLE_MODELS else model, task=task)
    if "input_path" not in data:
        raise fail([{"field": "inputPath", "message": "The file to process."}])
    input_name = input_file(owner=owner, reference=data["input_path"])
    transcription = models.transcription_available()
    ops = _operations(kind, data.get("operations"), transcription=transcription)
    ops += _output_operations(kind, data.get("parameters"), data.get("output_path") or "")
    if not ops:
        raise fail([{"field": "operations", "message": "At least one operation."}])
    return {**data, "model": spec.id, "steps": ops, "input_file": input_name}


def process(kind: Kind, ctx: StageContext) -> dict[str, Any]:
    """Run the operations in order on a local copy of the input; keep the last output."""
    started = time.monotonic()
    reporter = StageReporter(ctx)
    steps = ctx.input["steps"]
    work = ctx.workdir / "steps"
    work.mkdir(parents=True, exist_ok=True)
    run = processing.process_video if kind == "video" else processing.process_audio
    transcript = None
    with storage.local_copy(ctx.input["input_file"]) as source:
        current = Path(shutil.copy(source, work / f"input{source.suffix}"))
    for index, step in enumerate(steps):
        part = reporter.part(index / len(steps), (index + 1) / len(steps))
        if step["type"] == "transcription":
            transcript = _transcribe(current, step["parameters"])
            continue
        done = run(current, work, operation=step["type"], params=step["parameters"], reporter=part)
        current = done.path
    out = ctx.workdir / OUTPUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    wanted = PurePosixPath(ctx.input.get("output_path") or "").name
    final = out / (
        wanted if wanted and Path(wanted).suffix == current.suffix else f"output{current.suffix}"
    )
    shutil.move(current, final)
    stored = storage.upload_tree(out, storage.output_prefix(ctx.job.owner_id, ctx.job.pk))
    info = probe(final)
    result: dict[str, Any] = {
        "outputFile": stored[final.name],
        "outputPath": stored[final.name],
        "fileSize": final.stat().st_size,
        "processingTime": round(time.monotonic() - started, 3),
        "operations": [step["type"] for step in steps],
    }
    result["duration"] = round(info.duration, 3)
    if info.width:
        result["resolution"] = f"{info.width}x{info.height}"
    if transcript is not None:
        result["transcription"] = transcript
    return result


def _transcribe(path: Path, parameters: dict[str, Any]) -> str:
    """Speech to text with the configured local Whisper model (faster-whisper)."""
    from django.conf import settings
    from faster_whisper import WhisperModel

    model = WhisperModel(settings.SPEECH_MODEL, device="auto")
    segments, _info = model.transcribe(str(path), language=parameters.get("language"))
    return " ".join(segment.text.strip() for segment in segments)
