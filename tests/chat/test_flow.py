"""Two members drive one session from concept to a rendered first scene, with uploaded
reference images shaping the choices (issue 15's "done means")."""

from __future__ import annotations

import pytest

from chat.choices import STEPS
from chat.models import ChatSession
from jobs.models import Job, WebhookDelivery, WebhookEndpoint
from scenes.models import BibleVersion, Scene, Segment
from tests.assets.files import png
from tests.chat.conftest import choose, run_jobs

pytestmark = pytest.mark.django_db

RED = (200, 30, 40)
BLUE = (20, 40, 200)


def titles(data):
    return [c["title"] for c in data["aiResponse"]["choices"]]


def test_owner_and_collaborator_take_a_session_from_concept_to_a_rendered_scene(
    team, apis, start, attach, django_capture_on_commit_callbacks, monkeypatch
):
    # Deliveries are recorded; sending them is jobs.webhooks' own tested business.
    monkeypatch.setattr("jobs.webhooks.schedule", lambda delivery, countdown=0: None)
    WebhookEndpoint.objects.create(
        owner=team["owner"], url="https://hooks.example.com/x", events=["*"], secret="whsec_x"
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = start()
    session_id = first["sessionId"]
    assert session_id.startswith("ses_") and first["session"]["id"] == session_id
    assert first["messageId"].startswith("msg_")
    assert first["session"]["currentStep"] == "concept-development"

    # The collaborator uploads a character reference; the owner a palette reference.
    hero = attach(
        team["collaborator"],
        session_id,
        png(colours=(RED, RED, BLUE)),
        "hero.png",
        mediaType="character_reference",
        description="Our courier",
    )
    assert hero.status_code == 200, hero.json()
    hero_id = hero.json()["data"]["mediaId"]
    assert hero_id.startswith("ast_")
    mood = attach(
        team["owner"], session_id, png(colours=(BLUE,)), "mood.png", mediaType="style_reference"
    )
    assert mood.status_code == 200

    percentages = [0]
    steps_seen = ["concept-development"]
    actors = [apis["owner"], apis["collaborator"]]
    data = None
    for index, step in enumerate(STEPS[:-1]):
        with django_capture_on_commit_callbacks(execute=True):
            response = choose(actors[index % 2], session_id, "choice-1")
        assert response.status_code == 200, response.json()
        data = response.json()["data"]
        assert data["workflowAdvanced"] is True
        assert data["newStep"] == STEPS[index + 1]
        assert data["progressUpdate"]["percentage"] > percentages[-1]
        assert data["progressUpdate"]["completedSteps"] == list(STEPS[: index + 1])
        assert 2 <= len(data["aiResponse"]["choices"]) <= 4
        percentages.append(data["progressUpdate"]["percentage"])
        steps_seen.append(data["newStep"])
        if data["newStep"] == "character-development":
            # The uploaded character reference is the first character choice.
            first_choice = data["aiResponse"]["choices"][0]
            assert "reference" in first_choice["title"]
            assert first_choice["metadata"]["referenceIds"] == [hero_id]
        if data["newStep"] == "visual-style":
            palettes = [c for c in data["aiResponse"]["choices"] if "palette" in c["metadata"]]
            assert palettes, titles(data)
            assert "blue" in palettes[0]["description"]
    assert steps_seen == list(STEPS)

    with django_capture_on_commit_callbacks(execute=True):
        produced = choose(apis["collaborator"], session_id, "choice-1")
    assert produced.status_code == 200, produced.json()
    result = produced.json()["data"]
    scene_id, job_id = result["sceneId"], result["jobId"]
    assert scene_id.startswith("scn_") and job_id.startswith("job_")
    assert scene_id in result["aiResponse"]["content"] and job_id in result["aiResponse"]["content"]
    assert result["progressUpdate"]["percentage"] == 100

    # The Scene Bible is seeded from the decisions.
    session = ChatSession.objects.get(pk=session_id)
    assert session.status == "completed"
    bible = BibleVersion.objects.get(scene_id=scene_id, version=1).content
    lead = session.context_data["characters"]["value"][0]["name"]
    assert bible["characters"][0]["canonicalName"] == lead
    assert bible["setting"]["primaryLocation"] == session.context_data["setting"]["value"]
    assert bible["styleGuide"]["genre"] == session.context_data["genre"]["value"]
    assert "palette" in bible["styleGuide"]["visualStyle"]

    # The render job completes like any scene job and the scene has a playable segment.
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs("scene_creation")
    job = Job.objects.get(pk=job_id)
    assert job.status == "completed", job.error
    segment = Segment.objects.get(scene_id=scene_id, sequence=1)
    assert segment.video_file and segment.hls_file and segment.duration > 0
    assert Scene.objects.get(pk=scene_id).idea.author == team["collaborator"]

    # The project's progress follows the session.
    project = apis["viewer"].get(f"/api/v1/projects/{team['project'].pk}").json()["data"]
    assert project["progress"]["percentage"] == 100
    assert project["progress"]["completedSteps"] == list(STEPS)

    events = set(WebhookDelivery.objects.values_list("event", flat=True))
    assert {"chat.ai_response", "media.processed", "project.completed"} <= events
