"""Prometheus metrics: request latency, Celery tasks, WebSockets, and the database's view.

Counters and histograms are prometheus-client metrics. With PROMETHEUS_MULTIPROC_DIR set
(docker-compose.yml sets it), every gunicorn, uvicorn and Celery process writes its values
to files in that folder and the exposition adds them up (prometheus-client's multiprocess
mode), so a scrape counts every process, not the one that answered. Job counts, durations,
queue depths and webhook deliveries are read from the database at scrape time: the rows are
the truth whichever process did the work.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

PREFIX = "storyforge"


def process_identifier(pid: int | None = None) -> str:
    """Host and pid: containers sharing one metrics folder each number their processes from 1."""
    return f"{socket.gethostname()}_{pid if pid is not None else os.getpid()}"


if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Before any metric exists: every value file is named by host and pid, not pid alone.
    values.ValueClass = values.MultiProcessValue(process_identifier)

REQUEST_LATENCY = Histogram(
    f"{PREFIX}_http_request_duration_seconds",
    "Time to answer an API request, by route, method and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
TASKS = Counter(
    f"{PREFIX}_celery_tasks",
    "Celery tasks that ended, by task and outcome (succeeded, failed, retried).",
    ["task", "outcome"],
)
TASK_DURATION = Histogram(
    f"{PREFIX}_celery_task_duration_seconds",
    "Time a Celery task ran, by task.",
    ["task"],
    buckets=(0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14400),
)
WEBSOCKETS = Gauge(
    f"{PREFIX}_websocket_connections",
    "Open WebSocket connections.",
    multiprocess_mode="livesum",
)


def observe_request(*, method: str, route: str, status: int, seconds: float) -> None:
    REQUEST_LATENCY.labels(method=method, route=route, status=str(status)).observe(seconds)


# --- Celery -----------------------------------------------------------------------------------

_task_started: dict[str, float] = {}


def _task_prerun(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _task_started[task_id] = time.perf_counter()


def _task_postrun(
    task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any
) -> None:
    started = _task_started.pop(task_id or "", None)
    name = getattr(task, "name", "unknown")
    if started is not None:
        TASK_DURATION.labels(task=name).observe(time.perf_counter() - started)
    if state == "SUCCESS":
        TASKS.labels(task=name, outcome="succeeded").inc()


def _task_failure(sender: Any = None, **_: Any) -> None:
    TASKS.labels(task=getattr(sender, "name", "unknown"), outcome="failed").inc()


def _task_retry(sender: Any = None, **_: Any) -> None:
    TASKS.labels(task=getattr(sender, "name", "unknown"), outcome="retried").inc()


def connect_celery_signals() -> None:
    """Count every task a worker of this process runs (called from OpsConfig.ready)."""
    from celery import signals

    signals.task_prerun.connect(_task_prerun, weak=False, dispatch_uid="ops.task_prerun")
    signals.task_postrun.connect(_task_postrun, weak=False, dispatch_uid="ops.task_postrun")
    signals.task_failure.connect(_task_failure, weak=False, dispatch_uid="ops.task_failure")
    signals.task_retry.connect(_task_retry, weak=False, dispatch_uid="ops.task_retry")


# --- WebSockets ---------------------------------------------------------------------------------


class WebSocketCounter:
    """ASGI wrapper (config/asgi.py): counts open WebSocket connections of the process."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "websocket":
            await self.app(scope, receive, send)
            return
        opened = False

        async def counting_send(message: dict[str, Any]) -> None:
            nonlocal opened
            if message.get("type") == "websocket.accept" and not opened:
                opened = True
                WEBSOCKETS.inc()
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            if opened:
                WEBSOCKETS.dec()


# --- The database's view ------------------------------------------------------------------------


class DatabaseCollector(Collector):
    """Job counts and durations by type and state, queue depths, webhook deliveries."""

    def collect(self) -> Iterator[Metric]:
        from ops import selectors

        snapshot = selectors.prometheus_snapshot()
        jobs = GaugeMetricFamily(
            f"{PREFIX}_jobs", "Jobs in the database, by type and status.", labels=["type", "status"]
        )
        for (job_type, status), count in snapshot["jobs"].items():
            jobs.add_metric([job_type, status], count)
        yield jobs
        duration_sum = GaugeMetricFamily(
            f"{PREFIX}_job_duration_seconds_sum",
            "Seconds the completed jobs of each type ran, in all.",
            labels=["type"],
        )
        duration_count = GaugeMetricFamily(
            f"{PREFIX}_job_duration_seconds_count",
            "Completed jobs of each type with a start and an end.",
            labels=["type"],
        )
        for job_type, (seconds, count) in snapshot["durations"].items():
            duration_sum.add_metric([job_type], seconds)
            duration_count.add_metric([job_type], count)
        yield duration_sum
        yield duration_count
        queues = GaugeMetricFamily(
            f"{PREFIX}_queue_depth", "Jobs waiting for a worker, by queue.", labels=["queue"]
        )
        for queue, count in snapshot["queues"].items():
            queues.add_metric([queue], count)
        yield queues
        webhooks = GaugeMetricFamily(
            f"{PREFIX}_webhook_deliveries",
            "Webhook deliveries, by status.",
            labels=["status"],
        )
        for status, count in snapshot["webhooks"].items():
            webhooks.add_metric([status], count)
        yield webhooks


def exposition(multiproc_dir: str | None = None) -> bytes:
    """The text exposition of every process's metrics and the database's view."""
    directory = multiproc_dir or os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
        registry.register(DatabaseCollector())
        return generate_latest(registry)
    registry = CollectorRegistry()
    registry.register(_DefaultRegistry())
    registry.register(DatabaseCollector())
    return generate_latest(registry)


class _DefaultRegistry(Collector):
    """The in-process metrics, when no multiprocess folder is set (embedded mode)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()
