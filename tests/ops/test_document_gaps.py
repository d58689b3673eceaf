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
