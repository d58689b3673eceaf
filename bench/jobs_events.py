"""Benchmark: job events over WebSockets against the real stack (jobs issue 3).

Measures, on this machine, with PostgreSQL, Redis (broker, channel layer, cache), the ASGI
server (by default uvicorn as docker-compose.yml's `ws` service runs it, 2 processes;
`--server serve` for `manage.py serve`) and a Celery worker consuming the `cpu` queue:

(a) submit-to-first-event latency: a client subscribed to its user channel (`/ws`, StoryForge
    `subscribe` with `channel: "user"`) times, for each `jobs.services.job_submit` call, the
    arrival of that job's first event: the `job_progress` event with status `queued` that
    job_submit publishes after its transaction commits. Second line: the `job_progress` event
    with status `processing` that the worker publishes when it claims the job.
(b) fan-out: N clients subscribed to one job (`/ws/jobs/<id>?token=`) in one asyncio process
    (a minimal RFC 6455 client by default, `--client websockets` for the library's); each
    round publishes one event (by default a worker's progress step, `JobRunner.report`;
    `--publish transaction` for `jobs.events.publish` inside `transaction.atomic()`) and
    times, per client, publish-to-receipt.

Processes: this one (orchestration and all WebSocket clients); a *driver* process (Django, the
stand-in for a web process or a worker: calls job_submit and publishes, timestamps them); the
server; the worker. Times come from CLOCK_MONOTONIC, which is system-wide on Linux, so
timestamps taken in the driver and in the clients subtract directly.

    .venv/bin/python bench/jobs_events.py --rounds 30 --clients 1000 --out /tmp/jobs_events.json

docs/benchmarks.md ("Job events (issue 3)") has the results and how to read them.

Everything stays on loopback; the database `storyplatform_bench` is dropped and recreated.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import ipaddress
import json
import math
import multiprocessing
import os
import platform
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/jobs_events.py` puts bench/ first, not the root
    sys.path.insert(0, str(ROOT))

BENCH_JOB_TYPE = "bench_noop"
DB_NAME = "storyplatform_bench"
GOAL_FIRST_P50_MS = 50.0
GOAL_FIRST_P99_MS = 250.0
GOAL_FANOUT_P99_MS = 50.0
DRIVER_WORKER = "bench-driver"


def now() -> float:
    """CLOCK_MONOTONIC in seconds: one clock for every process on the machine."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


# --- The job type ---------------------------------------------------------------------------
# Registered at import: the worker imports this module (`celery ... -I bench.jobs_events`), the
# driver process too, so both know the type. One stage that does nothing, so a job's events
# are the engine's own: queued, processing (claim), stage start, stage done, complete.


def _noop_stage(ctx: Any) -> dict[str, Any]:
    return {}


def register_bench_job_type() -> None:
    from jobs import registry

    registry.register(
        registry.JobType(
            name=BENCH_JOB_TYPE,
            stages=(registry.Stage("noop", _noop_stage),),
            time_limit=60,
            max_retries=0,
        )
    )


register_bench_job_type()


