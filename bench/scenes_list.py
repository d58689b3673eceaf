"""Benchmark: GET /scenes?limit=50 against a bare `.values()` + JsonResponse of the same rows
(issue 5; goal: the API at least 0.7x the bare view's throughput).

Builds a throw-away test database (the configured engine: SQLite by default, PostgreSQL with
DATABASE_URL), fills it with `--scenes` scenes (default 2,000) over 10 topics and 100 ideas,
with counters and a thumbnail each, then times `--reps` requests of each, interleaved, through
the same Django test client, middleware and URL resolver:

- `api`: GET /api/v1/scenes?limit=50 (every sort), as an anonymous reader and as a signed-in
  one (whose `isLiked` is one more subquery);
- `bare`: a view mounted only for this benchmark that returns the same 50 rows (same filter,
  order and columns, the idea, topic and creator joined) as `list(qs.values(...))` in a
  JsonResponse: no serializer, no envelope, no signed URLs, no count for the page meta.

Prints medians in milliseconds, requests per second, the ratio bare/api (the API's share of
the bare view's throughput), the same ratio on this process's CPU time (steadier on a busy
machine), the query counts and /proc/loadavg before and after, as JSON.

    DATA_DIR=/tmp/bench .venv/bin/python bench/scenes_list.py [--scenes 2000 --reps 300]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BARE_PATH = "/api/v1/bench/scenes-values"


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def bare_scenes(request: Any) -> Any:
    """The baseline: the same page of rows, straight from `.values()` into JSON."""
    from django.http import JsonResponse

    from moderation.choices import ModerationStatus
    from scenes.models import Scene
    from scenes.selectors import LIST_FIELDS  # the API's own columns

    rows = (
        Scene.objects.exclude(moderation_status=ModerationStatus.REMOVED)
        .order_by("-created_at", "-pk")
        .values(*LIST_FIELDS)[:50]
    )
    return JsonResponse({"data": list(rows)})


def urlpatterns_with_bare() -> list[Any]:
    from django.urls import path

    from config.urls import urlpatterns

    return [path(BARE_PATH.strip("/"), bare_scenes), *urlpatterns]


urlpatterns: list[Any] = []  # filled in main(), when this module is the ROOT_URLCONF


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenes", type=int, default=2_000)
    parser.add_argument("--reps", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone
    from rest_framework.test import APIClient

    setup_test_environment()
    settings.RATELIMIT_ENABLE = False
    settings.DEBUG = False
    urlpatterns[:] = urlpatterns_with_bare()
    settings.ROOT_URLCONF = __name__ if __name__ != "__main__" else "bench.scenes_list"
    sys.modules.setdefault("bench.scenes_list", sys.modules[__name__])
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from accounts.models import User
        from accounts.tokens import issue_token_pair
        from catalog.models import Idea, Topic
        from scenes.models import Scene

        rng = random.Random(5)  # noqa: S311  (deterministic test data)
        users = [
            User.objects.create_user(f"b{n}@example.com", None, username=f"bench{n}")
            for n in range(20)
        ]
        topics = [
            Topic.objects.create(name=f"T{n}", slug=f"t{n}", status="approved") for n in range(10)
        ]
        ideas = Idea.objects.bulk_create(
            Idea(
                title=f"Idea {n}",
                prompt="A premise " * 50,
                topic=topics[n % 10],
                author=users[n % 20],
                moderation_status="approved",
            )
            for n in range(100)
        )
        now = timezone.now()
        Scene.objects.bulk_create(
            (
                Scene(
                    title=f"Scene {n}",
                    description="Following the mysterious transmission...",
                    idea=ideas[n % 100],
                    topic_id=ideas[n % 100].topic_id,
                    creator=users[n % 20],
                    initial_script="Captain Maya Chen stared at the flickering display. " * 20,
                    segment_count=rng.randint(1, 30),
                    total_duration=rng.uniform(10, 900),
                    contributor_count=rng.randint(1, 8),
                    thumbnail_file=f"users/u/jobs/job_{n}/thumbnail.jpg",
                    like_count=rng.randint(0, 500),
                    view_count=rng.randint(0, 5000),
                    last_segment_at=now,
                    created_at=now - timedelta(minutes=n),
                )
                for n in range(args.scenes)
            ),
            batch_size=1000,
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        anonymous = APIClient()
        signed_in = APIClient()
        signed_in.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token_pair(users[0]).access}")
        cases: dict[str, tuple[APIClient, str, dict[str, Any]]] = {
            "bare": (anonymous, BARE_PATH, {}),
            "api recent": (anonymous, "/api/v1/scenes", {"limit": 50}),
            "api popular": (anonymous, "/api/v1/scenes", {"limit": 50, "sort": "popular"}),
            "api longest": (anonymous, "/api/v1/scenes", {"limit": 50, "sort": "longest"}),
            "api recent signed in": (signed_in, "/api/v1/scenes", {"limit": 50}),
        }
        timings: dict[str, list[float]] = {name: [] for name in cases}
        cpu: dict[str, list[float]] = {name: [] for name in cases}
        queries: dict[str, int] = {}
        for name, (client, path, params) in cases.items():  # warm up, check, count queries
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path, params)
            assert response.status_code == 200, response.content
            assert len(response.json()["data"]) == 50
            queries[name] = len(captured)
        results: dict[str, Any] = {
            "database": connection.vendor,
            "scenes": args.scenes,
            "reps": args.reps,
            "loadavg_before": loadavg(),
        }
        for _ in range(args.reps):  # interleaved, so load changes hit every case alike
            for name, (client, path, params) in cases.items():
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(path, params)
                timings[name].append((time.perf_counter() - start) * 1000)
                cpu[name].append((time.process_time() - start_cpu) * 1000)
        bare = statistics.median(timings["bare"])
        bare_cpu = statistics.mean(cpu["bare"])
        for name, values in timings.items():
            median = statistics.median(values)
            cpu_mean = statistics.mean(cpu[name])
            results[name] = {
                "median_ms": round(median, 2),
                "p90_ms": round(statistics.quantiles(values, n=10)[-1], 2),
                "requests_per_s": round(1000 / median, 1),
                "share_of_bare": round(bare / median, 2),
                # This process's CPU time (the database server's is not in it on PostgreSQL):
                # steadier than wall time on a busy machine.
                "cpu_ms": round(cpu_mean, 2),
                "cpu_share_of_bare": round(bare_cpu / cpu_mean, 2),
                "queries": queries[name],
            }
        results["loadavg_after"] = loadavg()
        print(json.dumps(results, indent=2))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
