"""The guided workflow's pages through Django's test client: starting a session, the
conversation with its choices as buttons and custom input, progress through the ten steps,
the scene and job it produces; the chat services' rules (owners and collaborators take part,
viewers read, strangers get 404, the offered choices only)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from chat.models import ChatSession
from tests.catalog.factories import TopicFactory
from tests.factories import UserFactory
from tests.projects.factories import CollaboratorFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chat_settings(settings):
    settings.LLM_BASE_URL = ""  # the offline rule writer


def text(response) -> str:
    return response.content.decode()


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def team(db):
    owner = UserFactory()
    project = ProjectFactory(owner=owner, title="Flooded City", episode_count=3)
    TopicFactory(name="Action")
    return {
        "project": project,
        "owner": owner,
        "collaborator": CollaboratorFactory(project=project, role="collaborator").user,
        "viewer": CollaboratorFactory(project=project, role="viewer").user,
    }


def start(client: Client, project) -> ChatSession:
    response = client.post(
        "/workflow/",
        {"project_id": project.pk, "concept": "A courier races across a flooded city at night"},
    )
    assert response.status_code == 302, text(response)
    session = ChatSession.objects.get(project=project)
    assert response["Location"] == f"/workflow/{session.pk}/"
    return session


def offered(page) -> list[str]:
    return re.findall(r'name="choice_id" value="([^"]+)"', text(page))


def test_starting_a_session_shows_the_concept_the_answer_and_the_choices(team):
    client = browser_for(team["owner"])
    listing = text(client.get("/workflow/"))
    assert "Flooded City" in listing and 'name="concept"' in listing
    session = start(client, team["project"])
    page = client.get(f"/workflow/{session.pk}/")
    body = text(page)
    assert page.status_code == 200
    assert "A courier races across a flooded city at night" in body
    assert "Step 1 of 10: Concept development" in body
    assert offered(page), "the assistant's choices are buttons"
    assert session.pk in text(client.get("/workflow/"))


def test_a_choice_with_custom_input_advances_one_step(team):
    client = browser_for(team["collaborator"])
    session = start(browser_for(team["owner"]), team["project"])
    first = offered(client.get(f"/workflow/{session.pk}/"))[0]
    moved = client.post(
        f"/workflow/{session.pk}/choice/",
        {"choice_id": first, "custom_input": "with a talking heron"},
    )
    assert moved.status_code == 302
    session.refresh_from_db()
    assert session.current_step == "genre-selection"
    assert session.completed_steps == ["concept-development"]
    body = text(client.get(f"/workflow/{session.pk}/"))
    assert "Step 2 of 10: Genre selection" in body and "with a talking heron" in body
    assert 'value="10"' in body  # the progress bar's percentage


def test_a_choice_not_offered_is_refused_and_changes_nothing(team):
    client = browser_for(team["owner"])
    session = start(client, team["project"])
    refused = client.post(f"/workflow/{session.pk}/choice/", {"choice_id": "choice-99"})
    assert refused.status_code == 400 and "Not one of the choices offered" in text(refused)
    session.refresh_from_db()
    assert session.current_step == "concept-development" and session.completed_steps == []


def test_custom_text_is_answered_without_advancing(team):
    client = browser_for(team["owner"])
    session = start(client, team["project"])
    count = session.messages.count()
    said = client.post(f"/workflow/{session.pk}/message/", {"message": "Make it a comedy"})
    assert said.status_code == 302
    session.refresh_from_db()
    assert session.messages.count() == count + 2  # the member's words and the answer
    assert session.current_step == "concept-development"
    empty = client.post(f"/workflow/{session.pk}/message/", {"message": "  "})
    assert empty.status_code == 400 and "Write something first" in text(empty)


def test_viewers_read_and_strangers_get_404(team):
    session = start(browser_for(team["owner"]), team["project"])
    viewer = browser_for(team["viewer"])
    page = viewer.get(f"/workflow/{session.pk}/")
    assert (
        page.status_code == 200 and not offered(page) and "You can read this workflow" in text(page)
    )
    assert (
        viewer.post(f"/workflow/{session.pk}/choice/", {"choice_id": "choice-1"}).status_code == 403
    )
    assert viewer.post(f"/workflow/{session.pk}/message/", {"message": "hi"}).status_code == 403
    assert (
        viewer.post("/workflow/", {"project_id": team["project"].pk, "concept": "x"}).status_code
        == 403
    )
    stranger = browser_for(UserFactory())
    assert stranger.get(f"/workflow/{session.pk}/").status_code == 404
    assert (
        stranger.post(f"/workflow/{session.pk}/choice/", {"choice_id": "choice-1"}).status_code
        == 404
    )
    assert session.pk not in text(stranger.get("/workflow/"))
    assert Client().get(f"/workflow/{session.pk}/").status_code == 302  # to sign in


def test_ten_steps_produce_a_scene_and_a_render_job_linked_from_the_page(
    team, django_capture_on_commit_callbacks
):
    client = browser_for(team["owner"])
    session = start(client, team["project"])
    with django_capture_on_commit_callbacks(execute=False):
        for _ in range(10):
            choice = offered(client.get(f"/workflow/{session.pk}/"))[0]
            assert (
                client.post(f"/workflow/{session.pk}/choice/", {"choice_id": choice}).status_code
                == 302
            )
    session.refresh_from_db()
    assert session.status == "completed" and session.scene_id and session.job_id
    body = text(client.get(f"/workflow/{session.pk}/"))
    assert "Workflow complete" in body and 'value="100"' in body
    assert f'href="/scenes/{session.scene_id}/"' in body
    assert f'href="/my/jobs/{session.job_id}/"' in body
    assert not re.search(r'name="choice_id"', body)


def test_the_header_links_the_guided_workflow_for_signed_in_users(team):
    assert 'href="/workflow/"' in text(browser_for(team["owner"]).get("/"))
    assert 'href="/workflow/"' not in text(Client().get("/"))
