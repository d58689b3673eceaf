"""Fixtures for the jobs engine's tests."""

from __future__ import annotations

from typing import Any

import pytest

from jobs import services
from jobs.models import Job
from tests.jobs import job_types  # noqa: F401  (registers the test job types)


@pytest.fixture(autouse=True)
def _jobs_settings(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Submit a job without running it (its task is captured, not executed)."""

    def make(owner: Any, type: str = "test_steps", **input: Any) -> Job:
        with django_capture_on_commit_callbacks(execute=False):
            job, _ = services.job_submit(owner=owner, type=type, input=input)
        return job

    return make