def held_job(owner: Any, worker: str, message: str = "") -> tuple[Any, Any]:
    """A `bench_noop` job held as a worker holds one: status `processing`, its one stage in
    progress, and the engine's JobRunner for it, so that a benchmark can report progress
    steps through `JobRunner.report` itself. No Celery worker sees it. Needs Django set up."""
    from django.utils import timezone

    from jobs.engine import JobRunner
    from jobs.models import Job, JobStage, JobStatus, StageStatus

    job = Job.objects.create(
        type=BENCH_JOB_TYPE,
        owner=owner,
        status=JobStatus.PROCESSING,
        worker=worker,
        stage="noop",
        message=message,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    stage = JobStage.objects.create(
        job=job, name="noop", position=0, status=StageStatus.IN_PROGRESS
    )
    runner = JobRunner(job, worker)
    runner.stages = [stage]
    return runner, stage


# --- Statistics -----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values_ms: list[float]) -> dict[str, float | int]:
    return {
        "n": len(values_ms),
        "p50": percentile(values_ms, 50),
        "p95": percentile(values_ms, 95),
        "p99": percentile(values_ms, 99),
        "max": max(values_ms) if values_ms else math.nan,
        "mean": sum(values_ms) / len(values_ms) if values_ms else math.nan,
    }


# --- The driver process: Django, as a web process would run it ------------------------------


def _driver_main(conn: Connection, env: dict[str, str]) -> None:
    """Serve commands from the parent: set up, submit, publish, diagnose; then exit."""
    os.environ.update(env)
    # PYTHONPATH is read at start-up, before this process had `env`: apply it by hand.
    for entry in reversed(env.get("PYTHONPATH", "").split(os.pathsep)):
        if entry and entry not in sys.path:
            sys.path.insert(0, entry)
    import django

    django.setup()
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.conf import settings
    from django.db import connection, transaction

    from accounts.models import User
    from accounts.plans import Plan
    from accounts.tokens import issue_token_pair
    from jobs import events, services

    # A progress step is sent at most every JOB_PROGRESS_EVENT_INTERVAL per job; rounds are
    # further apart than that, but a round must never be coalesced away.
    settings.JOB_PROGRESS_EVENT_INTERVAL = 0

    # Instrumentation, in this process only: when the on_commit callback starts (the commit
    # is done), how long each group_send takes inside its event loop, and when it ends.
    sends: list[dict[str, Any]] = []
    original_send = events.send_to_groups
    layer = get_channel_layer()
    assert layer is not None, "no channel layer: REDIS_URL is not set"
    original_group_send = layer.group_send

    async def timed_group_send(group: str, message: dict[str, Any]) -> None:
        start = now()
        await original_group_send(group, message)
        if sends:
            sends[-1]["group_sends"].append(
                {"group": group.split(".", 1)[0], "start": start, "end": now()}
            )

    def timed_send_to_groups(groups: list[str], message: Any) -> None:
        sends.append({"start": now(), "type": message["type"], "group_sends": []})
        original_send(groups, message)
        sends[-1]["end"] = now()

    layer.group_send = timed_group_send
    events.send_to_groups = timed_send_to_groups

    user: Any = None

    def setup() -> dict[str, Any]:
        nonlocal user
        user = User.objects.create_user(
            "bench@example.com", password=None, username="bench", plan=Plan.ENTERPRISE
        )
        return {"user_id": user.pk, "token": issue_token_pair(user).access}

    queries: list[tuple[float, float]] = []

    def timed_query(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = now()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((start, now()))

    def submit(index: int) -> dict[str, Any]:
        sends.clear()
        queries.clear()
        t_call = now()
        with connection.execute_wrapper(timed_query):
            job, _ = services.job_submit(owner=user, type=BENCH_JOB_TYPE, input={"i": index})
        t_return = now()
        return {
            "job_id": job.pk,
            "t_call": t_call,
            "t_return": t_return,
            "sends": list(sends),
            "queries": list(queries),
        }

    runner: Any = None
    stage: Any = None

    def create_job() -> dict[str, Any]:
        # The fan-out's target, held by this process as a worker would hold it.
        nonlocal runner, stage
        runner, stage = held_job(user, DRIVER_WORKER, message="fan-out target")
        return {"job_id": runner.job.pk}

    def publish(marker: str, how: str) -> dict[str, Any]:
        """One round's event on the job create_job made (the runner keeps its row current)."""
        sends.clear()
        queries.clear()
        usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread, ended ones too
        cpu_before = usage.ru_utime + usage.ru_stime
        t_call = now()
        with connection.execute_wrapper(timed_query):
            if how == "progress":  # a worker's progress step: jobs.engine.JobRunner.report
                runner.report(stage, (stage.progress + 1) % 100 / 100, marker)
            else:  # one event in a transaction of its own, committed synchronously
                with transaction.atomic():
                    events.publish(runner.job, "job_progress", message=marker)
        t_return = now()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "t_call": t_call,
            "t_return": t_return,
            "sends": list(sends),
            "queries": list(queries),
            "cpu_ms": (usage.ru_utime + usage.ru_stime - cpu_before) * 1000,
        }

    def diagnose(count: int) -> dict[str, Any]:
        """What one group_send costs from sync code, and what it costs on a warm loop."""
        group = "bench.diag"
        message: Any = {"type": "job.event", "event": {"type": "job_log", "message": "diag"}}

        async def noop() -> None:
            return None

        per_call, loop_only = [], []
        for _ in range(count):
            start = now()
            async_to_sync(original_group_send)(group, message)
            per_call.append((now() - start) * 1000)
            start = now()
            async_to_sync(noop)()
            loop_only.append((now() - start) * 1000)

        async def warm() -> list[float]:
            times = []
            for _ in range(count):
                start = now()
                await original_group_send(group, message)
                times.append((now() - start) * 1000)
            return times

        warm_times = async_to_sync(warm)()[1:]  # the first one opens the connection

        # An event of a scene's job goes to three groups: as events.py sends it today (one
        # async_to_sync, so one new loop and Redis connection, per group), and in one loop.
        groups = ["bench.diag-job", "bench.diag-user", "bench.diag-scene"]

        async def all_in_one_loop() -> None:
            for name in groups:
                await original_group_send(name, message)

        sends.clear()
        today, one_loop = [], []
        for _ in range(count):
            start = now()
            original_send(groups, message)
            today.append((now() - start) * 1000)
            start = now()
            async_to_sync(all_in_one_loop)()
            one_loop.append((now() - start) * 1000)
        return {
            "async_to_sync_group_send_ms": summary(per_call),
            "async_to_sync_noop_ms": summary(loop_only),
            "warm_loop_group_send_ms": summary(warm_times),
            "send_to_groups_3_today_ms": summary(today),
            "send_to_groups_3_one_loop_ms": summary(one_loop),
        }

    handlers: dict[str, Callable[..., dict[str, Any]]] = {
        "setup": setup,
        "submit": submit,
        "create_job": create_job,
        "publish": publish,
        "diagnose": diagnose,
    }
    while conn.poll(1800):  # bounded: a parent that went silent for 30 min is gone
        command, *arguments = conn.recv()
        if command == "stop":
            break
        try:
            conn.send(("ok", handlers[command](*arguments)))
        except Exception:
            conn.send(("error", traceback.format_exc()))
    conn.close()


class Driver:
    """The driver process and a one-thread executor, so that the event loop never blocks."""

    def __init__(self, env: dict[str, str]) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.process = context.Process(
            target=_driver_main, args=(child, env), name="bench-driver", daemon=True
        )
        self.process.start()
        child.close()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="driver")

    def call(self, *command: Any, timeout: float = 120) -> dict[str, Any]:
        self._conn.send(command)
        if not self._conn.poll(timeout):
            raise TimeoutError(f"driver did not answer {command[0]!r} within {timeout} s")
        status, value = self._conn.recv()
        if status != "ok":
            raise RuntimeError(f"driver failed on {command[0]!r}:\n{value}")
        return value

    async def acall(self, *command: Any, timeout: float = 120) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, lambda: self.call(*command, timeout=timeout)
        )

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._conn.send(("stop",))
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self._executor.shutdown(wait=False, cancel_futures=True)


# --- Subprocesses ---------------------------------------------------------------------------


@dataclass
class Stack:
    """The subprocesses this run started; `stop()` ends each of them, by its own id."""

    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            argv,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the worker's children stop too
        )
        log.close()
        self.processes[name] = process
        return process

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.log_dir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in self.processes.values():
            # The group too: a prefork child left behind by a parent that did not stop.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_loopback(url: str, what: str) -> None:
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        raise SystemExit(f"{what}: cannot resolve {host!r}") from None
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise SystemExit(f"{what} must point at a loopback address, not {host!r}")


def database_url_for(base_url: str, name: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def recreate_database(base_url: str) -> None:
    import psycopg
    from psycopg import sql

    maintenance = database_url_for(base_url, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))


