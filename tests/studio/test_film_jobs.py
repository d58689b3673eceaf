"""The film job API: POST /jobs with a script and config, script → images → video."""

from __future__ import annotations

import io
import shutil
from decimal import Decimal

import av
import numpy as np
import pytest

from jobs.costs import film_estimate
from jobs.models import Job, JobStatus
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


def test_a_film_job_makes_keyframes_and_a_video_with_sound_and_records_its_cost(user_api, project):
    job = run(create(user_api, project).json()["data"]["id"])
    assert job.status == JobStatus.COMPLETED, job.error
    assert [s.name for s in job.stages.order_by("position")][:2] == [
        "script_breakdown",
        "image_generation",
    ]
    data = user_api.get(f"/api/v1/jobs/{job.pk}").json()["data"]
    result = data["result"]
    assert len(result["images"]) == 2
    assert data["actualCost"] > 0
    with av.open(io.BytesIO(body_bytes(fetch(user_api, result["videoUrl"])))) as container:
        assert container.streams.video[0].height == 360
        assert container.streams.audio
    signed = user_api.post("/api/v1/jobs/signed-url", {"job_id": job.pk}, format="json")
    assert signed.status_code == 200
    assert body_bytes(fetch(user_api, signed.json()["data"]["url"]))[4:8] == b"ftyp"


def _soundtrack(client, job) -> tuple[np.ndarray, int]:
    """The film's audio track, decoded to mono float samples, and its sample rate."""
    result = client.get(f"/api/v1/jobs/{job.pk}").json()["data"]["result"]
    with av.open(io.BytesIO(body_bytes(fetch(client, result["videoUrl"])))) as container:
        stream = container.streams.audio[0]
        rate = stream.rate
        frames = [frame.to_ndarray() for frame in container.decode(stream)]
    return np.concatenate(frames, axis=1).mean(axis=0), rate


def _voice_band_share(samples: np.ndarray, rate: int) -> float:
    """The share of the track's energy between 300 Hz and 3 kHz, where speech carries."""
    power = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    return float(power[(freqs > 300) & (freqs < 3000)].sum() / power.sum())


def _syllabic_modulation(samples: np.ndarray, rate: int) -> float:
    """The share of the loudness envelope's fluctuation at 2-8 Hz, the rate of syllables:
    speech rises and falls with every syllable, a music bed swells far more slowly."""
    hop = rate // 100
    frames = samples[: len(samples) // hop * hop].reshape(-1, hop)
    envelope = np.sqrt((frames**2).mean(axis=1))
    spectrum = np.abs(np.fft.rfft(envelope - envelope.mean())) ** 2
    freqs = np.fft.rfftfreq(len(envelope), 1 / 100)
    return float(spectrum[(freqs > 2) & (freqs < 8)].sum() / spectrum[freqs > 0.5].sum())


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed here (apt install espeak-ng; CI installs it)",
)
def test_a_film_with_a_voice_is_narrated_over_its_music(user_api, project, settings):
    """Against the same film rendered without a voice: the narrated track carries speech."""
    settings.TTS_ENGINE = "espeak"
    narrated = run(create(user_api, project).json()["data"]["id"])
    silent = run(
        create(user_api, project, config={**CONFIG, "include_voice": False}).json()["data"]["id"]
    )
    assert narrated.status == silent.status == JobStatus.COMPLETED, (narrated.error, silent.error)
    assert narrated.result["narrated"] is True
    assert silent.result["narrated"] is False

    voice, rate = _soundtrack(user_api, narrated)
    music, music_rate = _soundtrack(user_api, silent)
    assert rate == music_rate
    # Measured on this film: about 0.76 against 0.34, and 0.47 against 0.16.
    assert _voice_band_share(voice, rate) > 1.5 * _voice_band_share(music, rate)
    assert _syllabic_modulation(voice, rate) > 1.8 * _syllabic_modulation(music, rate)


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
