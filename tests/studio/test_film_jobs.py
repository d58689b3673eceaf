"""The film job API: POST /jobs with a script and config, script → images → video."""

from __future__ import annotations

import io
from decimal import Decimal

import av
import pytest

from jobs.costs import film_estimate
from jobs.models import Job, JobStatus
from media_pipeline.audio.tts import describe_tts
from tests.config.test_conventions import assert_error
from tests.projects.factories import ProjectFactory
from tests.projects.helpers import run
from tests.studio.conftest import body_bytes, fetch

pytestmark = pytest.mark.django_db

SCRIPT = "A beautiful sunrise over mountains\nBirds flying in the sky\nA peaceful lake"
CONFIG = {
    "num_images": 2,
    "video_duration": 3,
    "include_voice": True,
    "include_music": True,
    "fps": 12,
    "quality": "low",
    "voice": "default",
    "genre": "cinematic",
    "mood": "inspiring",
}


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user)


def create(client, project, **overrides):
    body = {"project_id": project.pk, "script": SCRIPT, "config": dict(CONFIG)}
    body.update(overrides)
    return client.post("/api/v1/jobs", body, format="json")


def test_a_film_job_is_queued_with_the_estimate_of_estimate_cost(user_api, project):
    response = create(user_api, project)
    assert response.status_code == 202, response.content
    data = response.json()["data"]
    assert (data["type"], data["status"], data["projectId"]) == ("film", "queued", project.pk)
    assert data["script"] == SCRIPT
    expected = film_estimate(
        num_images=2, video_duration=3, include_voice=True, include_music=True
    ).total
    assert data["estimatedCost"] == pytest.approx(float(expected))
    quoted = user_api.post(
        "/api/v1/jobs/estimate-cost",
        {"num_images": 2, "video_duration": 3, "include_voice": True, "include_music": True},
        format="json",
    ).json()["data"]
    assert quoted["estimatedCost"] == data["estimatedCost"]
    assert user_api.get("/api/v1/jobs").json()["data"][0]["id"] == data["id"]


def test_a_film_job_makes_keyframes_and_a_narrated_video_and_records_its_cost(user_api, project):
    job = run(create(user_api, project).json()["data"]["id"])
    assert job.status == JobStatus.COMPLETED, job.error
    assert [s.name for s in job.stages.order_by("position")][:2] == [
        "script_breakdown",
        "image_generation",
    ]
    data = user_api.get(f"/api/v1/jobs/{job.pk}").json()["data"]
    result = data["result"]
    assert len(result["imageUrls"]) == 2
    assert all(body_bytes(fetch(user_api, url))[:2] == b"\xff\xd8" for url in result["imageUrls"])
    # Narrated wherever a text-to-speech engine is installed (CI installs espeak-ng).
    assert result["narrated"] is describe_tts()["available"]
    assert data["actualCost"] > 0
    with av.open(io.BytesIO(body_bytes(fetch(user_api, result["mp4Url"])))) as container:
        assert container.streams.video[0].height == 360
        assert container.streams.audio
    signed = user_api.post("/api/v1/jobs/signed-url", {"job_id": job.pk}, format="json")
    assert signed.status_code == 200
    assert body_bytes(fetch(user_api, signed.json()["data"]["url"]))[4:8] == b"ftyp"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"script": ""}, "script"),
        ({"config": {**CONFIG, "num_images": 0}}, "config.numImages"),
        ({"config": {**CONFIG, "video_duration": 99999}}, "config.videoDuration"),
        ({"config": {**CONFIG, "quality": "ultra"}}, "config.quality"),
        ({"config": {**CONFIG, "mood": "furious"}}, "config.mood"),
        ({"config": {**CONFIG, "voice": "klingon"}}, "config.voice"),
        ({"config": {**CONFIG, "colour": "red"}}, "config.colour"),
    ],
)
def test_a_bad_film_request_creates_nothing(user_api, project, overrides, field):
    error = assert_error(create(user_api, project, **overrides), 400, "VALIDATION_ERROR")
    assert field in {item["field"] for item in error["error"]["details"]}
    assert not Job.objects.exists()


def test_a_film_over_the_cost_limit_is_refused_with_402(user_api, project, settings):
    settings.JOB_COST_LIMIT_PER_JOB = Decimal("0.10")
    assert_error(create(user_api, project), 402, "COST_LIMIT")
    assert not Job.objects.exists()