def raise_fd_limit(needed: int) -> tuple[int, int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return soft, hard
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if hard != resource.RLIM_INFINITY and hard < needed:
        with contextlib.suppress(ValueError, OSError):  # only root may raise the hard limit
            resource.setrlimit(resource.RLIMIT_NOFILE, (needed, needed))
            return needed, needed
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def sched_ns(pid: int) -> tuple[int, int]:
    """CPU time and run-queue wait (ns) of a process's live threads, from /proc schedstat.

    Nanoseconds, where /proc/<pid>/stat counts 10 ms ticks: one fan-out round is a few of those.
    The wait is time runnable but not running: on 2 cores, the cost of sharing them.
    """
    cpu = wait = 0
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError):
                run, delay, _ = (task / "schedstat").read_text().split()
                cpu, wait = cpu + int(run), wait + int(delay)
    return cpu, wait


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (uvicorn's supervisor and its worker processes)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{current}/task").iterdir():
                with contextlib.suppress(OSError, ValueError):
                    pending.extend(int(c) for c in (task / "children").read_text().split())
    return found


def tree_sched_ns(pids: list[int]) -> tuple[int, int]:
    """sched_ns summed over processes."""
    totals = [sched_ns(pid) for pid in pids]
    return sum(t[0] for t in totals), sum(t[1] for t in totals)


def ws_service_command(processes: int, port: int) -> list[str]:
    """docker-compose.yml's `ws` service command, on 127.0.0.1:`port` with `processes` workers."""
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = [str(part) for part in compose["services"]["ws"]["command"]]
    if command[0] != "uvicorn":
        raise RuntimeError(f"docker-compose.yml's ws service no longer runs uvicorn: {command}")
    replace = {"--host": "127.0.0.1", "--port": str(port), "--workers": str(processes)}
    for index, part in enumerate(command[:-1]):
        if part in replace:
            command[index + 1] = replace[part]
    if "--workers" not in command:
        command += ["--workers", str(processes)]
    return ["-m", *command, "--log-level", "warning"]


def _is_redis(pid: int) -> bool:
    with contextlib.suppress(OSError):
        return pid > 0 and "redis" in Path(f"/proc/{pid}/comm").read_text()
    return False


def wait_for_http(url: str, stack: Stack, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.check_alive()
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (loopback, our server)
                return
        except urllib.error.HTTPError:
            return  # it answered (503 while, say, no worker has reported yet)
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"server did not answer {url} within {timeout} s")


def machine_info(redis_url: str, database_url: str) -> dict[str, Any]:
    def run(argv: list[str]) -> str:
        try:
            return subprocess.run(  # noqa: S603
                argv, capture_output=True, text=True, timeout=10, check=False
            ).stdout.strip()
        except OSError:
            return ""

    cpu = ""
    with contextlib.suppress(OSError):
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    import psycopg
    import redis
    import uvicorn
    import websockets

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    client = redis.Redis.from_url(redis_url)
    redis_version = client.info("server").get("redis_version")
    client.close()
    return {
        # A copy without .git (say, `git archive`) can name its commit in BENCH_SOURCE_COMMIT.
        "commit": run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
        or os.environ.get("BENCH_SOURCE_COMMIT", ""),
        "changed_files": run(["git", "-C", str(ROOT), "status", "--porcelain"]).splitlines(),
        "nproc": run(["nproc"]),
        "free_m": run(["free", "-m"]),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": pg_version,
        "redis": redis_version,
        "uvicorn": uvicorn.__version__,
        "websockets": websockets.__version__,
    }


# --- The clients ----------------------------------------------------------------------------


@dataclass
class RunOptions:
    port: int
    token: str
    user_id: str
    submits: int
    warmup: int
    rounds: int
    warmup_rounds: int
    clients: int
    gap: float
    round_gap: float
    compression: str | None
    deadline: float
    server_pid: int
    redis_url: str
    client: str
    publish: str


def _ws_options(settings: RunOptions) -> dict[str, Any]:
    return {
        "origin": f"http://127.0.0.1:{settings.port}",  # AllowedHostsOriginValidator wants one
        "compression": settings.compression,
        "open_timeout": 30,
        "close_timeout": 5,
        "ping_interval": None,  # no keepalive traffic in the middle of a measurement
        "max_size": 2**20,
    }


def _check_deadline(settings: RunOptions) -> None:
    if time.monotonic() > settings.deadline:
        raise TimeoutError("the benchmark ran past --time-limit")


async def measure_first_event(settings: RunOptions, driver: Driver) -> dict[str, Any]:
    """(a): one client on its user channel; submit, wait for the job to finish, repeat."""
    from tqdm import tqdm
    from websockets.asyncio.client import connect

    received: dict[str, list[tuple[float, str, str]]] = {}
    finished: dict[str, asyncio.Event] = {}

    def done_event(job_id: str) -> asyncio.Event:
        return finished.setdefault(job_id, asyncio.Event())

    url = f"ws://127.0.0.1:{settings.port}/ws"
    async with connect(url, **_ws_options(settings)) as ws:
        await ws.send(json.dumps({"type": "subscribe", "channel": "user", "token": settings.token}))
        reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if reply.get("type") != "subscribed":
            raise RuntimeError(f"subscribe failed: {reply}")

        async def read() -> None:
            async for raw in ws:
                arrived = now()
                message = json.loads(raw)
                job_id = message.get("jobId")
                if not job_id:
                    continue
                received.setdefault(job_id, []).append(
                    (arrived, message.get("type", ""), message.get("status", ""))
                )
                if message.get("type") in ("job_complete", "job_failed", "job_cancelled"):
                    done_event(job_id).set()

        reader = asyncio.create_task(read())
        samples: list[dict[str, Any]] = []
        try:
            total = settings.warmup + settings.submits
            for index in tqdm(range(total), desc="(a) submit → first event", unit="job"):
                _check_deadline(settings)
                if reader.done():
                    raise RuntimeError(f"the client's connection ended: {reader.exception()!r}")
                reply = await driver.acall("submit", index)
                job_id = reply["job_id"]
                # The first worker start takes a while (imports, connections): wait longer.
                timeout = 90 if index == 0 else 30
                try:
                    await asyncio.wait_for(done_event(job_id).wait(), timeout)
                except TimeoutError:
                    samples.append(
                        {"job_id": job_id, "timed_out": True, "warmup": index < settings.warmup}
                    )
                    continue
                samples.append(
                    _first_event_sample(reply, received.get(job_id, []), index < settings.warmup)
                )
                await asyncio.sleep(settings.gap)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
    measured = [s for s in samples if not s["warmup"]]
    ok = [s for s in measured if not s.get("timed_out")]

    def column(name: str) -> list[float]:
        return [s[name] for s in ok if s.get(name) is not None]

    return {
        "samples": measured,
        "timed_out": sum(1 for s in measured if s.get("timed_out")),
        "first_not_queued": sum(1 for s in ok if not s["first_is_queued"]),
        "submit_to_queued_ms": summary(column("queued_ms")),
        "submit_to_processing_ms": summary(column("processing_ms")),
        "submit_to_complete_ms": summary(column("complete_ms")),
        "job_submit_call_ms": summary(column("call_ms")),
        "submit_to_commit_ms": summary(column("commit_ms")),
        "statements_before_commit": summary(column("statements")),
        "sql_before_commit_ms": summary(column("sql_ms")),
        "commit_statement_ms": summary(column("commit_statement_ms")),
        "send_to_groups_ms": summary(column("send_ms")),
        "group_send_in_loop_ms": summary([g for s in ok for g in s.get("group_send_ms", [])]),
        "commit_to_queued_receipt_ms": summary(column("commit_to_receipt_ms")),
    }


def _first_event_sample(
    reply: dict[str, Any], events: list[tuple[float, str, str]], warmup: bool
) -> dict[str, Any]:
    t_call = reply["t_call"]

    def first(kind: str, status: str | None = None) -> float | None:
        for arrived, event_type, event_status in events:
            if event_type == kind and (status is None or event_status == status):
                return (arrived - t_call) * 1000
        return None

    queued_send = next((s for s in reply["sends"] if s["type"] == "job_progress"), None)
    commit_ms = send_ms = commit_to_receipt_ms = sql_ms = commit_statement_ms = None
    group_send_ms: list[float] = []
    queued_ms = first("job_progress", "queued")
    if queued_send is not None:
        commit_ms = (queued_send["start"] - t_call) * 1000
        before = [q for q in reply["queries"] if q[1] <= queued_send["start"]]
        sql_ms = sum(end - start for start, end in before) * 1000
        if before:  # from the last statement's end to the on_commit callback: the COMMIT
            commit_statement_ms = (queued_send["start"] - before[-1][1]) * 1000
        send_ms = (queued_send["end"] - queued_send["start"]) * 1000
        group_send_ms = [(g["end"] - g["start"]) * 1000 for g in queued_send["group_sends"]]
        if queued_ms is not None:
            commit_to_receipt_ms = queued_ms - commit_ms
    return {
        "job_id": reply["job_id"],
        "warmup": warmup,
        "first_is_queued": bool(events) and events[0][1:] == ("job_progress", "queued"),
        "queued_ms": queued_ms,
        "processing_ms": first("job_progress", "processing"),
        "complete_ms": first("job_complete"),
        "call_ms": (reply["t_return"] - t_call) * 1000,
        "commit_ms": commit_ms,
        "statements": sum(
            1 for q in reply["queries"] if queued_send and q[1] <= queued_send["start"]
        ),
        "sql_ms": sql_ms,
        "commit_statement_ms": commit_statement_ms,
        "send_ms": send_ms,
        "group_send_ms": group_send_ms,
        "commit_to_receipt_ms": commit_to_receipt_ms,
    }


class FanoutClient:
    """One subscriber of the target job; notes when the current round's event arrives."""

    def __init__(self, index: int, state: FanoutState) -> None:
        self.index = index
        self.state = state
        self.ws: Any = None
        self.task: asyncio.Task[None] | None = None

    async def open(self, url: str, options: dict[str, Any]) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(url, **options)
        # `subscribed`, then the job's snapshot: from here on, live events only.
        for _ in range(2):
            json.loads(await asyncio.wait_for(self.ws.recv(), 30))
        self.state.alive.add(self.index)
        self.task = asyncio.create_task(self.read())

    async def read(self) -> None:
        state = self.state
        try:
            async for raw in self.ws:
                arrived = now()  # first thing: the least client time in the number
                if state.marker and state.marker in raw:
                    state.arrived(self.index, arrived)
        except Exception:  # noqa: S110 (an abnormal close: recorded below like a normal one)
            pass
        finally:
            state.lost(
                self.index,
                getattr(self.ws, "close_code", None),
                getattr(self.ws, "close_reason", None),
            )

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()


class RawFanoutClient:
    """The same subscriber as FanoutClient, on a minimal WebSocket client (`--client raw`).

    1,000 `websockets` clients in one process cost 20-25 ms of CPU per event on the cores the
    server also needs (docs/benchmarks.md). Browsers run on other machines; this client keeps
    the harness out of the server's way: an asyncio Protocol per socket that does the RFC 6455
    handshake (key and accept checked), reads unmasked server frames by hand (text, binary,
    continuation, ping answered with a masked pong, close), and notes the arrival time as the
    bytes come in. No extensions are offered, so frames are never compressed.
    """

    GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    def __init__(self, index: int, state: FanoutState) -> None:
        self.index = index
        self.state = state
        self.transport: asyncio.Transport | None = None
        self.task: asyncio.Future[None] | None = None  # set when subscribed; done when closed
        self.close_code: int | None = None

    async def open(self, url: str, options: dict[str, Any]) -> None:
        parts = urlsplit(url)
        loop = asyncio.get_running_loop()
        key = base64.b64encode(secrets.token_bytes(16))
        protocol = _RawProtocol(self, key)
        self.transport, _ = await loop.create_connection(
            lambda: protocol, parts.hostname, parts.port
        )
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        self.transport.write(
            (
                f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key.decode()}\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: {options['origin']}\r\n\r\n"
            ).encode()
        )
        # `subscribed`, then the job's snapshot: from here on, live events only.
        for _ in range(2):
            await asyncio.wait_for(protocol.messages.get(), 30)
        protocol.messages = None
        self.state.alive.add(self.index)
        self.task = protocol.closed

    def on_message(self, arrived: float, payload: bytes) -> None:
        state = self.state
        if state.marker_bytes and state.marker_bytes in payload:
            state.arrived(self.index, arrived)

    def on_closed(self) -> None:
        if self.task is not None:  # subscribed: a close before that is a connect error
            self.state.lost(self.index, self.close_code, None)

    def send_frame(self, opcode: int, payload: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        mask = secrets.token_bytes(4)
        length = len(payload)
        header = bytes([0x80 | opcode])
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 1 << 16:
            header += bytes([0x80 | 126]) + length.to_bytes(2, "big")
        else:
            header += bytes([0x80 | 127]) + length.to_bytes(8, "big")
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(header + mask + masked)

    async def close(self) -> None:
        if self.transport is None:
            return
        self.send_frame(0x8, (1000).to_bytes(2, "big"))
        closed = self.task
        if closed is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(closed), 5)
        self.transport.close()


