"""`manage.py doctor`'s checks: each says ok, warn or fail, and what to fix."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ops import health

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Finding:
    name: str
    status: str
    detail: str
    fix: str = ""


def _configuration() -> Finding:
    problems = []
    if settings.PRODUCTION:
        if settings.DEBUG:
            problems.append(("DEBUG is on in production", "set DEBUG=false"))
        if not settings.REDIS_URL:
            problems.append(("production without REDIS_URL", "set REDIS_URL=redis://host:6379/0"))
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            problems.append(("production on SQLite", "set DATABASE_URL=postgres://..."))
    if problems:
        return Finding(
            "configuration",
            FAIL,
            "; ".join(p for p, _ in problems),
            "; ".join(f for _, f in problems),
        )
    mode = "production" if settings.PRODUCTION else settings.DJANGO_ENV
    return Finding("configuration", OK, f"{mode}, version {settings.VERSION}")


def _database() -> Finding:
    try:
        health.check_database()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        return Finding(
            "database",
            FAIL,
            f"{type(error).__name__}: {error}",
            "check DATABASE_URL and that the server is up",
        )
    if pending:
        return Finding(
            "database", FAIL, f"{len(pending)} migrations not applied", "run `manage.py migrate`"
        )
    return Finding("database", OK, connection.vendor)


def _redis() -> Finding:
    if not settings.REDIS_URL:
        return Finding("redis", OK, "not used (embedded mode: local cache, broker folder)")
    try:
        health.check_redis()
    except Exception as error:
        return Finding(
            "redis",
            FAIL,
            f"{type(error).__name__}: {error}",
            "check REDIS_URL and that redis-server runs",
        )
    return Finding("redis", OK, "cache and broker answer")


def _storage() -> Finding:
    try:
        health.check_storage()
    except Exception as error:
        return Finding(
            "storage",
            FAIL,
            f"{type(error).__name__}: {error}",
            "check MEDIA_ROOT permissions or the AWS_* settings",
        )
    usage = shutil.disk_usage(settings.DATA_DIR if settings.DATA_DIR.exists() else "/")
    if usage.free < 2 * 2**30:
        return Finding(
            "storage",
            WARN,
            f"{usage.free // 2**20} MiB free on the data disk",
            "free space (docs/operations.md, 'The disk fills')",
        )
    return Finding("storage", OK, f"{usage.free // 2**30} GiB free")


def _workers() -> Finding:
    try:
        queues = health.served_queues()
    except Exception as error:
        return Finding("workers", FAIL, f"{type(error).__name__}: {error}", "start the workers")
    if "cpu" not in queues:
        fix = (
            "run `manage.py serve` (its embedded worker)"
            if settings.EMBEDDED_WORKER
            else "start `celery -A config worker -Q cpu`"
        )
        return Finding("workers", FAIL, "no worker serves the cpu queue", fix)
    if "gpu" not in queues:
        status = FAIL if health.gpu_required() else WARN
        return Finding(
            "workers",
            status,
            "no worker serves the gpu queue",
            "start `celery -A config worker -Q gpu` on a GPU host",
        )
    return Finding("workers", OK, f"queues served: {', '.join(sorted(queues))}")


def _ffmpeg() -> Finding:
    try:
        from media_pipeline.ffmpeg import ffmpeg_exe

        exe = ffmpeg_exe()
        out = subprocess.run(  # noqa: S603 (the bundled ffmpeg, fixed arguments)
            [exe, "-version"], capture_output=True, text=True, timeout=20, check=True
        )
    except Exception as error:
        return Finding(
            "ffmpeg",
            FAIL,
            f"{type(error).__name__}: {error}",
            "pip install imageio-ffmpeg (or install ffmpeg)",
        )
    return Finding("ffmpeg", OK, out.stdout.splitlines()[0] if out.stdout else exe)


def _espeak() -> Finding:
    if settings.TTS_ENGINE in ("none", "piper"):
        return Finding("espeak-ng", OK, f"not used (TTS_ENGINE={settings.TTS_ENGINE})")
    if shutil.which("espeak-ng") is None:
        status = FAIL if settings.TTS_ENGINE == "espeak" else WARN
        return Finding(
            "espeak-ng", status, "not installed: narration is silent", "apt-get install espeak-ng"
        )
    return Finding("espeak-ng", OK, shutil.which("espeak-ng") or "")


def _gpu() -> Finding:
    if not health.gpu_required():
        return Finding("gpu", OK, "not needed (no diffusers backend configured)")
    if importlib.util.find_spec("torch") is None:
        return Finding("gpu", FAIL, "torch is not installed", "install the `gpu` extras")
    import torch

    if not torch.cuda.is_available():
        status = FAIL if settings.DIFFUSERS_DEVICE in ("auto", "cuda") else WARN
        return Finding(
            "gpu",
            status,
            "no CUDA device visible to this process",
            "run GPU workers on a host with an NVIDIA GPU and its container toolkit",
        )
    return Finding("gpu", OK, torch.cuda.get_device_name(0))


def _models() -> Finding:
    missing = []
    if health.gpu_required():
        for model in (settings.DIFFUSERS_VIDEO_MODEL, settings.DIFFUSERS_IMAGE_MODEL):
            if model.startswith(("/", ".")) and not Path(model).exists():
                missing.append(model)
    if settings.PIPER_MODEL and not Path(settings.PIPER_MODEL).exists():
        missing.append(settings.PIPER_MODEL)
    if missing:
        return Finding(
            "models",
            FAIL,
            f"not found: {', '.join(missing)}",
            "fix the DIFFUSERS_*_MODEL / PIPER_MODEL paths",
        )
    return Finding("models", OK, "configured model paths exist")


CHECKS: dict[str, Callable[[], Finding]] = {
    "configuration": _configuration,
    "database": _database,
    "redis": _redis,
    "storage": _storage,
    "workers": _workers,
    "ffmpeg": _ffmpeg,
    "espeak-ng": _espeak,
    "gpu": _gpu,
    "models": _models,
}


def run(names: list[str] | None = None) -> list[Finding]:
    findings = []
    for name, check in CHECKS.items():
        if names and name not in names:
            continue
        try:
            findings.append(check())
        except Exception as error:  # a check that breaks is a failure to report, not a crash
            findings.append(Finding(name, FAIL, f"{type(error).__name__}: {error}"))
    return findings
