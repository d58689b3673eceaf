"""Fixtures for the project tests: the default storage, jobs submitted without running."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage

from jobs import services
from jobs.models import Job
from tests.jobs import job_types  # noqa: F401  (registers the test job types)


@pytest.fixture
def storage():
    """Django's default storage, on the test's own folder (tests/conftest.py)."""
    return default_storage


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Submit a job without running it (its task is captured, not executed)."""

    def make(owner: Any, type: str = "test_steps", project_id: str = "", **input: Any) -> Job:
        with django_capture_on_commit_callbacks(execute=False):
            job, _ = services.job_submit(owner=owner, type=type, input=input, project_id=project_id)
        return job

    return make