class _RawProtocol(asyncio.Protocol):
    def __init__(self, client: RawFanoutClient, key: bytes) -> None:
        self.client = client
        self.accept = base64.b64encode(hashlib.sha1(key + RawFanoutClient.GUID).digest())  # noqa: S324 (RFC 6455)
        self.buffer = bytearray()
        self.handshake_done = False
        self.fragments: list[bytes] = []
        self.messages: asyncio.Queue[bytes] | None = asyncio.Queue()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        arrived = now()  # first thing: the least client time in the number
        buffer = self.buffer
        buffer += data
        if not self.handshake_done:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buffer[:end]).decode("latin-1").split("\r\n")
            del buffer[: end + 4]
            status = head[0].split(" ", 2)
            headers = {
                k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:])
            }
            switched = len(status) > 1 and status[1] == "101"
            if not switched or headers.get("sec-websocket-accept") != self.accept.decode():
                self.client.close_code = -1
                self.client.transport.close()  # type: ignore[union-attr]
                return
            self.handshake_done = True
        while len(buffer) >= 2:
            first, second = buffer[0], buffer[1]
            length, start = second & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, start = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, start = int.from_bytes(buffer[2:10], "big"), 10
            if second & 0x80:  # a server must not mask: a protocol error
                self.client.close_code = 1002
                self.client.transport.close()  # type: ignore[union-attr]
                return
            if len(buffer) < start + length:
                return
            payload = bytes(buffer[start : start + length])
            del buffer[: start + length]
            opcode = first & 0x0F
            if opcode in (0x0, 0x1, 0x2):
                self.fragments.append(payload)
                if first & 0x80:
                    message, self.fragments = b"".join(self.fragments), []
                    if self.messages is not None:
                        self.messages.put_nowait(message)
                    else:
                        self.client.on_message(arrived, message)
            elif opcode == 0x8:
                self.client.close_code = int.from_bytes(payload[:2], "big") if payload else 1005
                self.client.send_frame(0x8, payload[:2])
                self.client.transport.close()  # type: ignore[union-attr]
            elif opcode == 0x9:
                self.client.send_frame(0xA, payload)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)
        self.client.on_closed()


