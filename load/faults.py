"""Faults against the production topology (issue 19), each checking its outcome.

    python load/faults.py kill-workers --kills 20   # SIGKILL a worker mid-job, restart, repeat
    python load/faults.py postgres-restart           # a private cluster, restarted mid-run
    python load/faults.py redis-restart              # a private redis-server, restarted mid-run
    python load/faults.py s3-outage --seconds 30     # the S3 server unreachable for 30 s
    python load/faults.py disk-full                  # JOB_WORKDIR on a full (1 MB) tmpfs
    python load/faults.py slow-clients               # 1,000 idle sockets, 200 slow readers

Each prints what it did and `OK: ...` or `FAILED: ...` as its last line (exit status 0 / 1).
The PostgreSQL and Redis restarts run against servers of their own (a temporary cluster
started with initdb/pg_ctl as the `postgres` user, a redis-server on a free port), never the
machine's shared ones. Everything is on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.jobs_events import free_port  # noqa: E402
from load.client import TERMINAL, Api, JobFollower  # noqa: E402
from load.run import job_outcomes  # noqa: E402
from load.topology import DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, Topology, wait_until  # noqa: E402

SCRIPT = (
    "Captain Maya Chen stared at the flickering display. After 500 years of silence, the "
    "colony ship Aurora had finally sent a message. The coordinates matched no known place."
)
FAST_SWEEP = {
    "JOB_HEARTBEAT_SECONDS": "1",
    "JOB_LEASE_SECONDS": "4",
    "JOB_SWEEP_SECONDS": "2",
    # A task message a killed worker had reserved comes back only after Redis's visibility
    # timeout (hours); the sweep re-sends a job queued this long (default 600 s).
    "JOB_RESEND_AFTER_SECONDS": "15",
    "SCENE_RENDER_WIDTH": "320",
    "SCENE_RENDER_HEIGHT": "180",
    "SCENE_RENDER_FPS": "12",
}


class Failed(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


def create_scene(api: Api) -> tuple[str, str]:
    response = api.post(
        "/api/v1/scenes",
        {"ideaId": "idea_last_starship", "title": "Fault run", "initialScript": SCRIPT},
    )
    check(response.status == 201, f"POST /scenes: {response.status} {response.body}")
    return response.data["scene"]["id"], response.data["job"]["id"]


def member(topology: Topology) -> Api:
    api = Api(topology.base_url)
    response = api.sign_up()
    check(response.status == 201, f"sign-up: {response.status} {response.body}")
    return api


def final_checks(
    topology: Topology, since: Any, job_ids: list[str], drain: float = 180
) -> dict[str, Any]:
    """Wait for the run's jobs to end, then: none lost, none stuck, no scene with a segment
    number twice."""
    import psycopg

    deadline = time.monotonic() + drain
    outcome = job_outcomes(topology.database_url, job_ids, since, lease_seconds=4)
    while time.monotonic() < deadline and any(s not in TERMINAL for s in outcome["statuses"]):
        time.sleep(1)
        outcome = job_outcomes(topology.database_url, job_ids, since, lease_seconds=4)
    url = topology.database_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, connect_timeout=10) as conn:
        twice = conn.execute(
            "SELECT scene_id, sequence, count(*) FROM scenes_segment "
            "GROUP BY scene_id, sequence HAVING count(*) > 1"
        ).fetchall()
    print(f"jobs: {outcome['statuses']}; requeued {outcome['requeued']}")
    check(not outcome["lost"], f"lost jobs: {outcome['lost']}")
    check(not outcome["stuck"], f"stuck jobs: {outcome['stuck']}")
    check(not twice, f"segments made twice: {twice}")
    return outcome


def holder(topology: Topology, job_id: str) -> int | None:
    """The index of the topology's worker that is running `job_id`, from the job row."""
    import psycopg

    url = topology.database_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, connect_timeout=10) as conn:
        row = conn.execute("SELECT worker FROM jobs_job WHERE id = %s", [job_id]).fetchone()
    for index in range(topology.workers):
        if row and str(row[0]).startswith(f"worker{index}-"):
            return index
    return None


# --- SIGKILL workers ------------------------------------------------------------------------


