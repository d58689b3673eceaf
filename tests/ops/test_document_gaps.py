"""StoryCore's GET /jobs/:id: its latest `logs` and its `projectName`."""

from __future__ import annotations

import pytest

from jobs.models import Job, JobLog, JobStatus
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_a_job_shows_its_project_name_and_latest_log_lines(user, user_api):
    project = ProjectFactory(owner=user, title="The Lighthouse")
    job = Job.objects.create(
        type="text_generation", owner=user, status=JobStatus.QUEUED, project_id=project.pk
    )
    for i in range(25):
        JobLog.objects.create(job=job, message=f"line {i}")
    data = user_api.get(f"/api/v1/jobs/{job.pk}").json()["data"]
    assert data["projectName"] == "The Lighthouse"
    # The latest 20 lines, oldest first, in the job log's shape.
    assert [line["message"] for line in data["logs"]] == [f"line {i}" for i in range(5, 25)]
    assert set(data["logs"][0]) == {"timestamp", "level", "message", "details"}


def test_a_job_without_a_project_has_no_project_name(user, user_api):
    job = Job.objects.create(type="text_generation", owner=user, status=JobStatus.QUEUED)
    data = user_api.get(f"/api/v1/jobs/{job.pk}").json()["data"]
    assert data["projectName"] is None and data["logs"] == []
    listed = user_api.get("/api/v1/jobs").json()["data"][0]
    assert "logs" not in listed and listed["projectName"] is None


def test_the_template_list_allows_100_requests_an_hour(client_for, settings):
    from tests.config.test_conventions import assert_error
    from tests.factories import UserFactory

    # A pro user (1,000 an hour) and no per-minute limit: only the endpoint's own limit bites.
    settings.RATELIMIT_PER_MINUTE = 0
    user_api = client_for(UserFactory(plan="pro"))
    for _ in range(100):
        assert user_api.get("/api/v1/templates").status_code == 200
    response = user_api.get("/api/v1/templates")
    body = assert_error(response, 429, "RATE_LIMITED")
    assert "template" in body["error"]["message"]
    assert int(response["Retry-After"]) > 0


def test_a_user_is_limited_per_minute_alongside_the_hourly_plan_limit(user_api, settings):
    from tests.config.test_conventions import assert_error

    settings.RATELIMIT_PER_MINUTE = 3
    for _ in range(3):
        assert user_api.get("/api/v1/jobs").status_code == 200
    response = user_api.get("/api/v1/jobs")
    body = assert_error(response, 429, "RATE_LIMITED")
    assert "per minute" in body["error"]["message"]
    assert 0 < int(response["Retry-After"]) <= 60
    # The hourly count goes on: its headers are still there and not exhausted.
    assert int(response["X-RateLimit-Remaining"]) > 0


def test_ai_model_entries_carry_created_at_and_updated_at(user_api):
    from datetime import datetime

    entries = user_api.get("/api/v1/ai/models?limit=100").json()["data"]
    assert entries
    for entry in entries:
        created = datetime.fromisoformat(entry["createdAt"].replace("Z", "+00:00"))
        updated = datetime.fromisoformat(entry["updatedAt"].replace("Z", "+00:00"))
        assert created <= updated
    detail = user_api.get(f"/api/v1/ai/models/{entries[0]['id']}").json()["data"]
    assert detail["createdAt"] == entries[0]["createdAt"]
