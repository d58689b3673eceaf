"""POST /scenes/:id/continue: the bible version as an optimistic lock.

The check and the hold are one conditional UPDATE; a stale version or a scene another
continuation holds is 409 BIBLE_VERSION_MISMATCH with the documented details; a failed or
cancelled continuation releases the scene. The race itself runs on PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from jobs import engine
from jobs import services as job_services
from jobs.models import Job, JobStatus
from moderation.choices import ModerationStatus
from scenes import services
from scenes.models import BibleVersion, Scene, SceneStatus
from tests.config.test_conventions import assert_error
from tests.factories import UserFactory
from tests.scenes.factories import SceneFactory, SegmentFactory

TEXT = (
    "Maya's hand trembled as she decoded the message. The Aurora wasn't asking for help, it "
    "was sending a warning."
)

is_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def playable_scene(**fields) -> Scene:
    scene = SceneFactory(**fields)
    SegmentFactory(scene=scene, sequence=1)
    services.scene_recount(scene=scene)
    return scene


def continue_(client, scene: Scene, version: int, text: str = TEXT, **headers):
    return client.post(
        f"/api/v1/scenes/{scene.pk}/continue",
        {"continuationText": text, "bibleVersion": version},
        format="json",
        **headers,
    )


# --- the conditional UPDATE (any database) ---------------------------------------------------


@pytest.mark.django_db
def test_the_hold_is_taken_by_one_update_that_checks_the_version_and_that_it_is_free():
    scene = playable_scene()
    with CaptureQueriesContext(connection) as queries:
        assert scene.take_hold(version=1, holder="job_a") is True
    assert len(queries.captured_queries) == 1
    sql = queries.captured_queries[0]["sql"]
    assert sql.startswith("UPDATE") and "bible_version" in sql and "held_by_job" in sql

    again = Scene.objects.get(pk=scene.pk)
    assert again.take_hold(version=1, holder="job_b") is False  # held
    assert Scene.objects.get(pk=scene.pk).held_by_job == "job_a"
    assert services.scene_release(scene_id=scene.pk, job_id="job_b") is False  # not its hold
    assert services.scene_release(scene_id=scene.pk, job_id="job_a") is True
    assert again.take_hold(version=2, holder="job_b") is False  # stale version
    assert again.take_hold(version=1, holder="job_b") is True


@pytest.mark.django_db
def test_a_retried_job_takes_the_scene_again_only_if_it_is_free_and_unchanged():
    scene = playable_scene()
    assert services.scene_rehold(scene_id=scene.pk, job_id="job_a", version=1) is True
    assert services.scene_rehold(scene_id=scene.pk, job_id="job_a", version=1) is True  # its own
    assert services.scene_rehold(scene_id=scene.pk, job_id="job_b", version=1) is False
    services.scene_release(scene_id=scene.pk, job_id="job_a")
    Scene.objects.filter(pk=scene.pk).update(bible_version=2)
    assert services.scene_rehold(scene_id=scene.pk, job_id="job_a", version=1) is False


# --- the endpoint --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_continuation_is_accepted_with_its_job_and_holds_the_scene(user, user_api):
    scene = playable_scene()
    response = continue_(user_api, scene, 1)
    assert response.status_code == 202, response.content
    data = response.json()["data"]
    assert (data["sceneId"], data["bibleVersion"]) == (scene.pk, 1)
    job = data["job"]
    assert job["id"].startswith("job_") and job["status"] == "queued"
    assert job["progress"] == 0 and job["estimatedTime"] >= 1
    assert [stage["name"] for stage in job["stages"]] == [
        "script_expansion",
        "continuity_validation",
        "video_generation",
        "upload",
        "finalization",
    ]
    stored = Job.objects.get(pk=job["id"])
    assert (stored.type, stored.scene_id, stored.owner_id) == (
        "scene_continuation",
        scene.pk,
        user.pk,
    )
    assert stored.input == {"sceneId": scene.pk, "text": TEXT, "bibleVersion": 1}
    assert Scene.objects.get(pk=scene.pk).held_by_job == stored.pk
    assert response.json()["message"] == "Your continuation is being processed"


@pytest.mark.django_db
def test_a_stale_version_is_refused_with_the_documented_details(user_api):
    scene = playable_scene(bible_version=6)
    body = assert_error(continue_(user_api, scene, 5), 409, "BIBLE_VERSION_MISMATCH")
    assert body["error"]["message"] == "Scene was updated by another user"
    assert body["error"]["details"] == {
        "yourVersion": 5,
        "currentVersion": 6,
        "suggestion": "Fetch latest scene and resubmit",
    }
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_continuation_while_another_runs_is_refused_until_that_one_is_cancelled(
    user_api, client_for, django_capture_on_commit_callbacks
):
    scene = playable_scene()
    first = continue_(user_api, scene, 1).json()["data"]["job"]["id"]
    other = client_for(UserFactory())
    body = assert_error(continue_(other, scene, 1), 409, "BIBLE_VERSION_MISMATCH")
    assert body["error"]["details"]["yourVersion"] == body["error"]["details"]["currentVersion"]
    assert "Wait for the running continuation" in body["error"]["details"]["suggestion"]

    with django_capture_on_commit_callbacks(execute=True):
        assert user_api.post(f"/api/v1/jobs/{first}/cancel").status_code == 200
    assert Scene.objects.get(pk=scene.pk).held_by_job == ""
    assert continue_(other, scene, 1).status_code == 202


@pytest.mark.django_db
def test_a_failed_continuation_releases_the_scene_and_leaves_the_version(
    user_api, django_capture_on_commit_callbacks
):
    scene = playable_scene()
    job_id = continue_(user_api, scene, 1).json()["data"]["job"]["id"]
    BibleVersion.objects.filter(scene=scene).delete()  # the job cannot read its bible
    with django_capture_on_commit_callbacks(execute=True):
        engine.run_job(job_id, worker="w1")
    job = Job.objects.get(pk=job_id)
    assert job.status == JobStatus.FAILED and job.error["code"] == "GENERATION_FAILED"
    scene.refresh_from_db()
    assert (scene.held_by_job, scene.bible_version, scene.segment_count) == ("", 1, 1)


@pytest.mark.django_db
def test_an_idempotency_key_replay_returns_the_first_job_instead_of_a_conflict(user_api):
    scene = playable_scene()
    first = continue_(user_api, scene, 1, HTTP_IDEMPOTENCY_KEY="k1")
    again = continue_(user_api, scene, 1, HTTP_IDEMPOTENCY_KEY="k1")
    assert (first.status_code, again.status_code) == (202, 202)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["data"]["job"]["id"] == first.json()["data"]["job"]["id"]
    assert Job.objects.count() == 1
    other_body = continue_(user_api, scene, 1, text="Something else.", HTTP_IDEMPOTENCY_KEY="k1")
    assert_error(other_body, 409, "CONFLICT")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body,field",
    [
        ({"bibleVersion": 1}, "continuationText"),
        ({"continuationText": "  ", "bibleVersion": 1}, "continuationText"),
        ({"continuationText": "x" * 5001, "bibleVersion": 1}, "continuationText"),
        ({"continuationText": TEXT}, "bibleVersion"),
        ({"continuationText": TEXT, "bibleVersion": "1"}, "bibleVersion"),
        ({"continuationText": TEXT, "bibleVersion": 0}, "bibleVersion"),
        ({"continuationText": TEXT, "bibleVersion": 1, "shots": []}, "shots"),
    ],
)
def test_a_bad_continuation_is_refused_naming_the_field(user_api, body, field):
    scene = playable_scene()
    response = user_api.post(f"/api/v1/scenes/{scene.pk}/continue", body, format="json")
    details = assert_error(response, 400, "VALIDATION_ERROR")["error"]["details"]
    assert field in [d["field"] for d in details]
    assert Scene.objects.get(pk=scene.pk).held_by_job == ""


@pytest.mark.django_db
def test_continuing_needs_a_token_and_a_visible_active_scene_with_a_segment(api, user_api):
    scene = playable_scene()
    assert_error(continue_(api, scene, 1), 401, "UNAUTHORIZED")
    assert_error(
        user_api.post(
            "/api/v1/scenes/scn_nope/continue",
            {"continuationText": TEXT, "bibleVersion": 1},
            format="json",
        ),
        404,
        "NOT_FOUND",
    )
    removed = playable_scene(moderation_status=ModerationStatus.REMOVED)
    assert_error(continue_(user_api, removed, 1), 404, "NOT_FOUND")
    archived = playable_scene(status=SceneStatus.ARCHIVED)
    assert_error(continue_(user_api, archived, 1), 409, "CONFLICT")
    empty = SceneFactory()  # its creation job failed: no segment 1 yet
    assert_error(continue_(user_api, empty, 1), 409, "CONFLICT")
    assert Scene.objects.get(pk=empty.pk).held_by_job == ""


@pytest.mark.django_db
def test_retrying_a_continuation_after_the_scene_moved_on_is_a_conflict(
    user_api, django_capture_on_commit_callbacks
):
    scene = playable_scene()
    job_id = continue_(user_api, scene, 1).json()["data"]["job"]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        user_api.post(f"/api/v1/jobs/{job_id}/cancel")
    Scene.objects.filter(pk=scene.pk).update(bible_version=2)  # someone else's segment landed
    response = user_api.post(
        f"/api/v1/jobs/{job_id}/retry", {"modifiedText": "Maya wept."}, format="json"
    )
    details = assert_error(response, 409, "BIBLE_VERSION_MISMATCH")["error"]["details"]
    assert (details["yourVersion"], details["currentVersion"]) == (1, 2)
    assert Job.objects.get(pk=job_id).status == JobStatus.CANCELLED


@pytest.mark.django_db
def test_an_unchanged_retry_of_a_stale_job_fails_at_its_first_stage_without_work(
    user_api, django_capture_on_commit_callbacks
):
    scene = playable_scene()
    job_id = continue_(user_api, scene, 1).json()["data"]["job"]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        user_api.post(f"/api/v1/jobs/{job_id}/cancel")
    Scene.objects.filter(pk=scene.pk).update(bible_version=2)
    assert user_api.post(f"/api/v1/jobs/{job_id}/retry").status_code == 202
    engine.run_job(job_id, worker="w1")
    job = Job.objects.get(pk=job_id)
    assert (job.status, job.error["code"]) == (JobStatus.FAILED, "BIBLE_VERSION_MISMATCH")
    assert job.stage == "script_expansion"


# --- the race (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.skipif(not is_postgres, reason="the race needs PostgreSQL (DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_of_50_continuations_racing_on_one_version_exactly_one_wins(client_for, monkeypatch):
    # The winner's job is not run: the race is about the lock, not the rendering.
    monkeypatch.setattr(job_services, "enqueue", lambda job, **kwargs: None)
    scene = playable_scene()
    clients = [client_for(UserFactory()) for _ in range(50)]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []
    codes: list[str] = []
    lock = threading.Lock()

    def contend(client) -> None:
        try:
            start.wait()
            response = continue_(client, scene, 1)
            with lock:
                statuses.append(response.status_code)
                if response.status_code != 202:
                    codes.append(response.json()["error"]["code"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=contend, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [202] + [409] * 49
    assert set(codes) == {"BIBLE_VERSION_MISMATCH"}
    jobs = list(Job.objects.filter(scene_id=scene.pk))
    assert len(jobs) == 1
    assert Scene.objects.get(pk=scene.pk).held_by_job == jobs[0].pk
