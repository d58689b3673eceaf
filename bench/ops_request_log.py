"""What recording every API request costs (docs/benchmarks.md, "Operations").

Measures, in one process:
1. a request's time through the whole middleware stack with the request log on and off
   (an unknown /api/ path: no view work, so the difference is the recording itself);
2. the buffer's push (one per request) and a flush's bulk write, entries per second.

    DATABASE_URL=... REDIS_URL=... python bench/ops_request_log.py --requests 2000
(migrate the database first; without REDIS_URL the buffer is the process's own list.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("RATELIMIT_ENABLE", "false")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from ops import buffer, services
    from ops.models import LogEntry

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    client = Client()

    def per_request(enabled: bool) -> float:
        settings.OPS_REQUEST_LOG = enabled
        started = time.perf_counter()
        for _ in range(args.requests):
            client.get("/api/v1/no-such-endpoint")
        return (time.perf_counter() - started) / args.requests * 1e6

    services.logs_flush()
    client.get("/api/v1/no-such-endpoint")  # warm up
    off, on = [], []
    for _ in range(args.rounds):
        off.append(per_request(False))
        on.append(per_request(True))
    waiting = buffer.size()
    started = time.perf_counter()
    written = services.logs_flush()
    flush_s = time.perf_counter() - started
    LogEntry.objects.filter(details__path="/api/v1/no-such-endpoint").delete()

    entry = {"timestamp": "2026-01-01T00:00:00+00:00", "level": "info", "message": "x" * 40}
    started = time.perf_counter()
    for _ in range(args.requests):
        buffer.push(entry)
    push_us = (time.perf_counter() - started) / args.requests * 1e6
    buffer.drain(args.requests)

    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cache = "redis" if settings.REDIS_URL else "process list"
    print(f"database {db}, buffer {cache}, {args.requests} requests x {args.rounds} rounds")
    print(f"request, log off: median {statistics.median(off):.0f} us")
    print(
        f"request, log on:  median {statistics.median(on):.0f} us "
        f"(+{statistics.median(on) - statistics.median(off):.0f} us)"
    )
    print(f"buffer push: {push_us:.1f} us per entry")
    print(
        f"flush: {written} of {waiting} entries in {flush_s * 1000:.0f} ms "
        f"({written / flush_s:.0f} entries/s)"
    )


if __name__ == "__main__":
    main()
