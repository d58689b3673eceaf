"""Benchmark: GET /ideas in each sort on a large catalog, and GET /ideas/:id (issue 5).

Builds a throw-away test database (the configured engine: SQLite by default, PostgreSQL with
DATABASE_URL), fills it with `--ideas` approved ideas (default 10,000) over 10 topics, each
with two tags and `--activity` hourly activity rows spread over the last week (likes and
views), then times, `--reps` times each: the first page and a deep page (page 50) of
`newest`, `popular` and `trending` at limit 20, and one idea's detail (its view is buffered,
not written). Prints medians in milliseconds, the query count of each request and
/proc/loadavg before and after, as JSON.

    DATA_DIR=/tmp/bench .venv/bin/python bench/catalog_lists.py [--ideas 10000 --activity 10
                                                                  --reps 15]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ideas", type=int, default=10_000)
    parser.add_argument("--activity", type=int, default=10, help="hourly rows per idea")
    parser.add_argument("--reps", type=int, default=15)
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
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from accounts.models import User
        from catalog.models import Activity, Idea, IdeaTag, Topic, hour_of

        rng = random.Random(5)  # noqa: S311  (deterministic test data)
        author = User.objects.create_user("bench@example.com", None, username="bench")
        topics = [
            Topic.objects.create(name=f"T{n}", slug=f"t{n}", status="approved") for n in range(10)
        ]
        now = timezone.now()
        ideas = [
            Idea(
                title=f"Idea {n}",
                prompt="A premise",
                topic=topics[n % 10],
                author=author,
                moderation_status="approved",
                like_count=rng.randint(0, 500),
                view_count=rng.randint(0, 5000),
                created_at=now - timezone.timedelta(minutes=n),
            )
            for n in range(args.ideas)
        ]
        Idea.objects.bulk_create(ideas, batch_size=2000)
        IdeaTag.objects.bulk_create(
            [
                IdeaTag(idea=i, name=f"tag{k % 50}", position=p)
                for k, i in enumerate(ideas)
                for p in range(1)
            ]
            + [IdeaTag(idea=i, name="common", position=1) for i in ideas],
            batch_size=5000,
        )
        now_hour = hour_of(now)
        rows = {}
        for idea in ideas:
            for hour in rng.sample(range(7 * 24), k=min(args.activity, 7 * 24)):
                rows[(idea.pk, hour)] = Activity(
                    target_type="idea",
                    target_id=idea.pk,
                    hour=now_hour - hour,
                    likes=rng.randint(0, 3),
                    views=rng.randint(0, 30),
                )
        Activity.objects.bulk_create(rows.values(), batch_size=5000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # as autovacuum would, before the planner guesses
                cursor.execute("ANALYZE")

        client = APIClient()
        results: dict[str, Any] = {
            "database": connection.vendor,
            "ideas": args.ideas,
            "activity_rows": len(rows),
            "loadavg_before": loadavg(),
        }
        cases = [
            (f"{sort} page {page}", "/api/v1/ideas", {"sort": sort, "page": page, "limit": 20})
            for sort in ("newest", "popular", "trending")
            for page in (1, 50)
        ]
        cases.append(
            ("tags=common trending", "/api/v1/ideas", {"tags": "common", "sort": "trending"})
        )
        cases.append(("detail", f"/api/v1/ideas/{ideas[0].pk}", {}))
        for name, path, params in cases:
            timings = []
            for _ in range(args.reps):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(path, params)
                    timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.content
            results[name] = {
                "median_ms": round(statistics.median(timings), 1),
                "queries": len(queries),
            }
        results["loadavg_after"] = loadavg()
        print(json.dumps(results, indent=2))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
