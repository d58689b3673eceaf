"""Chat test fixtures: a project team, an approved topic for the scene's idea, tiny renders,
and helpers that drive the workflow over the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from assets import search
from jobs import engine
from jobs.models import Job
from tests.catalog.factories import TopicFactory
from tests.catalog.helpers import _empty_view_buffer  # noqa: F401 (an autouse fixture)
from tests.factories import UserFactory
from tests.projects.factories import CollaboratorFactory, ProjectFactory

MESSAGE = "/api/v1/chat/message"
CHOICE = "/api/v1/chat/choice"
UPLOAD = "/api/v1/chat/upload"
SESSIONS = "/api/v1/chat/sessions"


def session_url(session_id: str) -> str:
    return f"/api/v1/chat/session/{session_id}"


@pytest.fixture(autouse=True)
def _chat_settings(settings):
    settings.SCENE_RENDER = {"width": 320, "height": 180, "fps": 12}
    settings.LLM_BASE_URL = ""
    search._index = search.VectorIndex()
    yield
    search._index = search.VectorIndex()


@pytest.fixture
def team(db) -> dict[str, Any]:
    """A project with its owner, a collaborator, a viewer, and a stranger; an approved topic."""
    owner = UserFactory()
    project = ProjectFactory(owner=owner, title="Flooded City", episode_count=3)
    TopicFactory(name="Action")
    return {
        "project": project,
        "owner": owner,
        "collaborator": CollaboratorFactory(project=project, role="collaborator").user,
        "viewer": CollaboratorFactory(project=project, role="viewer").user,
        "stranger": UserFactory(),
    }


@pytest.fixture
def apis(team, client_for) -> dict[str, APIClient]:
    return {
        role: client_for(team[role]) for role in ("owner", "collaborator", "viewer", "stranger")
    }


def run_jobs(job_type: str) -> None:
    """Run every queued job of a type to its end in this process."""
    for job in Job.objects.filter(type=job_type, status="queued"):
        engine.run_job(job.pk, worker="test")


@pytest.fixture
def start(apis, team) -> Callable[..., dict[str, Any]]:
    """The owner starts a session with a concept; answers the response's data."""

    def send(text: str = "A courier races across a flooded city at night", **extra: Any):
        response = apis["owner"].post(
            MESSAGE, {"projectId": team["project"].pk, "message": text, **extra}, format="json"
        )
        assert response.status_code == 200, response.json()
        return response.json()["data"]

    return send


@pytest.fixture
def attach(client_for, django_capture_on_commit_callbacks) -> Callable[..., Any]:
    """POST /chat/upload as a user, then run the asset's analysis (as a worker would)."""

    def send(user: Any, session_id: str, content: bytes, filename: str, **fields: Any) -> Any:
        body = {"sessionId": session_id, "file": SimpleUploadedFile(filename, content), **fields}
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(user).post(UPLOAD, body, format="multipart")
        with django_capture_on_commit_callbacks(execute=True):
            run_jobs("asset_analysis")
        return response

    return send


def choose(api: APIClient, session_id: str, choice_id: str = "choice-1", **extra: Any) -> Any:
    return api.post(
        CHOICE, {"sessionId": session_id, "choiceId": choice_id, **extra}, format="json"
    )