def fault_kill_workers(args: argparse.Namespace) -> str:
    from datetime import UTC, datetime

    since = datetime.now(UTC)
    with Topology(
        database_url=args.database_url,
        redis_url=args.redis_url,
        workers=2,
        worker_concurrency=1,
        extra_env=FAST_SWEEP,
    ) as topology:
        api = member(topology)
        job_ids: list[str] = []
        finished_at_kill: dict[str, dict[str, str]] = {}
        kills = 0
        while kills < args.kills:
            _, job_id = create_scene(api)
            job_ids.append(job_id)
            job = api.wait_job(job_id, 120, done={"processing", *TERMINAL})
            if job["status"] != "processing":
                continue
            time.sleep(0.5 + (kills % 4) * 0.5)  # at different points of the job
            job = api.job(job_id)
            if job["status"] != "processing":
                continue
            finished_at_kill[job_id] = {
                s["name"]: s["completedAt"] for s in job["stages"] if s["status"] == "completed"
            }
            # The worker that holds it (the job row names its Celery hostname).
            index = holder(topology, job_id)
            if index is None:
                continue
            topology.kill_worker(index)
            topology.restart_worker(index)
            kills += 1
            print(f"kill {kills}: worker{index} during {job['stage']} of {job_id}", flush=True)
        for job_id in job_ids:
            api.wait_job(job_id, 240)
        outcome = final_checks(topology, since, job_ids)
        for job_id, finished in finished_at_kill.items():
            stages = {s["name"]: s for s in api.job(job_id)["stages"]}
            for name, completed_at in finished.items():
                check(
                    stages[name]["completedAt"] == completed_at,
                    f"{job_id}: finished stage {name} ran again after the kill",
                )
        completed = outcome["statuses"].get("completed", 0)
        return (
            f"{kills} workers killed mid-job; {len(job_ids)} jobs, {completed} completed, "
            "0 lost, 0 stuck, no segment twice, no finished stage run again"
        )


# --- PostgreSQL restart ---------------------------------------------------------------------


@contextlib.contextmanager
def private_postgres() -> Iterator[tuple[str, Callable[[], None], Callable[[], None]]]:
    """A throw-away PostgreSQL cluster on a free port (as the `postgres` user), and its
    stop/start; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="sp_topo_pg-"))
    shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    data = folder / "data"

    def as_postgres(*argv: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *argv], check=True, capture_output=True, timeout=120
        )

    as_postgres("initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
    start = lambda: as_postgres(  # noqa: E731
        "pg_ctl",
        "-D",
        str(data),
        "-l",
        str(folder / "log"),
        "-w",
        "-o",
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1",
        "start",
    )
    stop = lambda: as_postgres("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")  # noqa: E731
    start()
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/sp_topo_fault", stop, start
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            stop()
        shutil.rmtree(folder, ignore_errors=True)


def fault_postgres_restart(args: argparse.Namespace) -> str:
    from datetime import UTC, datetime

    with private_postgres() as (database_url, stop, start):
        since = datetime.now(UTC)
        with Topology(
            database_url=database_url, redis_url=args.redis_url, workers=1, extra_env=FAST_SWEEP
        ) as topology:
            api = member(topology)
            job_ids = [create_scene(api)[1]]
            api.wait_job(job_ids[0], 120, done={"processing", *TERMINAL})
            reader = Api(topology.base_url)
            statuses: dict[int, int] = {}
            codes: set[str] = set()
            stop_at = time.monotonic()
            stop()
            down = time.monotonic()
            while time.monotonic() - down < args.seconds:
                reader = Api(topology.base_url)  # a new visitor: the anonymous limit is per address
                for path in ("/api/v1/topics", "/api/v1/scenes", "/api/v1/ideas"):
                    response = reader.get(path, timeout=30)
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                    if response.status >= 500 and isinstance(response.body, dict):
                        codes.add(str(response.body.get("error", {}).get("code")))
                    check(
                        response.status != 500,
                        f"GET {path} during the outage: 500 {response.body or response.raw[:300]}",
                    )
                time.sleep(0.2)
            start()
            print(f"outage {time.monotonic() - stop_at:.1f} s: answers {statuses}, codes {codes}")
            check(statuses.get(503, 0) > 0, f"no 503 during the outage: {statuses}")
            check(codes <= {"SERVICE_UNAVAILABLE"}, f"5xx codes other than 503's: {codes}")
            recovered = wait_until(
                lambda: Api(topology.base_url).get("/api/v1/topics").status == 200,
                60,
                "reads after restart",
            )
            check(bool(recovered), "reads did not recover")
            job_ids.append(create_scene(api)[1])
            final_checks(topology, since, job_ids)
    return (
        f"PostgreSQL down {args.seconds:.0f} s: {statuses.get(503, 0)} answers 503 "
        "SERVICE_UNAVAILABLE, 0 answers 500; workers recovered, no job lost or stuck"
    )


# --- Redis restart --------------------------------------------------------------------------


def fault_redis_restart(args: argparse.Namespace) -> str:
    from datetime import UTC, datetime

    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="sp_topo_redis-"))
    argv = [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(folder),
        "--daemonize",
        "no",
    ]
    redis = subprocess.Popen(argv, stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(0.5)
        since = datetime.now(UTC)
        with Topology(
            database_url=args.database_url,
            redis_url=f"redis://127.0.0.1:{port}/0",
            workers=1,
            extra_env=FAST_SWEEP,
        ) as topology:
            api = member(topology)
            assert api.token
            scene_id, first = create_scene(api)
            follower = JobFollower(topology.ws_url, first, api.token).start()
            api.wait_job(first, 120, done={"processing", *TERMINAL})
            redis.send_signal(signal.SIGKILL)
            redis.wait()
            reader = Api(topology.base_url)
            statuses: dict[int, int] = {}
            down = time.monotonic()
            while time.monotonic() - down < args.seconds:
                reader = Api(topology.base_url)
                response = reader.get("/api/v1/topics", timeout=30)
                statuses[response.status] = statuses.get(response.status, 0) + 1
                check(
                    response.status != 500,
                    f"GET /topics with Redis down: 500 {response.raw[:300]!r}",
                )
                time.sleep(0.2)
            redis = subprocess.Popen(argv, stdout=subprocess.DEVNULL, start_new_session=True)
            back = time.monotonic()
            wait_until(
                lambda: reader.get("/api/v1/topics").status == 200, 60, "reads after restart"
            )
            window = time.monotonic() - back
            # A job queued after the restart runs; the follower of the first caught up.
            job = api.wait_job(first, 240)
            events = follower.wait(120)
            follower.check_order()
            check(
                events and events[-1]["type"] in ("job_complete", "job_failed"),
                f"the follower did not see the first job end: {[e.get('type') for e in events]}",
            )
            version = api.get(f"/api/v1/scenes/{scene_id}").data["bibleVersion"]
            second = api.post(
                f"/api/v1/scenes/{scene_id}/continue",
                {
                    "continuationText": "Maya called the crew to the bridge and read the warning.",
                    "bibleVersion": version,
                },
            )
            check(
                second.status == 202, f"continue after the restart: {second.status} {second.body}"
            )
            job_ids = [first, second.data["job"]["id"]]
            final_checks(topology, since, job_ids)
            print(
                f"Redis down {args.seconds:.0f} s: answers {statuses}; 200 again {window:.1f} s "
                f"after restart; first job {job['status']}, follower reconnected "
                f"{follower.reconnects} times"
            )
    finally:
        with contextlib.suppress(ProcessLookupError):
            redis.send_signal(signal.SIGTERM)
        redis.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    return f"Redis restarted: no 500, follower caught up in order, later jobs ran ({statuses})"


# --- S3 unreachable -------------------------------------------------------------------------


class Gate:
    """A TCP proxy in front of the S3 server that can refuse connections (the S3 server
    unreachable) and let them through again; moto keeps its bucket meanwhile."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.open = True
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.open:
            writer.transport.abort()  # reset: as a host that refuses
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    if not self.open:
                        break
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", self.port), self._loop
        ).result(10)


