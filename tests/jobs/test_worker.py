"""The engine under real Celery worker processes: delivery, a killed worker, cancellation.

Each test starts `celery worker` (prefork, one child) on the test's own database and broker:
the broker folder in DATA_DIR without REDIS_URL, Redis with it. The worker's lease settings
are small, so that a lost worker is noticed in seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from jobs import services
from jobs.models import FINISHED_STATUSES, Job, JobEvent, JobStage, JobStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

HEARTBEAT_SECONDS = 1
LEASE_SECONDS = 3
# The settings refuse less than 10 s; only Redis reads it (the folder broker has no timeout).
VISIBILITY_TIMEOUT = 10
WORKER_START_TIMEOUT = 30.0

T = TypeVar("T")


def wait_for(check: Callable[[], T], *, timeout: float, what: str) -> T:
    """Poll `check` until it returns something truthy; fail naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test database)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


@dataclass
class Worker:
    """A `celery worker` process group started by a test."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the main process and its pool child at once, as a lost machine would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


@pytest.fixture
def start_worker(transactional_db, settings, tmp_path) -> Iterator[Callable[[], Worker]]:
    """Start real worker processes on this test's database; they are always stopped after."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # send tasks to the broker, as production does
    settings.JOB_LEASE_SECONDS = LEASE_SECONDS  # the sweep runs here, with the worker's lease
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DATA_DIR": str(django_settings.DATA_DIR),
        "JOB_WORKDIR": str(settings.JOB_WORKDIR),
        "JOB_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
        "JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    if django_settings.REDIS_URL:
        env["REDIS_URL"] = django_settings.REDIS_URL
    workers: list[Worker] = []

    def start() -> Worker:
        name = f"test-{uuid.uuid4().hex[:8]}"
        log = tmp_path / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "tests.jobs.worker_app",
                    "worker",
                    "-Q",
                    "cpu,gpu",
                    "--pool",
                    "prefork",
                    "--concurrency",
                    "1",
                    "-l",
                    "info",
                    "--without-gossip",
                    "--without-mingle",
                    "-n",
                    f"{name}@%h",
                ],
                cwd=django_settings.BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches the pool child
            )
        worker = Worker(name=name, process=process, log=log)
        workers.append(worker)
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while " ready." not in worker.output():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The worker did not start:\n{worker.output()[-5000:]}")
            time.sleep(0.1)
        return worker

    yield start
    for worker in workers:
        worker.stop()
    celery_app.conf.task_always_eager = eager


def submit(owner: Any, **input: Any) -> Job:
    job, _ = services.job_submit(owner=owner, type="test_steps", input=input)
    return job


def wait_until_finished(job: Job, worker: Worker, *, timeout: float) -> Job:
    def finished() -> bool:
        job.refresh_from_db()
        return job.status in FINISHED_STATUSES

    deadline = time.monotonic() + timeout
    while not finished():
        if time.monotonic() > deadline:
            pytest.fail(f"{job} did not finish:\n{worker.output()[-5000:]}")
        time.sleep(0.05)
    return job


def wait_until_counting(job: Job, *, above: int) -> JobStage:
    """Wait until the job's long `count` stage runs and is past `above` percent."""

    def counting() -> JobStage | None:
        stage = JobStage.objects.get(job=job, name="count")
        return stage if stage.status == "in_progress" and stage.progress > above else None

    return wait_for(counting, timeout=20, what=f"{job} to be in its count stage")


def stages(job: Job) -> list[tuple[str, str, int]]:
    return list(job.stages.order_by("position").values_list("name", "status", "runs"))


def test_a_submitted_job_runs_to_completion_in_a_worker_process(start_worker, settings):
    worker = start_worker()
    job = submit(UserFactory(), text="Maya opens the door", steps=4)

    wait_until_finished(job, worker, timeout=15)

    assert job.status == JobStatus.COMPLETED, job.error
    assert job.worker.startswith(f"{worker.name}@")  # run by the worker, not in this process
    assert (job.attempts, job.progress, job.result) == (1, 100, {"total": 4, "chars": 19})
    assert stages(job) == [
        ("prepare", "completed", 1),
        ("count", "completed", 1),
        ("finish", "completed", 1),
    ]
    kinds = list(JobEvent.objects.filter(job=job).order_by("pk").values_list("type", flat=True))
    assert "job_progress" in kinds and "job_log" in kinds
    assert kinds[-1] == "job_complete"
    # The scratch folder goes just after the completion commits.
    workdir = settings.JOB_WORKDIR / job.pk
    wait_for(lambda: not workdir.exists(), timeout=5, what="the scratch folder to be removed")


