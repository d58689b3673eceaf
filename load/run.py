"""`make load`: start the topology, run locust against it, count lost and stuck jobs.

    python load/run.py --users 50 --time 60          # `make load`
    python load/run.py --users 200 --time 300        # the full run (issue 19)

The last line printed is `N requests, E errors, L lost jobs, S stuck jobs`:
- requests and errors: locust's totals (HTTP and the WebSocket followers; an error is a
  failed request: a 4xx the mix does not expect, any 5xx, a follower that saw no terminal
  event or saw events out of order);
- lost: a job the API accepted (202/201 with its id) that the database does not have, or that
  ended `failed` because its worker was lost;
- stuck: a job of the run that is neither finished nor running with a live heartbeat once the
  run has drained (LOAD_DRAIN seconds for queued work to finish).
Exit status 1 when any of E, L, S is not 0.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from load.topology import DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, Topology  # noqa: E402

TERMINAL = ("completed", "failed", "cancelled", "moderation_failed")


def job_outcomes(
    database_url: str, job_ids: list[str], since: datetime, lease_seconds: int
) -> dict[str, Any]:
    """Lost and stuck jobs of the run, read from the database."""
    import psycopg

    url = database_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url, connect_timeout=10) as conn:
        rows = conn.execute(
            "SELECT id, status, error, heartbeat_at, attempts FROM jobs_job WHERE created_at >= %s",
            [since],
        ).fetchall()
    by_id = {row[0]: row for row in rows}
    missing = [job_id for job_id in job_ids if job_id not in by_id]
    worker_lost = [row[0] for row in rows if row[1] == "failed" and "worker" in str(row[2]).lower()]
    live = datetime.now(UTC) - timedelta(seconds=lease_seconds)
    stuck = [
        row[0]
        for row in rows
        if row[1] not in TERMINAL
        and not (row[1] == "processing" and row[3] is not None and row[3] >= live)
    ]
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row[1]] = statuses.get(row[1], 0) + 1
    return {
        "lost": missing + worker_lost,
        "stuck": stuck,
        "statuses": statuses,
        "requeued": sum(1 for row in rows if row[4] > 1),
    }


def locust_totals(csv_prefix: Path) -> dict[str, Any]:
    """The Aggregated row of locust's stats CSV, and the rows per endpoint."""
    rows = list(csv.DictReader((csv_prefix.parent / f"{csv_prefix.name}_stats.csv").open()))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return {"total": total, "rows": [r for r in rows if r["Name"] != "Aggregated"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--time", type=int, default=60, help="seconds of load")
    parser.add_argument("--drain", type=int, default=int(os.environ.get("LOAD_DRAIN", "180")))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--ws-workers", type=int, default=1)
    parser.add_argument("--jobs-per-user", type=int, default=2)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--out", type=Path, help="keep locust's CSVs and the logs here")
    args = parser.parse_args(argv)

    env = {
        "SCENE_RENDER_WIDTH": "320",
        "SCENE_RENDER_HEIGHT": "180",
        "SCENE_RENDER_FPS": "8",
        "JOB_HEARTBEAT_SECONDS": "2",
        "JOB_LEASE_SECONDS": "10",
        "JOB_SWEEP_SECONDS": "5",
    }
    topology = Topology(
        database_url=args.database_url,
        redis_url=args.redis_url,
        workers=args.workers,
        web_workers=args.web_workers,
        ws_workers=args.ws_workers,
        collectstatic=True,
        extra_env=env,
        log_dir=args.out,
        keep_logs=args.out is not None,
    )
    since = datetime.now(UTC)
    with topology:
        assert topology.log_dir is not None
        jobs_file = topology.log_dir / "jobs.txt"
        jobs_file.write_text("")
        csv_prefix = topology.log_dir / "locust"
        print(
            f"topology up: web {topology.base_url}, ws {topology.ws_url}, "
            f"S3 {topology.s3_url}; load: {args.users} users for {args.time} s",
            flush=True,
        )
        locust_env = {
            **os.environ,
            "TOPOLOGY_WS_URL": topology.ws_url,
            "LOAD_JOBS_FILE": str(jobs_file),
            "LOAD_JOBS_PER_USER": str(args.jobs_per_user),
        }
        started = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "load" / "locustfile.py"),
                "--host",
                topology.base_url,
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.time}s",
                "--stop-timeout",
                "30",
                "--csv",
                str(csv_prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=locust_env,
            check=False,
            timeout=args.time + 600,
        )
        load_seconds = time.monotonic() - started
        job_ids = [line for line in jobs_file.read_text().split() if line]
        # Drain: let the accepted jobs finish (or be swept) before counting.
        deadline = time.monotonic() + args.drain
        outcome = job_outcomes(args.database_url, job_ids, since, lease_seconds=10)
        while time.monotonic() < deadline:
            pending = sum(n for s, n in outcome["statuses"].items() if s not in TERMINAL)
            if not pending:
                break
            time.sleep(2)
            outcome = job_outcomes(args.database_url, job_ids, since, lease_seconds=10)
        totals = locust_totals(csv_prefix)
    total = totals["total"]
    requests, errors = int(total["Request Count"]), int(total["Failure Count"])
    print(f"load {load_seconds:.0f} s; jobs: {len(job_ids)} submitted, {outcome['statuses']}")
    print(f"{'endpoint':42} {'n':>6} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6}")
    for row in totals["rows"]:
        print(
            f"{row['Type'] + ' ' + row['Name']:42.42} {row['Request Count']:>6} "
            f"{row['Failure Count']:>5} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
    print(
        f"aggregated: {float(total['Requests/s']):.1f} req/s, p50 {total['50%']} ms, "
        f"p95 {total['95%']} ms, p99 {total['99%']} ms"
    )
    lost, stuck = len(outcome["lost"]), len(outcome["stuck"])
    print(f"{requests} requests, {errors} errors, {lost} lost jobs, {stuck} stuck jobs")
    return 1 if errors or lost or stuck else 0


if __name__ == "__main__":
    raise SystemExit(main())