def fault_s3_outage(args: argparse.Namespace) -> str:
    from datetime import UTC, datetime

    import psycopg

    since = datetime.now(UTC)
    topology = Topology(
        database_url=args.database_url, redis_url=args.redis_url, workers=1, extra_env=FAST_SWEEP
    )
    # The app reaches S3 through the gate; the gate reaches moto.
    original_start_s3 = topology.start_s3

    def start_s3_behind_gate() -> None:
        original_start_s3()
        gate = Gate(topology.s3_port)
        gate.start()
        topology.env["AWS_S3_ENDPOINT_URL"] = f"http://127.0.0.1:{gate.port}"
        topology.gate = gate  # type: ignore[attr-defined]

    topology.start_s3 = start_s3_behind_gate  # type: ignore[method-assign]
    with topology:
        gate: Gate = topology.gate  # type: ignore[attr-defined]
        api = member(topology)
        job_ids = []
        gate.open = False
        down = time.monotonic()
        # Jobs started during the outage: each must fail cleanly or finish (retry), never
        # leave a row that points to a missing file.
        for _ in range(2):
            job_ids.append(create_scene(api)[1])
        health = topology.health()[0]
        while time.monotonic() - down < args.seconds:
            time.sleep(0.5)
        gate.open = True
        job_ids.append(create_scene(api)[1])
        outcome = final_checks(topology, since, job_ids, drain=240)
        # Every stored file name of the run's segments exists in the bucket.
        import boto3

        s3 = boto3.client(
            "s3",
            endpoint_url=topology.s3_url,
            aws_access_key_id="storyplatform",
            aws_secret_access_key="change-me-minio-secret",
            region_name="us-east-1",
        )
        keys = {
            o["Key"]
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket="storyplatform")
            for o in page.get("Contents", [])
        }
        url = topology.database_url.replace("postgres://", "postgresql://", 1)
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "SELECT video_file, hls_file, thumbnail_file, poster_file FROM scenes_segment"
            ).fetchall()
        missing = [name for row in rows for name in row if name and name not in keys]
        check(not missing, f"rows point to files not in S3: {missing[:5]}")
        print(
            f"S3 unreachable {args.seconds:.0f} s; health during it: {health}; "
            f"jobs {outcome['statuses']}"
        )
    return (
        f"S3 unreachable {args.seconds:.0f} s: jobs failed cleanly or finished, "
        "no row points to a missing file"
    )


