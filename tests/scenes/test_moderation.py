"""Scenes and segments under moderation: reports, removal through the scene's own counters,
and scripts stopped by screening before a scene goes public."""

from __future__ import annotations

import pytest

from jobs.models import Job, JobStatus
from scenes import services
from scenes.models import Scene
from tests.config.test_conventions import assert_error
from tests.scenes.factories import SceneFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def test_a_reported_segment_removed_by_a_moderator_leaves_the_scene_playable(
    user_api, client_for, moderator
):
    scene = SceneFactory()
    first, second, third = (SegmentFactory(scene=scene, sequence=n, duration=10) for n in (1, 2, 3))
    services.scene_recount(scene=scene)
    report = user_api.post(
        "/api/v1/report",
        {"targetType": "segment", "targetId": second.pk, "reason": "inappropriate_content"},
        format="json",
    )
    assert report.status_code == 201, report.content
    acted = client_for(moderator).post(
        f"/api/v1/moderation/{report.json()['data']['reportId']}/action",
        {"action": "remove_content", "notes": "graphic"},
        format="json",
    )
    assert acted.status_code == 200, acted.content

    playlist = user_api.get(f"/api/v1/scenes/{scene.pk}/playlist").json()["data"]
    assert [(s["id"], s["startTime"]) for s in playlist["segments"]] == [
        (first.pk, 0),
        (third.pk, 10),
    ]
    assert playlist["totalDuration"] == 20
    detail = user_api.get(f"/api/v1/scenes/{scene.pk}").json()["data"]
    assert detail["segmentCount"] == 2 and detail["totalDuration"] == 20
    # Moderators still see it.
    seen = client_for(moderator).get(f"/api/v1/scenes/{scene.pk}").json()["data"]
    assert second.pk in [s["id"] for s in seen["segments"]]


def test_a_removed_scene_is_gone_for_everyone_but_moderators_until_restored(
    user_api, client_for, moderator
):
    from moderation.services import action_reverse, content_remove

    scene = SceneFactory()
    action = content_remove(target_type="scene", target_id=scene.pk, moderator=moderator)
    assert_error(user_api.get(f"/api/v1/scenes/{scene.pk}"), 404, "NOT_FOUND")
    assert scene.pk not in [s["id"] for s in user_api.get("/api/v1/scenes").json()["data"]]
    assert client_for(moderator).get(f"/api/v1/scenes/{scene.pk}").status_code == 200
    action_reverse(action=action, moderator=moderator)
    assert user_api.get(f"/api/v1/scenes/{scene.pk}").status_code == 200


def test_a_scene_whose_script_fails_screening_is_never_public(
    user_api, django_capture_on_commit_callbacks, monkeypatch
):
    from jobs.tasks import run_job_task

    sent_tasks: list[object] = []
    monkeypatch.setattr(run_job_task, "apply_async", lambda **kw: sent_tasks.append(kw))
    from catalog.models import Idea
    from tests.catalog.factories import IdeaFactory

    idea = IdeaFactory()
    assert Idea.objects.filter(pk=idea.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = user_api.post(
            "/api/v1/scenes",
            {
                "ideaId": idea.pk,
                "title": "Untitled",
                "initialScript": "You worthless idiot, I will find you and kill you. "
                "Kill yourself.",
            },
            format="json",
        )
    assert response.status_code == 201, response.content
    job = Job.objects.get(pk=response.json()["data"]["job"]["id"])
    assert job.status == JobStatus.MODERATION_FAILED
    assert sent_tasks == []  # no worker ever sees it
    scene = Scene.objects.get(pk=response.json()["data"]["scene"]["id"])
    assert scene.moderation_status == "rejected"
    assert_error(user_api.get(f"/api/v1/scenes/{scene.pk}"), 404, "NOT_FOUND")
