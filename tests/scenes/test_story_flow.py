"""The StoryForge story, through the API alone, with the real analysis and media pipeline
(tiny renders): create a scene from the document's idea and script, watch segment 1, continue
it, see the bible grow a version, lose a race with a 409, meet the document's
CONTINUITY_VIOLATION, retry it with modified text; everything browsable in the admin."""

from __future__ import annotations

import pytest
from django.contrib.admin.utils import quote
from django.core.management import call_command

from jobs.models import JobStatus
from scenes.models import BibleVersion, Scene, Segment
from tests.config.test_conventions import assert_error
from tests.factories import UserFactory
from tests.projects.helpers import run
from tests.studio.conftest import body_bytes, fetch

pytestmark = pytest.mark.django_db

SCRIPT = (
    "Captain Maya Chen stared at the flickering display. After 500 years of silence, the "
    "colony ship Aurora had finally sent a message. But the coordinates didn't match any known "
    "location..."
)
CONTINUATION = (
    "Maya's hand trembled as she decoded the message. The Aurora wasn't asking for help\u2014it "
    "was sending a warning. 'Do not come home,' it read. 'Earth is no longer Earth.'"
)
DRIFT = "'We cannot ignore this,' Captain Williams said. Maya nodded slowly."
STAGES = ["script_expansion", "continuity_validation", "video_generation", "upload", "finalization"]


@pytest.fixture
def demo(db):
    call_command("load_demo_catalog", verbosity=0)