# --- Disk full ------------------------------------------------------------------------------


def fault_disk_full(args: argparse.Namespace) -> str:
    from datetime import UTC, datetime

    folder = Path(tempfile.mkdtemp(prefix="sp_topo_full-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], check=True)
    try:
        since = datetime.now(UTC)
        with Topology(
            database_url=args.database_url,
            redis_url=args.redis_url,
            workers=1,
            extra_env={
                **FAST_SWEEP,
                "JOB_WORKDIR": str(folder),
                "SCENE_RENDER_WIDTH": "640",
                "SCENE_RENDER_HEIGHT": "360",
            },
        ) as topology:
            api = member(topology)
            _, job_id = create_scene(api)
            job = api.wait_job(job_id, 240)
            print(f"job {job_id}: {job['status']}: {job['error']}")
            check(job["status"] == "failed", f"the job on a full disk ended {job['status']}")
            error = str(job["error"]).lower()
            check(
                "space" in error or "disk" in error,
                f"the error does not say the disk is full: {job['error']}",
            )
            left = [str(p) for p in folder.rglob("*") if p.is_file()]
            check(not left, f"partial files left in JOB_WORKDIR: {left[:5]}")
            final_checks(topology, since, [job_id])
    finally:
        subprocess.run(["umount", str(folder)], check=False)
        shutil.rmtree(folder, ignore_errors=True)
    return "disk full while rendering: the job failed with a clear error, no partial file left"


# --- Slow clients ---------------------------------------------------------------------------


def fault_slow_clients(args: argparse.Namespace) -> str:
    from bench.jobs_events import raise_fd_limit

    raise_fd_limit(args.idle + args.slow + 200)
    with Topology(
        database_url=args.database_url, redis_url=args.redis_url, workers=1, extra_env=FAST_SWEEP
    ) as topology:
        api = member(topology)
        assert api.token
        token = api.token
        scene_id, job_id = create_scene(api)

        async def run() -> dict[str, Any]:
            import websockets

            url = f"{topology.ws_url}/ws"
            idle = []
            for _ in range(args.idle):
                idle.append(await websockets.connect(url, open_timeout=60, max_queue=1))
            slow = []
            for _ in range(args.slow):
                # Subscribed to the member's events, and never reading: the outbox limit
                # must close them, not slow the others.
                ws = await websockets.connect(
                    f"{topology.ws_url}/ws/jobs/{job_id}?token={token}",
                    open_timeout=60,
                    max_queue=1,
                    read_limit=2**10,
                )
                ws.transport.pause_reading() if hasattr(ws, "transport") else None
                slow.append(ws)
            t0 = time.monotonic()
            async with websockets.connect(
                f"{topology.ws_url}/ws/jobs/{job_id}?token={token}"
            ) as ws:
                kinds = []
                while True:
                    message = await asyncio.wait_for(ws.recv(), 240)
                    import json

                    kind = json.loads(message).get("type")
                    kinds.append(kind)
                    if kind in ("job_complete", "job_failed"):
                        break
            elapsed = time.monotonic() - t0
            for ws in idle + slow:
                with contextlib.suppress(Exception):
                    await ws.close()
            return {"elapsed": elapsed, "kinds": kinds}

        result = asyncio.run(run())
        job = api.job(job_id)
        check(result["kinds"][-1] == "job_complete", f"the normal follower saw {result['kinds']}")
        check(job["status"] == "completed", f"job ended {job['status']}")
        del scene_id
    return (
        f"{args.idle} idle + {args.slow} slow sockets: a normal follower got every event to "
        f"job_complete ({result['elapsed']:.1f} s from subscribe)"
    )


FAULTS = {
    "kill-workers": fault_kill_workers,
    "postgres-restart": fault_postgres_restart,
    "redis-restart": fault_redis_restart,
    "s3-outage": fault_s3_outage,
    "disk-full": fault_disk_full,
    "slow-clients": fault_slow_clients,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("fault", choices=sorted(FAULTS))
    parser.add_argument(
        "--database-url", default=DEFAULT_DATABASE_URL.replace("sp_topo", "sp_topo_faults")
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--slow", type=int, default=200)
    args = parser.parse_args(argv)
    socket.setdefaulttimeout(120)
    started = time.monotonic()
    try:
        outcome = FAULTS[args.fault](args)
    except Failed as exc:
        print(f"FAILED: {args.fault}: {exc}")
        return 1
    print(f"OK: {args.fault} ({time.monotonic() - started:.0f} s): {outcome}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
