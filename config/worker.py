"""The embedded Celery worker: runs inside the web process when there is no Redis.

`manage.py serve` starts it on a thread, so that a laptop with nothing installed runs jobs
without a separate worker process. Messages travel through a broker folder on disk
(settings.CELERY_BROKER_URL = "filesystem://"), so tasks sent by other processes, such as
`manage.py` commands, reach it too.
"""

from __future__ import annotations

import logging
import threading

from celery.beat import EmbeddedService
from celery.worker import WorkController
from django.conf import settings

from config.celery import app

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_worker: WorkController | None = None
_thread: threading.Thread | None = None
_beat: EmbeddedService | None = None


def start_embedded_worker(*, concurrency: int = 2) -> WorkController:
    """Start the in-process worker once; later calls return the running one."""
    global _worker, _thread, _beat
    with _lock:
        if _worker is not None and _thread is not None and _thread.is_alive():
            return _worker
        _worker = WorkController(
            app=app,
            hostname="embedded@localhost",
            pool="threads",
            concurrency=concurrency,
            queues=["cpu", "gpu"],
            without_heartbeat=True,
            without_mingle=True,
            without_gossip=True,
            loglevel="INFO",
        )
        _thread = threading.Thread(target=_worker.start, daemon=True, name="embedded-worker")
        _thread.start()
        # Beat on a thread too (not Celery's default child process, which a threaded server
        # must not fork): it runs the periodic sweep that recovers jobs of a stopped worker.
        _beat = EmbeddedService(
            app, thread=True, schedule_filename=settings.CELERY_BEAT_SCHEDULE_FILENAME
        )
        _beat.start()
        logger.info("Embedded worker and beat started (queues cpu, gpu; %d threads)", concurrency)
        return _worker


def stop_embedded_worker(timeout: float = 10) -> None:
    """Stop the in-process worker and beat (tests; a server's shutdown)."""
    global _worker, _thread, _beat
    with _lock:
        if _beat is not None:
            _beat.stop()
        if _worker is not None:
            _worker.stop(in_sighandler=False)
        if _thread is not None:
            _thread.join(timeout)
        _worker = _thread = _beat = None


def embedded_worker_alive() -> bool:
    """Whether this process's embedded worker thread is running."""
    return _thread is not None and _thread.is_alive()
