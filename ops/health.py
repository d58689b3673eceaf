"""GET /api/v1/health (StoryCore's shape): database, redis, storage and the worker pools.

Cheap enough for a load balancer every few seconds: one `SELECT 1`, one cache round trip,
one storage probe; the worker pools' answer (a Celery broadcast that waits up to a second)
is cached for OPS_HEALTH_WORKER_CACHE_SECONDS.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection

from config.celery import app as celery_app
from config.worker import embedded_worker_alive

logger = logging.getLogger(__name__)
HEALTHY, UNHEALTHY, NOT_CONFIGURED = "healthy", "unhealthy", "not_configured"
_QUEUES_KEY = "ops:health:worker-queues"


class NotConfigured(Exception):
    """The part is not used by this deployment (Redis in embedded mode, say)."""


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    """The cache and the Celery broker (both Redis in production)."""
    if not settings.REDIS_URL:
        raise NotConfigured
    key, value = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def check_storage() -> None:
    if isinstance(default_storage, FileSystemStorage):
        root = default_storage.location
        os.makedirs(root, exist_ok=True)
        if not os.access(root, os.W_OK):
            raise RuntimeError(f"{root} is not writable")
    else:
        default_storage.exists("health/.probe")  # one authenticated request to the bucket


def served_queues() -> set[str]:
    """The queues some worker consumes now (cached briefly: the broadcast waits)."""
    if settings.EMBEDDED_WORKER:
        return {"cpu", "gpu"} if embedded_worker_alive() else set()
    cached = cache.get(_QUEUES_KEY)
    if cached is not None:
        return set(cached)
    replies = celery_app.control.inspect(timeout=1.0).active_queues() or {}
    queues = {queue["name"] for served in replies.values() for queue in served}
    cache.set(_QUEUES_KEY, sorted(queues), settings.OPS_HEALTH_WORKER_CACHE_SECONDS)
    return queues


def gpu_required() -> bool:
    """Whether this deployment sends work to the GPU queue (a diffusers backend is set)."""
    backends = {
        settings.MEDIA_VIDEO_BACKEND,
        settings.MEDIA_IMAGE_BACKEND,
        *settings.MEDIA_BACKENDS.values(),
    }
    return settings.HEALTH_REQUIRE_GPU_WORKERS or "diffusers" in backends


def check_workers() -> None:
    if "cpu" not in served_queues():
        raise RuntimeError("no worker serves the cpu queue")


def check_gpu_workers() -> None:
    """The GPU worker pool (StoryCore's `comfyui`): a worker that consumes the gpu queue."""
    if "gpu" in served_queues():
        return
    if not gpu_required():
        raise NotConfigured
    raise RuntimeError("no worker serves the gpu queue")


@dataclass(frozen=True)
class Check:
    run: Callable[[], None]
    required: bool = True


CHECKS: dict[str, Check] = {
    "database": Check(check_database),
    "redis": Check(check_redis),
    "storage": Check(check_storage),
    "gpu_workers": Check(check_gpu_workers),
    "workers": Check(check_workers),
}


def run_checks() -> tuple[dict[str, str], bool]:
    """Each part's state, and whether every required part is healthy."""
    results: dict[str, str] = {}
    healthy = True
    for name, check in CHECKS.items():
        try:
            check.run()
        except NotConfigured:
            results[name] = NOT_CONFIGURED
        except Exception:  # a failing dependency is reported, never raised
            logger.warning("Health check %s failed", name, exc_info=True)
            results[name] = UNHEALTHY
            healthy = healthy and not check.required
        else:
            results[name] = HEALTHY
    return results, healthy
