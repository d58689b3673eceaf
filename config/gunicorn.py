"""Gunicorn settings (`gunicorn -c python:config.gunicorn`): Prometheus multiprocess upkeep.

A worker that exits leaves its metric files in PROMETHEUS_MULTIPROC_DIR: its counters and
histograms still count (they happened), its live gauges must not.
"""

from __future__ import annotations

import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        from ops.prometheus import process_identifier

        multiprocess.mark_process_dead(process_identifier(worker.pid))
