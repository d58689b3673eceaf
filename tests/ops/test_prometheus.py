"""GET /api/v1/metrics/prometheus: parses, adds up every process, and is not public."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from jobs.models import Job, JobStatus
from tests.config.test_conventions import assert_error

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

WORKER = textwrap.dedent(
    """
    import os, sys
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    django.setup()
    from ops import prometheus
    count = int(sys.argv[1])
    for _ in range(count):
        prometheus.observe_request(method="GET", route="/api/v1/jobs", status=200, seconds=0.02)
    prometheus.TASKS.labels(task="jobs.tasks.run_job_task", outcome="succeeded").inc(count)
    print(os.getpid())
    """
)


def _families(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def _sample(families: dict, family: str, name: str, **labels: str) -> float:
    for sample in families[family].samples:
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
            return sample.value
    raise AssertionError(f"no {name} {labels}")


def test_the_exposition_adds_up_two_real_processes(api, tmp_path, monkeypatch, user):
    multiproc = tmp_path / "prom"
    multiproc.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(multiproc), "PYTHONPATH": str(ROOT)}
    pids = []
    for count in (3, 4):
        done = subprocess.run(
            [sys.executable, "-c", WORKER, str(count)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        pids.append(int(done.stdout.strip().splitlines()[-1]))
    assert pids[0] != pids[1]
    assert len({p.name for p in multiproc.iterdir()}) >= 2  # one file set per process
    Job.objects.create(type="text", owner=user, status=JobStatus.QUEUED, queue="gpu")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(multiproc))

    response = api.get("/api/v1/metrics/prometheus")  # the test client comes from 127.0.0.1
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    families = _families(response.content.decode())
    latency = "storyforge_http_request_duration_seconds"
    count = _sample(
        families, latency, f"{latency}_count", route="/api/v1/jobs", method="GET", status="200"
    )
    assert count == 7
    total = _sample(families, latency, f"{latency}_sum", route="/api/v1/jobs")
    assert total == pytest.approx(0.14)
    tasks = _sample(
        families,
        "storyforge_celery_tasks",
        "storyforge_celery_tasks_total",
        task="jobs.tasks.run_job_task",
        outcome="succeeded",
    )
    assert tasks == 7
    assert _sample(families, "storyforge_queue_depth", "storyforge_queue_depth", queue="gpu") == 1
    assert (
        _sample(families, "storyforge_jobs", "storyforge_jobs", type="text", status="queued") == 1
    )


def test_the_exposition_in_one_process_holds_its_own_requests(api, monkeypatch, user_api):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    before = _families(api.get("/api/v1/metrics/prometheus").content.decode())
    latency = "storyforge_http_request_duration_seconds"

    def jobs_count(families: dict) -> float:
        try:
            return _sample(families, latency, f"{latency}_count", route="/api/v1/jobs")
        except AssertionError:
            return 0

    user_api.get("/api/v1/jobs")
    after = _families(api.get("/api/v1/metrics/prometheus").content.decode())
    assert jobs_count(after) == jobs_count(before) + 1


def test_without_a_token_only_loopback_and_allowed_networks_scrape(api, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    assert api.get("/api/v1/metrics/prometheus", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert api.get("/api/v1/metrics/prometheus", REMOTE_ADDR="::1").status_code == 200
    assert_error(
        api.get("/api/v1/metrics/prometheus", REMOTE_ADDR="203.0.113.9"), 401, "UNAUTHORIZED"
    )


def test_an_admin_token_scrapes_from_anywhere_and_a_users_token_does_not(
    client_for, admin_user, user_api
):
    admin = client_for(admin_user)
    assert admin.get("/api/v1/metrics/prometheus", REMOTE_ADDR="203.0.113.9").status_code == 200
    # A signed-in non-admin is refused even from loopback.
    assert_error(user_api.get("/api/v1/metrics/prometheus"), 403, "FORBIDDEN")


def test_scrapes_are_not_rate_limited(api):
    response = api.get("/api/v1/metrics/prometheus")
    assert "X-RateLimit-Limit" not in response


def test_the_grafana_dashboard_and_alerts_only_query_metrics_the_exposition_has(api, monkeypatch):
    import json
    import re

    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    families = _families(api.get("/api/v1/metrics/prometheus").content.decode())
    docs = ROOT / "docs" / "monitoring"
    dashboard = json.loads((docs / "grafana-dashboard.json").read_text())
    queries = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    queries.append((docs / "prometheus.yml").read_text())
    used = {name for q in queries for name in re.findall(r"storyforge_\w+", q)}
    assert used
    for name in used:
        family = re.sub(r"_(bucket|count|sum|total)$", "", name)
        assert family in families or name in families, name
