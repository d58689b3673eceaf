"""What the project tests share: paths, small request helpers, running a job."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from jobs import engine
from jobs.models import Job
from projects.models import Project

PROJECTS = "/api/v1/projects"
INVITATIONS = "/api/v1/invitations"


def url(project: Project | str, suffix: str = "") -> str:
    project_id = project if isinstance(project, str) else project.pk
    return f"{PROJECTS}/{project_id}{suffix}"


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["data"]]


def error_fields(body: dict[str, Any]) -> set[str]:
    return {item["field"] for item in body["error"]["details"]}


def born(project: Project, minutes_ago: int) -> Project:
    """Give the project a distinct creation time, so that orderings are deterministic."""
    Project.objects.filter(pk=project.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    project.refresh_from_db()
    return project


def run(job: Job | str) -> Job:
    """Run the job on a worker, as Celery would, and return it as it ended."""
    job_id = job if isinstance(job, str) else job.pk
    engine.run_job(job_id, worker="w1")
    return Job.objects.get(pk=job_id)
