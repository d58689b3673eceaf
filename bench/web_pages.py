"""Benchmark: the server-rendered browser pages, p50/p95 per page (issue 16: p95 < 100 ms on
2 cores with the demo catalog).

Builds a throw-away test database (SQLite by default, PostgreSQL with DATABASE_URL), loads
the demo catalog (`load_demo_catalog`: its topics, categories and ideas) and adds `--scenes`
scenes (default 200) spread over its ideas, each with `--segments` segments (default 4) and
three bible versions, so that the lists, the scene page and the bible have realistic rows.
Then requests every page `--reps` times (default 100) through Django's full request cycle
(middleware, session, templates; Django's test client, in process: no network; templates
render as in production, without the test environment's instrumentation), anonymous
and signed in, and prints per page the median and 95th percentile in milliseconds, the query
count and /proc/loadavg before and after, as JSON. Pin it to two cores with `taskset -c 0,1`.

    DATA_DIR=/tmp/bench taskset -c 0,1 .venv/bin/python bench/web_pages.py [--reps 100]
"""

from __future__ import annotations

import argparse
import io
import json
import os
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


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenes", type=int, default=200)
    parser.add_argument("--segments", type=int, default=4)
    parser.add_argument("--reps", type=int, default=100)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    setup_test_environment()
    # The test environment instruments template rendering so that tests can read each
    # template's context: a copy of every context at every render, which a served page does
    # not pay (it took a third of the time of a list page). Render as production does.
    from django.template import Template
    from django.test.utils import _TestState

    Template._render = _TestState.saved_data.template_render  # type: ignore[attr-defined, method-assign]
    settings.RATELIMIT_ENABLE = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        from accounts.models import User
        from catalog.models import Idea
        from jobs.models import Job
        from projects.models import Project
        from scenes.models import BibleVersion, Scene, Segment
        from tests.scenes.factories import BIBLE

        call_command("load_demo_catalog", verbosity=0, stdout=io.StringIO())
        writer = User.objects.create_user("bench@example.com", "x", username="bench")
        ideas = list(Idea.objects.filter(moderation_status="approved"))
        now = timezone.now()
        scenes = Scene.objects.bulk_create(
            Scene(
                title=f"Scene {n}",
                idea=ideas[n % len(ideas)],
                topic_id=ideas[n % len(ideas)].topic_id,
                creator=writer,
                initial_script="Captain Maya Chen stared at the display.",
                bible_version=3,
                segment_count=args.segments,
                total_duration=12.0 * args.segments,
                contributor_count=1,
                thumbnail_file=f"scenes/{n}/thumb.jpg",
                like_count=n % 37,
                view_count=n * 3,
                created_at=now - timezone.timedelta(minutes=n),
            )
            for n in range(args.scenes)
        )
        Segment.objects.bulk_create(
            Segment(
                scene=scene,
                sequence=k + 1,
                contributor=writer,
                text="Maya decoded the message. " * 8,
                bible_version=min(k + 1, 3),
                duration=12.0,
                width=1280,
                height=720,
                video_file=f"scenes/{scene.pk}/{k}/video.mp4",
                hls_file=f"scenes/{scene.pk}/{k}/master.m3u8",
                thumbnail_file=f"scenes/{scene.pk}/{k}/thumb.jpg",
            )
            for scene in scenes
            for k in range(args.segments)
        )
        BibleVersion.objects.bulk_create(
            BibleVersion(scene=scene, version=v, content=BIBLE, created_by=writer)
            for scene in scenes
            for v in (1, 2, 3)
        )
        job = Job.objects.create(type="scene_creation", owner=writer, scene_id=scenes[0].pk)
        project = Project.objects.create(title="Pilot", owner=writer)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        scene, idea = scenes[0], ideas[0]
        public = [
            ("home", "/"),
            ("browse", "/browse/"),
            ("topic", f"/topics/{idea.topic_id}/"),
            ("ideas", "/ideas/"),
            ("ideas trending", "/ideas/?sort=trending"),
            ("idea", f"/ideas/{idea.pk}/"),
            ("scenes", "/scenes/"),
            ("scene", f"/scenes/{scene.pk}/"),
            ("bible", f"/scenes/{scene.pk}/bible/"),
            ("signin", "/signin/"),
        ]
        private = [
            ("home (signed in)", "/"),
            ("scene (signed in)", f"/scenes/{scene.pk}/"),
            ("continue", f"/scenes/{scene.pk}/continue/"),
            ("my work", "/my/"),
            ("jobs", "/my/jobs/"),
            ("job", f"/my/jobs/{job.pk}/"),
            ("project", f"/my/projects/{project.pk}/"),
            ("profile", "/account/"),
        ]
        anonymous, member = Client(), Client()
        member.force_login(writer)
        results: dict[str, Any] = {
            "database": connection.vendor,
            "scenes": args.scenes,
            "segments_per_scene": args.segments,
            "reps": args.reps,
            "loadavg_before": loadavg(),
            "pages": {},
        }
        for client, cases in ((anonymous, public), (member, private)):
            for name, path in cases:
                client.get(path)  # warm: templates compiled, caches filled
                timings = []
                for _ in range(args.reps):
                    with CaptureQueriesContext(connection) as queries:
                        start = time.perf_counter()
                        response = client.get(path)
                        timings.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, (path, response.status_code)
                results["pages"][name] = {
                    "p50_ms": round(statistics.median(timings), 1),
                    "p95_ms": round(p95(timings), 1),
                    "queries": len(queries),
                }
        results["worst_p95_ms"] = max(page["p95_ms"] for page in results["pages"].values())
        results["loadavg_after"] = loadavg()
        print(json.dumps(results, indent=2))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
