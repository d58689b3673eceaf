"""StoryCore's POST /ai/video and /ai/audio on the caller's own files."""

from __future__ import annotations

import io

import av
import pytest

from jobs.models import Job, JobStatus
from tests.config.test_conventions import assert_error
from tests.projects.helpers import run
from tests.studio.conftest import body_bytes, fetch

pytestmark = pytest.mark.django_db


@pytest.fixture
def clip_id(user_api):
    response = user_api.post(
        "/api/v1/generate/video",
        {
            "prompt": "A lighthouse on a cliff",
            "parameters": {"duration": 1, "resolution": "320x180", "fps": 12},
        },
        format="json",
    )
    job = run(response.json()["data"]["jobId"])
    assert job.status == JobStatus.COMPLETED, job.error
    return job.result["clipId"]


def test_a_video_is_enhanced_and_resized_into_a_new_file(user_api, clip_id):
    response = user_api.post(
        "/api/v1/ai/video",
        {
            "inputPath": clip_id,
            "outputPath": "/path/to/output.mp4",
            "parameters": {"resolution": "160x90", "codec": "h264", "quality": "high"},
            "operations": [{"type": "enhancement", "parameters": {"saturation": 1.2}}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["type"] == "video_processing"
    job = run(data["id"])
    assert job.status == JobStatus.COMPLETED, job.error
    result = user_api.get(f"/api/v1/jobs/{job.pk}").json()["data"]["result"]
    assert result["operations"] == ["enhance", "resize", "transcode"]
    assert result["resolution"] == "160x90"
    with av.open(io.BytesIO(body_bytes(fetch(user_api, result["outputUrl"])))) as container:
        assert (container.streams.video[0].width, container.streams.video[0].height) == (160, 90)


def test_audio_is_normalised_and_transcoded_to_mp3(user_api, clip_id):
    response = user_api.post(
        "/api/v1/ai/audio",
        {
            "inputPath": clip_id,
            "outputPath": "voice.mp3",
            "operations": [{"type": "normalization", "parameters": {"target": -18}}],
            "parameters": {"codec": "mp3", "bitrate": 128},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    job = run(response.json()["data"]["id"])
    assert job.status == JobStatus.COMPLETED, job.error
    assert job.result["outputFile"].endswith(".mp3")
    with av.open(
        io.BytesIO(
            body_bytes(
                fetch(
                    user_api,
                    user_api.get(f"/api/v1/jobs/{job.pk}").json()["data"]["result"]["outputUrl"],
                )
            )
        )
    ) as container:
        assert container.streams.audio[0].codec_context.name in ("mp3", "mp3float")


def test_transcription_without_a_speech_model_is_a_clear_422(user_api, clip_id):
    response = user_api.post(
        "/api/v1/ai/audio",
        {
            "inputPath": clip_id,
            "model": "whisper",
            "operations": [{"type": "transcription", "parameters": {"language": "en"}}],
        },
        format="json",
    )
    body = assert_error(response, 422, "MODEL_NOT_CONFIGURED")
    assert "speech model" in body["error"]["message"]
    assert Job.objects.filter(type="audio_processing").count() == 0


def test_another_users_file_is_not_found(client_for, other_user, clip_id):
    response = client_for(other_user).post(
        "/api/v1/ai/video",
        {"inputPath": clip_id, "operations": [{"type": "resize", "parameters": {"width": 64}}]},
        format="json",
    )
    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "operations",
    [
        [{"type": "teleport"}],
        [{"type": "resize", "parameters": {"width": 1}}],
        [{"type": "enhancement", "parameters": {"contrast": 99}}],
        [],
    ],
)
def test_a_bad_operation_is_refused_before_a_job_exists(user_api, clip_id, operations):
    count = Job.objects.count()
    response = user_api.post(
        "/api/v1/ai/video", {"inputPath": clip_id, "operations": operations}, format="json"
    )
    assert_error(response, 400, "VALIDATION_ERROR")
    assert Job.objects.count() == count
