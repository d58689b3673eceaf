"""Benchmark: how long a job's progress step waits for PostgreSQL (jobs issue 3).

A worker's progress step (`jobs.engine.JobRunner.report`) writes the stage's progress, the
job row and the event, and sends the event once that commits. Since `config.db.
progress_transaction` its COMMIT does not wait for the write-ahead log to reach the disk. This
script times, side by side on one job and alternating step by step:

- **progress step**: `JobRunner.report` as the worker calls it;
- **synchronous commit**: the same call inside `transaction.atomic()`, so that its writes
  commit in the outer transaction, which waits for the WAL flush as state changes do.

Each is timed from the call until it is done: committed, and the event sent (the `on_commit`
callbacks run as the transaction ends). Two phases: a quiet disk, then a disk kept busy by
another process that writes 64 MiB and fsyncs it, over and over, on the database's file system
(`--io-dir`), as a checkpoint or another tenant of a shared volume does. The publish step's
own stalls in bench/jobs_events.py (40-80 ms commits in a round or two, docs/benchmarks.md)
looked like the second case.

    .venv/bin/python bench/progress_commit.py --steps 400

Needs PostgreSQL on loopback; the database `storyplatform_bench` is dropped and recreated.
No channel layer: the events are stored and handed to an empty in-memory layer.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.jobs_events import (  # noqa: E402 (after the path set-up above)
    DB_NAME,
    database_url_for,
    held_job,
    recreate_database,
    require_loopback,
    summary,
)

VARIANTS = ("progress step", "synchronous commit")


def _disk_writer(directory: str, stop: Any) -> None:
    """Write 64 MiB and fsync it, over and over until told to stop, in `directory`."""
    block = os.urandom(4 << 20)
    with tempfile.NamedTemporaryFile(dir=directory, prefix="bench-io-") as handle:
        while not stop.is_set():
            handle.seek(0)
            for _ in range(16):  # 64 MiB, then one fsync: a checkpoint's burst
                handle.write(block)
            handle.flush()
            os.fsync(handle.fileno())


def measure(steps: int) -> dict[str, list[float]]:
    from django.db import transaction

    from accounts.models import User

    user = User.objects.get_or_create(email="bench-commit@example.com", username="benchcommit")[0]
    runner, stage = held_job(user, "bench")
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for step in range(steps * len(VARIANTS)):
        variant = VARIANTS[step % len(VARIANTS)]
        fraction = (step % 100) / 100
        start = time.perf_counter()
        if variant == "progress step":
            runner.report(stage, fraction, f"step {step}")
        else:
            with transaction.atomic():  # report's writes commit here, synchronously
                runner.report(stage, fraction, f"step {step}")
        times[variant].append((time.perf_counter() - start) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=400, help="steps per variant and phase")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--io-dir",
        default="/var/lib/postgresql",
        help="where the disk writer writes (a folder on the database's file system)",
    )
    args = parser.parse_args(argv)
    require_loopback(args.database_url, "--database-url")
    with tempfile.TemporaryDirectory(prefix="bench-progress-commit-") as data_dir:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=database_url_for(args.database_url, DB_NAME),
            DATA_DIR=data_dir,
            LOG_LEVEL="WARNING",
        )
        os.environ.pop("REDIS_URL", None)
        recreate_database(args.database_url)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            default = cursor.fetchone()[0]
        print(f"PostgreSQL synchronous_commit (server default): {default}")
        measure(20)  # warm-up: connections, caches
        phases = {"quiet disk": measure(args.steps)}
        stop = multiprocessing.Event()
        writer = multiprocessing.Process(target=_disk_writer, args=(args.io_dir, stop))
        writer.start()
        try:
            time.sleep(1)
            phases["disk busy (fsync writer)"] = measure(args.steps)
        finally:
            stop.set()
            writer.join(30)
            if writer.is_alive():
                writer.kill()
    print("\nTime from the call until it is committed and its event sent (ms)\n")
    print("| disk | commit | n | p50 | p95 | p99 | max |")
    print("|---|---|---|---|---|---|---|")
    for phase, times in phases.items():
        for variant, values in times.items():
            s = summary(values)
            print(
                f"| {phase} | {variant} | {s['n']} | {s['p50']:.2f} | {s['p95']:.2f} | "
                f"{s['p99']:.2f} | {s['max']:.2f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