@dataclass
class FanoutState:
    """What the clients share: who is connected, who still waits for this round's event."""

    marker: str = ""
    marker_bytes: bytes = b""
    alive: set[int] = field(default_factory=set)
    pending: set[int] = field(default_factory=set)
    arrivals: dict[int, float] = field(default_factory=dict)
    all_arrived: asyncio.Event = field(default_factory=asyncio.Event)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    closing: bool = False

    def start_round(self, marker: str) -> None:
        """Wait for an event carrying `marker` at every client connected now."""
        self.arrivals = {}
        self.pending = set(self.alive)
        self.all_arrived = asyncio.Event()
        self.marker, self.marker_bytes = marker, marker.encode()

    def end_round(self) -> None:
        self.marker, self.marker_bytes = "", b""

    def arrived(self, index: int, at: float) -> None:
        """Client `index` received this round's event at `at`."""
        if index in self.pending:
            self.arrivals[index] = at
            self.pending.discard(index)
            if not self.pending:
                self.all_arrived.set()

    def lost(self, index: int, code: int | None, reason: str | None) -> None:
        """Client `index`'s connection ended; unless we are closing, the server ended it."""
        if self.closing:
            return
        self.dropped.append({"client": index, "at": now(), "code": code, "reason": reason})
        self.alive.discard(index)
        self.pending.discard(index)
        if self.marker and not self.pending:
            self.all_arrived.set()