def kill_while_counting(start_worker: Callable[[], Worker]) -> Job:
    """Start a worker, let it run into the job's count stage, SIGKILL it; return the job."""
    worker = start_worker()
    job = submit(UserFactory(), steps=150, delay=0.02)
    wait_until_counting(job, above=5)
    worker.kill()
    job.refresh_from_db()
    assert job.status == JobStatus.PROCESSING
    assert job.heartbeat_at is not None
    assert timezone.now() - job.heartbeat_at < timedelta(seconds=LEASE_SECONDS)
    return job


def wait_until_lease_expired(job: Job) -> None:
    """Wait past the lease; the job must stay `processing` with its last heartbeat."""
    last_beat = job.heartbeat_at
    assert last_beat is not None
    lease = timedelta(seconds=LEASE_SECONDS + 0.5)
    wait_for(lambda: timezone.now() - last_beat > lease, timeout=10, what="the lease to expire")
    job.refresh_from_db()
    assert job.status == JobStatus.PROCESSING
    assert job.heartbeat_at == last_beat  # nobody beats for a killed worker


def test_a_job_whose_worker_was_killed_is_requeued_and_resumes_at_the_lost_stage(
    start_worker, settings
):
    job = kill_while_counting(start_worker)
    assert stages(job) == [
        ("prepare", "completed", 1),
        ("count", "in_progress", 1),
        ("finish", "pending", 0),
    ]
    wait_until_lease_expired(job)

    assert services.jobs_sweep() == {"requeued": 1, "failed": 0, "resent": 0}
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 1)
    assert stages(job)[1] == ("count", "pending", 1)

    fresh = start_worker()
    wait_until_finished(job, fresh, timeout=20)

    assert job.status == JobStatus.COMPLETED, job.error
    assert job.worker.startswith(f"{fresh.name}@")
    assert job.attempts == 2
    assert stages(job) == [
        ("prepare", "completed", 1),  # done before the kill: not run again
        ("count", "completed", 2),  # interrupted: run again from its start
        ("finish", "completed", 1),
    ]
    assert job.result == {"total": 150, "chars": 0}
    assert job.logs.filter(message="Worker lost; job requeued").exists()
    assert job.logs.filter(message="Stage prepare already done; skipped").exists()


def test_a_job_that_lost_its_worker_max_attempts_times_is_failed_by_the_sweep(
    start_worker, settings
):
    settings.JOB_MAX_ATTEMPTS = 1
    job = kill_while_counting(start_worker)
    wait_until_lease_expired(job)

    assert services.jobs_sweep() == {"requeued": 0, "failed": 1, "resent": 0}

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error["code"] == "GENERATION_FAILED"
    assert job.completed_at is not None
    assert stages(job) == [
        ("prepare", "completed", 1),
        ("count", "failed", 1),  # not left in progress on a finished job
        ("finish", "pending", 0),
    ]
    assert job.logs.filter(message="Worker lost; job failed").exists()
    assert JobEvent.objects.filter(job=job).order_by("pk").last().type == "job_failed"
    assert services.jobs_sweep() == {"requeued": 0, "failed": 0, "resent": 0}


def test_cancel_stops_the_running_task_and_frees_the_worker_for_the_next_job(
    start_worker, settings
):
    worker = start_worker()
    owner = UserFactory()
    steps, delay = 400, 0.02
    job = submit(owner, steps=steps, delay=delay)
    count = wait_until_counting(job, above=5)
    workdir = settings.JOB_WORKDIR / job.pk
    assert workdir.exists()

    assert job.status == JobStatus.QUEUED  # read before the claim, as a request's copy may be
    services.job_cancel(job=job)
    cancelled_at = time.monotonic()

    wait_for(
        lambda: job.logs.filter(message="Stopped during count; partial files removed").exists(),
        timeout=5,
        what="the worker to stop the cancelled job",
    )
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert not workdir.exists()
    count.refresh_from_db()
    assert count.status == "cancelled"
    assert count.progress < 100
    assert stages(job)[2] == ("finish", "cancelled", 0)

    # Left alone, the cancelled task would sleep this much longer before freeing the worker.
    remaining = (steps - steps * count.progress // 100) * delay
    budget = 5.0
    assert remaining > budget + 1
    following = submit(owner, steps=2)
    wait_until_finished(following, worker, timeout=budget)
    assert following.status == JobStatus.COMPLETED
    assert following.worker.startswith(f"{worker.name}@")
    assert time.monotonic() - cancelled_at < remaining
