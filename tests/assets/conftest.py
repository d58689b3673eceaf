"""Fixtures for the asset tests: projects with members of each role, uploads, jobs run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assets import search
from jobs import engine
from jobs.models import Job
from tests.factories import UserFactory
from tests.projects.factories import CollaboratorFactory, ProjectFactory


@pytest.fixture(autouse=True)
def _fresh_index():
    """Each test's database starts empty: so does the process's search index."""
    search._index = search.VectorIndex()
    yield
    search._index = search.VectorIndex()


@pytest.fixture
def team(db):
    """A project with its owner, a collaborator, a viewer, and a stranger."""
    owner = UserFactory()
    project = ProjectFactory(owner=owner)
    collaborator = CollaboratorFactory(project=project, role="collaborator").user
    viewer = CollaboratorFactory(project=project, role="viewer").user
    return {
        "project": project,
        "owner": owner,
        "collaborator": collaborator,
        "viewer": viewer,
        "stranger": UserFactory(),
    }


def run_analysis(asset_id: str | None = None) -> None:
    """Run every queued asset analysis job to its end in this process."""
    jobs = Job.objects.filter(type="asset_analysis", status="queued")
    if asset_id:
        jobs = jobs.filter(input__asset_id=asset_id)
    for job in jobs:
        engine.run_job(job.pk, worker="test")


@pytest.fixture
def upload(client_for, django_capture_on_commit_callbacks) -> Callable[..., Any]:
    """POST a file as a user to an upload endpoint; analysis runs when `analyse` is true."""

    def send(
        user: Any,
        content: bytes,
        filename: str = "file.png",
        *,
        path: str = "/api/v1/assets/upload",
        analyse: bool = True,
        **fields: Any,
    ) -> Any:
        api = client_for(user)
        field = "files" if path.endswith("media/upload") else "file"
        body = {field: SimpleUploadedFile(filename, content), **fields}
        with django_capture_on_commit_callbacks(execute=False):
            response = api.post(path, body, format="multipart")
        if analyse:
            run_analysis()
        return response

    return send