async def measure_fanout(settings: RunOptions, driver: Driver) -> dict[str, Any]:
    """(b): N subscribers of one job; publish one event per round; time each receipt."""
    import redis
    from tqdm import tqdm

    job_id = (await driver.acall("create_job"))["job_id"]
    url = f"ws://127.0.0.1:{settings.port}/ws/jobs/{job_id}?token={settings.token}"
    state = FanoutState()
    client_class = RawFanoutClient if settings.client == "raw" else FanoutClient
    clients = [client_class(i, state) for i in range(settings.clients)]
    options = _ws_options(settings)
    limit = asyncio.Semaphore(64)
    connect_errors: list[str] = []

    async def open_one(client: FanoutClient, bar: Any) -> None:
        async with limit:
            try:
                await client.open(url, options)
            except Exception as exc:
                connect_errors.append(repr(exc))
            bar.update(1)

    started = now()
    with tqdm(total=len(clients), desc="(b) connect + subscribe", unit="client") as bar:
        await asyncio.wait_for(
            asyncio.gather(*(open_one(c, bar) for c in clients)),
            timeout=max(10.0, settings.deadline - time.monotonic()),
        )
    connect_seconds = now() - started
    connected = [c for c in clients if c.task is not None]
    if len(connected) < len(clients):
        print(
            f"warning: {len(clients) - len(connected)} clients failed to connect: "
            f"{connect_errors[:3]}",
            file=sys.stderr,
        )
    if not connected:
        raise RuntimeError("no client connected")
    connect_done = now()

    redis_client = redis.Redis.from_url(settings.redis_url)
    redis_pid = int(redis_client.info("server").get("process_id", 0))
    redis_client.close()
    probes: dict[str, list[int]] = {  # the server: uvicorn's supervisor and its workers
        "server": process_tree(settings.server_pid),
        "client": [os.getpid()],
        "driver": [driver.process.pid or 0],
    }
    if _is_redis(redis_pid):  # the same machine and pid namespace, so /proc tells its CPU
        probes["redis"] = [redis_pid]

    rounds: list[dict[str, Any]] = []
    all_latencies: list[float] = []
    try:
        total = settings.warmup_rounds + settings.rounds
        for number in tqdm(range(total), desc="(b) fan-out rounds", unit="round"):
            _check_deadline(settings)
            await asyncio.sleep(settings.round_gap)
            if not state.alive:
                raise RuntimeError("every client was disconnected")
            state.start_round(f"fanout-round-{number:05d}.")
            expected = len(state.pending)
            before = {name: tree_sched_ns(pids) for name, pids in probes.items()}
            reply = await driver.acall("publish", state.marker, settings.publish)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(state.all_arrived.wait(), 10)
            after = {name: tree_sched_ns(pids) for name, pids in probes.items()}
            state.end_round()
            t_call = reply["t_call"]
            latencies = [(t - t_call) * 1000 for t in state.arrivals.values()]
            job_send = next(
                (g for s in reply["sends"] for g in s["group_sends"] if g["group"] == "job"), None
            )
            send = reply["sends"][0] if reply["sends"] else None
            row = {
                "round": number,
                "warmup": number < settings.warmup_rounds,
                "connected": expected,
                "received": len(latencies),
                "missing": expected - len(latencies),
                **{f"latency_{k}": v for k, v in summary(latencies).items()},
                "first_ms": min(latencies) if latencies else math.nan,
                "last_ms": max(latencies) if latencies else math.nan,
                "commit_ms": (send["start"] - t_call) * 1000 if send else math.nan,
                "send_to_groups_ms": (send["end"] - send["start"]) * 1000 if send else math.nan,
                "job_group_send_end_ms": (job_send["end"] - t_call) * 1000
                if job_send
                else math.nan,
                "job_group_send_in_loop_ms": (job_send["end"] - job_send["start"]) * 1000
                if job_send
                else math.nan,
                **{
                    f"{name}_{kind}_ms": (after[name][i] - before[name][i]) / 1e6
                    for name in probes
                    for i, kind in enumerate(("cpu", "runqueue_wait"))
                },
                # getrusage in the driver also counts async_to_sync's short-lived threads.
                "driver_cpu_ms": reply["cpu_ms"],
                "latencies_ms": [round(x, 3) for x in sorted(latencies)],
            }
            rounds.append(row)
            if not row["warmup"]:
                all_latencies.extend(latencies)
    finally:
        state.closing = True
        await asyncio.wait_for(
            asyncio.gather(*(c.close() for c in clients), return_exceptions=True), 30
        )
    measured = [r for r in rounds if not r["warmup"]]

    def over_rounds(name: str) -> dict[str, float | int]:
        return summary([r[name] for r in measured if not math.isnan(r[name])])

    return {
        "job_id": job_id,
        "clients_requested": settings.clients,
        "clients_connected": len(connected),
        "connect_seconds": connect_seconds,
        "connect_errors": connect_errors[:10],
        "rounds": rounds,
        "missing_total": sum(r["missing"] for r in measured),
        # Connections the server ended (it should end none): when, relative to the end of
        # the connect phase, and with which close code.
        "dropped": [
            {**d, "at": d["at"] - connect_done}
            for d in sorted(state.dropped, key=lambda d: d["at"])
        ],
        "publish_to_receipt_ms": summary(all_latencies),
        "per_round": {
            name: over_rounds(name)
            for name in (
                "latency_p50",
                "latency_p99",
                "first_ms",
                "last_ms",
                "commit_ms",
                "send_to_groups_ms",
                "job_group_send_end_ms",
                "job_group_send_in_loop_ms",
                *(f"{n}_{k}_ms" for n in probes for k in ("cpu", "runqueue_wait")),
            )
        },
        "probed_processes": list(probes),
    }


# --- Report ---------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return (
        "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.1f}"
    )