def test_a_scene_grows_from_the_documents_idea_through_the_api(
    demo, user, user_api, client_for, admin_user, django_capture_on_commit_callbacks
):
    # Create the scene from the document's idea and script: 201, bible version 1, a job.
    created = user_api.post(
        "/api/v1/scenes",
        {
            "ideaId": "idea_last_starship",
            "title": "The Signal - Chapter One",
            "initialScript": SCRIPT,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    scene = created.json()["data"]["scene"]
    assert (scene["status"], scene["bibleVersion"], scene["segmentCount"]) == ("active", 1, 0)
    assert scene["idea"]["id"] == "idea_last_starship" and scene["topic"]["id"] == "top_scifi"
    job = created.json()["data"]["job"]
    assert (job["status"], job["type"], job["sceneId"]) == ("queued", "scene_creation", scene["id"])
    scene_url = f"/api/v1/scenes/{scene['id']}"

    bible = user_api.get(f"{scene_url}/bible").json()["data"]
    assert bible["version"] == 1
    assert "Maya Chen" in [c["canonicalName"] for c in bible["characters"]]

    # Segment 1 renders through the five stages and plays in the playlist.
    with django_capture_on_commit_callbacks(execute=True):
        first = run(job["id"])
    assert first.status == JobStatus.COMPLETED, first.error
    assert [s.name for s in first.stages.order_by("position")] == STAGES
    result = user_api.get(f"/api/v1/jobs/{first.pk}").json()["data"]["result"]
    assert result["segmentId"].startswith("seg_") and result["bibleVersion"] == 1
    assert result["videoUrl"].endswith(result["hlsUrl"][-20:])  # the HLS stream, as documented

    playlist = user_api.get(f"{scene_url}/playlist").json()["data"]
    assert [(s["sequence"], s["startTime"]) for s in playlist["segments"]] == [(1, 0)]
    first_duration = playlist["segments"][0]["duration"]
    assert first_duration > 0 and playlist["totalDuration"] == first_duration
    master = fetch(user_api, playlist["segments"][0]["hlsUrl"]).content.decode()
    assert master.startswith("#EXTM3U")
    assert body_bytes(fetch(user_api, playlist["segments"][0]["thumbnailUrl"]))[:2] == b"\xff\xd8"
    detail = user_api.get(scene_url).json()["data"]
    assert (detail["segmentCount"], detail["bibleVersion"], detail["isLocked"]) == (1, 1, False)

    # Another user continues at version 1: 202; a third, racing on the same version, gets 409.
    writer = client_for(UserFactory())
    accepted = writer.post(
        f"{scene_url}/continue",
        {"continuationText": CONTINUATION, "bibleVersion": 1},
        format="json",
    )
    assert accepted.status_code == 202, accepted.content
    assert accepted.json()["data"]["bibleVersion"] == 1
    racer = client_for(UserFactory())
    lost = racer.post(
        f"{scene_url}/continue", {"continuationText": "Kai ran.", "bibleVersion": 1}, format="json"
    )
    assert_error(lost, 409, "BIBLE_VERSION_MISMATCH")

    with django_capture_on_commit_callbacks(execute=True):
        second = run(accepted.json()["data"]["job"]["id"])
    assert second.status == JobStatus.COMPLETED, second.error
    assert second.result["bibleVersion"] == 2 and second.result["sequence"] == 2

    # The bible grew a version; version 1 is still there.
    assert user_api.get(f"{scene_url}/bible").json()["data"]["version"] == 2
    assert user_api.get(f"{scene_url}/bible", {"version": 1}).json()["data"]["version"] == 1
    versions = user_api.get(f"{scene_url}/bible/versions").json()["data"]
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[0]["segmentId"] == second.result["segmentId"]
    playlist = user_api.get(f"{scene_url}/playlist").json()["data"]
    assert [s["startTime"] for s in playlist["segments"]] == [0, first_duration]

    # The racer now holds a stale version.
    stale = racer.post(
        f"{scene_url}/continue", {"continuationText": "Kai ran.", "bibleVersion": 1}, format="json"
    )
    details = assert_error(stale, 409, "BIBLE_VERSION_MISMATCH")["error"]["details"]
    assert details == {
        "yourVersion": 1,
        "currentVersion": 2,
        "suggestion": "Fetch latest scene and resubmit",
    }

    # Captain Williams: the document's continuity violation fails before any video is made.
    drift = racer.post(
        f"{scene_url}/continue", {"continuationText": DRIFT, "bibleVersion": 2}, format="json"
    )
    assert drift.status_code == 202
    drift_id = drift.json()["data"]["job"]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        failed = run(drift_id)
    shown = racer.get(f"/api/v1/jobs/{drift_id}").json()["data"]
    assert (shown["status"], shown["stage"]) == ("failed", "continuity_validation")
    assert shown["message"] == "Continuity validation failed"
    assert shown["error"]["code"] == "CONTINUITY_VIOLATION"
    assert shown["error"]["message"] == "Script contains contradictions with Scene Bible"
    issue = shown["error"]["issues"][0]
    assert (issue["type"], issue["severity"]) == ("name_drift", "error")
    assert issue["description"] == "Character 'Captain Chen' referred to as 'Captain Williams'"
    assert issue["suggestion"]
    assert (shown["retryCount"], shown["maxRetries"]) == (0, 3)
    stages = {s["name"]: s["status"] for s in shown["stages"]}
    assert stages["video_generation"] == "pending"  # no GPU time spent
    assert failed.status == JobStatus.FAILED
    assert Scene.objects.get(pk=scene["id"]).held_by_job == ""  # released
    assert user_api.get(f"{scene_url}/bible").json()["data"]["version"] == 2

    # Retried with modified text, it runs again and grows the bible to version 3.
    retried = racer.post(
        f"/api/v1/jobs/{drift_id}/retry",
        {"modifiedText": "'We cannot ignore this,' Captain Chen said. Kai nodded slowly."},
        format="json",
    )
    assert retried.status_code == 202, retried.content
    with django_capture_on_commit_callbacks(execute=True):
        third = run(drift_id)
    assert third.status == JobStatus.COMPLETED, third.error
    assert third.result["bibleVersion"] == 3 and third.retry_count == 1
    assert Segment.objects.filter(scene_id=scene["id"]).count() == 3
    assert BibleVersion.objects.filter(scene_id=scene["id"]).count() == 3

    # The creator's and contributors' stats.
    stats = user_api.get(f"/api/v1/users/{user.pk}").json()["data"]["stats"]
    assert (stats["scenesCreated"], stats["segmentsContributed"]) == (1, 1)

    # Everything is browsable in the admin.
    admin = client_for(admin_user)
    admin.force_login(admin_user)
    segment = Segment.objects.filter(scene_id=scene["id"]).first()
    for url in (
        "/admin/scenes/scene/",
        f"/admin/scenes/scene/{quote(scene['id'])}/change/",
        "/admin/scenes/segment/",
        f"/admin/scenes/segment/{quote(segment.pk)}/change/",
        "/admin/scenes/bibleversion/",
        f"/admin/scenes/bibleversion/{quote(BibleVersion.objects.first().pk)}/change/",
    ):
        page = admin.get(url)
        assert page.status_code == 200, url
    change = admin.get(f"/admin/scenes/scene/{quote(scene['id'])}/change/").content.decode()
    assert "<video" in change and "Maya Chen" in change