def report(results: dict[str, Any]) -> str:
    lines: list[str] = []
    a, b, d = results["first_event"], results["fanout"], results.get("diagnostics", {})
    first, processing = a["submit_to_queued_ms"], a["submit_to_processing_ms"]
    fan = b["publish_to_receipt_ms"]
    goals = results["goals"]

    def row(name: str, s: dict[str, Any], goal: str = "", met: str = "") -> None:
        lines.append(
            f"| {name} | {s['n']} | {_fmt(s['p50'])} | {_fmt(s['p95'])} | {_fmt(s['p99'])} "
            f"| {_fmt(s['max'])} | {goal} | {met} |"
        )

    yes = {True: "yes", False: "**no**"}
    lines.append("(a) submit → event, one client on its user channel (ms)")
    lines.append("")
    lines.append("| measure | n | p50 | p95 | p99 | max | goal | met |")
    lines.append("|---|---|---|---|---|---|---|---|")
    row(
        "submit → first event (`job_progress`, status `queued`)",
        first,
        f"p50 ≤ {GOAL_FIRST_P50_MS:.0f}, p99 ≤ {GOAL_FIRST_P99_MS:.0f}",
        f"p50 {yes[goals['first_p50']]}, p99 {yes[goals['first_p99']]}",
    )
    row("submit → `job_progress`, status `processing` (worker's claim)", processing)
    row("submit → `job_complete`", a["submit_to_complete_ms"])
    row("  job_submit call, start to return", a["job_submit_call_ms"])
    row("  job_submit start → commit done (on_commit runs)", a["submit_to_commit_ms"])
    row("    of which SQL statements (time inside cursor.execute)", a["sql_before_commit_ms"])
    row("    of which COMMIT (last statement → on_commit callback)", a["commit_statement_ms"])
    row("  send_to_groups (job + user group)", a["send_to_groups_ms"])
    row("  one group_send inside its fresh event loop", a["group_send_in_loop_ms"])
    row("  commit → client receives `queued`", a["commit_to_queued_receipt_ms"])
    lines.append("")
    lines.append(
        f"timed out: {a['timed_out']}; jobs whose first event was not `queued`: "
        f"{a['first_not_queued']}; SQL statements before the commit: "
        f"{_fmt(a['statements_before_commit']['p50'])} (median)"
    )
    lines.append("")
    per = b["per_round"]
    lines.append(
        f"(b) fan-out: {b['clients_connected']} clients on one job, "
        f"{per['latency_p99']['n']} rounds (ms)"
    )
    setup = results.get("setup")
    if setup:
        lines.append("")
        lines.append(
            f"server: {setup['server']}, {setup['server_processes']} process(es); clients: "
            f"{setup['client']}; each round's event: {setup['publish']}"
        )
    lines.append("")
    lines.append("| measure | n | p50 | p95 | p99 | max | goal | met |")
    lines.append("|---|---|---|---|---|---|---|---|")
    row(
        "publish → receipt, every client of every round",
        fan,
        f"p99 ≤ {GOAL_FANOUT_P99_MS:.0f}",
        yes[goals["fanout_p99"]],
    )
    row("per round: p99 over its clients", per["latency_p99"])
    row("per round: first client's receipt", per["first_ms"])
    row("per round: last client's receipt", per["last_ms"])
    row("per round: publish → commit done", per["commit_ms"])
    row("per round: publish → job group's group_send done", per["job_group_send_end_ms"])
    row("per round: send_to_groups (job + user group)", per["send_to_groups_ms"])
    lines.append("")
    lines.append("(b) per round, mean over the rounds: CPU used and time spent runnable but")
    lines.append("waiting for a core (ms, from /proc/<pid>/task/*/schedstat; live threads only)")
    lines.append("")
    lines.append("| process | CPU | run-queue wait |")
    lines.append("|---|---|---|")
    for name in b["probed_processes"]:
        lines.append(
            f"| {name} | {_fmt(per[f'{name}_cpu_ms']['mean'])} "
            f"| {_fmt(per[f'{name}_runqueue_wait_ms']['mean'])} |"
        )
    lines.append("")
    lines.append(
        f"missing receipts (client connected, event not received in 10 s): "
        f"{b['missing_total']}; connecting {b['clients_connected']} clients took "
        f"{b['connect_seconds']:.1f} s; connections the server closed during the run: "
        f"{len(b['dropped'])}"
        + (
            " (close codes: " + ", ".join(sorted({str(d["code"]) for d in b["dropped"]})) + ")"
            if b["dropped"]
            else ""
        )
    )
    if d:
        lines.append("")
        lines.append("Diagnostics: one group_send to an empty group from the driver (ms)")
        lines.append("")
        lines.append("| measure | n | p50 | p95 | p99 | max | goal | met |")
        lines.append("|---|---|---|---|---|---|---|---|")
        row(
            "async_to_sync(group_send) from sync code (as events.py does)",
            d["async_to_sync_group_send_ms"],
        )
        row(
            "async_to_sync(no-op coroutine): the new thread + event loop alone",
            d["async_to_sync_noop_ms"],
        )
        row(
            "group_send on one long-lived event loop (connection reused)",
            d["warm_loop_group_send_ms"],
        )
        row(
            "send_to_groups, 3 groups, as events.py does it (a loop per group)",
            d["send_to_groups_3_today_ms"],
        )
        row("the same 3 group_sends in one async_to_sync call", d["send_to_groups_3_one_loop_ms"])
    if "loadavg" in results:
        load = results["loadavg"]
        lines.append("")
        lines.append(f"/proc/loadavg before the run: {load['before']}; after: {load['after']}")
    return "\n".join(lines)


# --- Main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30, help="fan-out rounds (≥ 20)")
    parser.add_argument("--clients", type=int, default=1000, help="fan-out WebSocket clients")
    parser.add_argument("--submits", type=int, default=300, help="jobs for (a) (≥ 200)")
    parser.add_argument("--warmup", type=int, default=10, help="jobs before (a) is timed")
    parser.add_argument("--warmup-rounds", type=int, default=3, help="untimed fan-out rounds")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432",
        help=f"PostgreSQL server; the database {DB_NAME} is dropped and recreated",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument(
        "--log-dir", type=Path, help="keep the server's and worker's logs here (default: none)"
    )
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between jobs in (a)")
    parser.add_argument("--round-gap", type=float, default=0.25, help="seconds between rounds")
    parser.add_argument(
        "--compression",
        choices=("deflate", "none"),
        default="deflate",
        help="permessage-deflate on the clients (browsers offer it, uvicorn accepts it)",
    )
    parser.add_argument(
        "--worker-max-tasks-per-child",
        type=int,
        default=50,
        help="the worker's --max-tasks-per-child (50, as docker-compose.yml runs it)",
    )
    parser.add_argument(
        "--server",
        choices=("ws", "serve"),
        default="ws",
        help="ws: uvicorn as docker-compose.yml's `ws` service runs it (production); serve: "
        "`manage.py serve`, one process (the embedded default's server)",
    )
    parser.add_argument(
        "--server-processes",
        type=int,
        default=2,
        help="--workers of the ws service (WS_WORKERS in docker-compose.yml, default 2)",
    )
    parser.add_argument(
        "--client",
        choices=("raw", "websockets"),
        default="raw",
        help="(b)'s subscribers: raw, a minimal RFC 6455 client that leaves the cores to the "
        "server; websockets, the `websockets` library's asyncio client (20-25 ms of CPU an event)",
    )
    parser.add_argument(
        "--publish",
        choices=("progress", "transaction"),
        default="progress",
        help="(b)'s event: progress, a worker's progress step (JobRunner.report, whose commit "
        "does not wait for the disk); transaction, events.publish in transaction.atomic() "
        "(a synchronous commit, as state changes have)",
    )
    parser.add_argument(
        "--asgi-app",
        help="serve this ASGI app with uvicorn instead of `manage.py serve` (to try a change "
        "without editing the source, e.g. a module that patches a consumer)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment of every process: server, worker, driver (repeatable)",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment of the server only (repeatable)",
    )
    parser.add_argument("--diagnose", type=int, default=100, help="group_send probes (0: none)")
    parser.add_argument("--time-limit", type=float, default=1800, help="seconds, all in all")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.clients < 1 or args.submits < 1:
        parser.error("--rounds, --clients and --submits must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    require_loopback(args.database_url, "--database-url")
    require_loopback(args.redis_url, "--redis-url")
    deadline = time.monotonic() + args.time_limit
    # SIGTERM ends the run the way Ctrl-C does: through the finally blocks that stop everything.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    fd_limit = raise_fd_limit(2 * args.clients + 1024)  # children inherit it: the server too
    with contextlib.suppress(ImportError):
        import uvloop  # the clients' loop; the server runs on uvloop too (uvicorn's default)

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    database_url = database_url_for(args.database_url, DB_NAME)

    with tempfile.TemporaryDirectory(prefix="bench-jobs-events-") as data_dir:
        log_dir = args.log_dir or Path(data_dir)
        log_dir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "CELERY_", "AWS_"))
            and k not in ("DATABASE_URL", "REDIS_URL")
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_ENV="production",
            SECRET_KEY=secrets.token_urlsafe(64),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="false",
            PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
            DATABASE_URL=database_url,
            REDIS_URL=args.redis_url,
            CACHE_KEY_PREFIX=f"bench{os.getpid()}",  # channel layer and cache keys of this run
            DATA_DIR=data_dir,
            LOG_LEVEL="WARNING",
            PYTHONPATH=str(ROOT),
        )
        env.update(item.partition("=")[::2] for item in args.env)
        stack = Stack(log_dir)
        driver: Driver | None = None
        try:
            print(f"recreating database {DB_NAME} …", file=sys.stderr)
            recreate_database(args.database_url)
            migrate = subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput"],
                cwd=ROOT,
                env=env,
                check=False,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if migrate.returncode != 0:
                raise RuntimeError(f"manage.py migrate failed:\n{migrate.stderr[-3000:]}")
            address = ["--host", "127.0.0.1", "--port", str(port)]
            if args.asgi_app:
                serve = ["-m", "uvicorn", args.asgi_app, *address, "--lifespan", "off"]
                serve += ["--log-level", "warning"]
            elif args.server == "ws":  # as docker-compose.yml's `ws` service runs it
                serve = ws_service_command(args.server_processes, port)
            else:
                serve = ["manage.py", "serve", *address, "--no-worker"]
            server_env = dict(env)
            for item in args.server_env:
                name, _, value = item.partition("=")
                server_env[name] = value
            server = stack.start("server", [sys.executable, *serve], server_env)
            # As docker-compose.yml runs the CPU worker, plus this module for the job type.
            stack.start(
                "worker",
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "-Q",
                    "cpu",
                    "--concurrency",
                    "2",
                    "--max-tasks-per-child",
                    str(args.worker_max_tasks_per_child),
                    "-O",
                    "fair",
                    "-I",
                    "bench.jobs_events",
                    "--loglevel",
                    "WARNING",
                    "--hostname",
                    f"bench{os.getpid()}@localhost",
                ],
                env,
            )
            driver = Driver(env)
            identity = driver.call("setup", timeout=120)
            wait_for_http(f"http://127.0.0.1:{port}/api/v1/health", stack, timeout=60)
            settings = RunOptions(
                port=port,
                token=identity["token"],
                user_id=identity["user_id"],
                submits=args.submits,
                warmup=args.warmup,
                rounds=args.rounds,
                warmup_rounds=args.warmup_rounds,
                clients=args.clients,
                gap=args.gap,
                round_gap=args.round_gap,
                compression=None if args.compression == "none" else "deflate",
                deadline=deadline,
                server_pid=server.pid,
                redis_url=args.redis_url,
                client=args.client,
                publish=args.publish,
            )
            load_before = _loadavg()
            results = asyncio.run(_run(settings, driver, stack, args.diagnose))
            # Other work on the machine moves these numbers: keep its load beside them.
            results["loadavg"] = {"before": load_before, "after": _loadavg()}
            results["client_loop"] = type(asyncio.get_event_loop_policy()).__module__
            results["setup"] = {
                "server": args.asgi_app or args.server,
                "server_processes": args.server_processes if args.server == "ws" else 1,
                "client": args.client,
                "publish": args.publish,
            }
        except BaseException:
            for name in stack.processes:
                print(f"--- {name} log (tail) ---\n{stack.tail(name)}", file=sys.stderr)
            raise
        finally:
            if driver is not None:
                driver.stop()
            stack.stop()

    first, fan = results["first_event"], results["fanout"]
    results["goals"] = {
        "first_p50": first["submit_to_queued_ms"]["p50"] <= GOAL_FIRST_P50_MS,
        "first_p99": first["submit_to_queued_ms"]["p99"] <= GOAL_FIRST_P99_MS,
        "fanout_p99": fan["publish_to_receipt_ms"]["p99"] <= GOAL_FANOUT_P99_MS,
    }
    results["config"] = {
        **{k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "database": database_url,
        "fd_limit": fd_limit,
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }
    results["machine"] = machine_info(args.redis_url, args.database_url)
    text = report(results)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(_json_safe(results), indent=2, default=str))
        print(f"\nresults: {args.out}", file=sys.stderr)
    return 0


def _loadavg() -> str:
    """/proc/loadavg: the 1, 5 and 15 min load averages, runnable/all tasks, last pid."""
    with contextlib.suppress(OSError):
        return Path("/proc/loadavg").read_text().strip()
    return ""


def _json_safe(value: Any) -> Any:
    """NaN (an empty measurement) as null: strict JSON has no NaN."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


async def _run(settings: RunOptions, driver: Driver, stack: Stack, diagnose: int) -> dict[str, Any]:
    first_event = await measure_first_event(settings, driver)
    stack.check_alive()
    fanout = await measure_fanout(settings, driver)
    stack.check_alive()
    results: dict[str, Any] = {"first_event": first_event, "fanout": fanout}
    if diagnose > 0:
        results["diagnostics"] = await driver.acall("diagnose", diagnose, timeout=300)
    return results


if __name__ == "__main__":
    sys.exit(main())
