"""The AI Video System's generation: POST /generate/video to a playable MP4 and HLS stream."""

from __future__ import annotations

import io

import av
import pytest
from PIL import Image

from jobs.models import Job, JobStatus
from studio.models import Clip
from tests.config.test_conventions import assert_error
from tests.projects.factories import ProjectFactory
from tests.projects.helpers import run
from tests.studio.conftest import body_bytes, fetch

pytestmark = pytest.mark.django_db

GENERATE = "/api/v1/generate/video"
SMALL = {"duration": 2, "resolution": "320x180", "style": "realistic", "fps": 12}


def generate(client, **overrides):
    body = {"prompt": "A beautiful sunset over mountains", "parameters": dict(SMALL)}
    body.update(overrides)
    return client.post(GENERATE, body, format="json")


def test_generating_a_video_queues_a_job_and_says_how_long_it_should_take(user_api):
    response = generate(user_api)
    assert response.status_code == 202, response.content
    data = response.json()["data"]
    assert data["jobId"] == data["id"] and data["id"].startswith("job_")
    assert data["status"] == "queued"
    assert data["estimatedTime"] >= 1
    job = Job.objects.get(pk=data["jobId"])
    request = job.input["request"]
    assert (request["width"], request["height"], request["fps"]) == (320, 180, 12)
    assert request["style"] == "cinematic"  # "realistic" is the document's word for it
    assert sum(shot["duration"] for shot in request["shots"]) == pytest.approx(2)
    assert job.input["model"] == "mdl_animatic"
    assert job.queue == "cpu"


def test_a_finished_generation_is_a_clip_with_a_playable_mp4_and_hls_stream(user, user_api):
    job_id = generate(user_api).json()["data"]["jobId"]
    job = run(job_id)
    assert job.status == JobStatus.COMPLETED, job.error
    assert [s.name for s in job.stages.order_by("position")] == [
        "narration",
        "video_generation",
        "upload",
        "finalization",
    ]

    status = user_api.get(f"/api/v1/generate/status/{job_id}").json()["data"]
    assert (status["status"], status["progress"]) == ("completed", 100)
    clip_id = status["clipId"]
    assert clip_id.startswith("clp_")

    clip = user_api.get(f"/api/v1/generate/clip/{clip_id}").json()["data"]
    assert clip["format"] == "mp4" and clip["resolution"] == "320x180"
    assert clip["duration"] >= 2
    mp4 = body_bytes(fetch(user_api, clip["fileUrl"]))
    assert len(mp4) == clip["fileSize"]
    with av.open(io.BytesIO(mp4)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        assert (video.codec_context.name, audio.codec_context.name) == ("h264", "aac")
        assert (video.width, video.height) == (320, 180)
        assert float(container.duration / av.time_base) == pytest.approx(clip["duration"], abs=0.1)

    thumbnail = Image.open(io.BytesIO(body_bytes(fetch(user_api, clip["thumbnailUrl"]))))
    assert thumbnail.format == "JPEG"


def test_the_signed_hls_playlist_signs_every_variant_and_segment(user_api):
    job = run(generate(user_api).json()["data"]["jobId"])
    clip = user_api.get(f"/api/v1/generate/clip/{job.result['clipId']}").json()["data"]
    master = fetch(user_api, clip["hlsUrl"]).content.decode()
    assert master.startswith("#EXTM3U")
    variants = [line for line in master.splitlines() if line and not line.startswith("#")]
    assert len(variants) >= 2
    assert all("/files/" in variant for variant in variants)
    playlist = fetch(user_api, variants[0]).content.decode()
    segments = [line for line in playlist.splitlines() if line and not line.startswith("#")]
    assert segments and all("/files/" in segment for segment in segments)
    assert body_bytes(fetch(user_api, segments[0]))  # a segment downloads through its link


def test_a_clip_is_its_owners_alone(user_api, client_for, other_user):
    job = run(generate(user_api).json()["data"]["jobId"])
    other = client_for(other_user)
    assert_error(other.get(f"/api/v1/generate/clip/{job.result['clipId']}"), 404, "NOT_FOUND")
    assert_error(other.get(f"/api/v1/generate/status/{job.pk}"), 404, "NOT_FOUND")


def test_a_clip_made_in_a_project_is_listed_on_the_project(user, user_api):
    project = ProjectFactory(owner=user)
    job = run(generate(user_api, projectId=project.pk).json()["data"]["jobId"])
    detail = user_api.get(f"/api/v1/projects/{project.pk}").json()["data"]
    assert [clip["id"] for clip in detail["clips"]] == [job.result["clipId"]]
    assert detail["clipCount"] == 1


def test_a_project_of_someone_else_is_not_found(user_api, other_user):
    project = ProjectFactory(owner=other_user)
    assert_error(generate(user_api, projectId=project.pk), 404, "NOT_FOUND")
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"prompt": "   "}, "prompt"),
        ({"parameters": {**SMALL, "resolution": "4000x4000"}}, "request.width"),
        ({"parameters": {**SMALL, "resolution": "big"}}, "parameters.resolution"),
        ({"parameters": {**SMALL, "duration": 100000}}, "parameters.duration"),
        ({"parameters": {**SMALL, "style": "impressionist"}}, "parameters.style"),
        ({"parameters": {**SMALL, "sharpness": 3}}, "parameters.sharpness"),
        ({"model": "mdl_nonexistent"}, "model"),
        ({"model": "mdl_story_writer"}, "model"),
        ({"wat": 1}, "wat"),
    ],
)
def test_a_bad_request_is_refused_before_any_job_exists(user_api, body, field):
    response = generate(user_api, **body)
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in {item["field"] for item in error["error"]["details"]}, error
    assert not Job.objects.exists()


def test_video_generation_is_limited_to_ten_an_hour(user_api, settings):
    settings.RATELIMIT_ENABLE = True
    for _ in range(10):
        assert generate(user_api).status_code == 202
    response = generate(user_api)
    assert_error(response, 429, "RATE_LIMITED")
    assert int(response["Retry-After"]) > 0
    assert Job.objects.count() == 10


def test_cancelling_a_finished_render_is_refused_and_its_files_stay(user_api):
    job = run(generate(user_api).json()["data"]["jobId"])
    assert_error(user_api.post(f"/api/v1/jobs/{job.pk}/cancel"), 409, "JOB_NOT_CANCELLABLE")
    assert Clip.objects.filter(job=job).exists()


def test_signed_links_point_at_the_host_the_client_used(user_api):
    job = run(generate(user_api).json()["data"]["jobId"])
    data = user_api.get(f"/api/v1/jobs/{job.pk}", HTTP_HOST="127.0.0.1:9999").json()["data"]
    assert data["result"]["videoUrl"].startswith("http://127.0.0.1:9999/files/")


def test_the_studio_page_offers_the_render_form(api):
    response = api.get("/studio/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/generate/video" in page and "/ws/jobs/" in page
    # It plays the MP4 (videoUrl is the HLS master) and completes a two-factor sign-in.
    assert "result.mp4Url" in page and "/auth/login/verify" in page


def test_cancelling_mid_render_stops_the_encoder_and_leaves_no_files(
    user_api, monkeypatch, settings
):
    """The client cancels while frames are being encoded: the worker stops at the next frame."""
    from jobs import engine
    from jobs.services import job_cancel

    job_id = generate(user_api, parameters={**SMALL, "duration": 4}).json()["data"]["jobId"]
    real_report = engine.JobRunner.report

    def report(self, stage, fraction, message):
        if stage.name == "video_generation" and fraction > 0.3:
            job_cancel(job=Job.objects.get(pk=job_id))  # as POST /jobs/:id/cancel does
        return real_report(self, stage, fraction, message)

    monkeypatch.setattr(engine.JobRunner, "report", report)
    job = run(job_id)
    assert job.status == JobStatus.CANCELLED
    assert job.stages.get(name="upload").status != "completed"
    assert not (settings.JOB_WORKDIR / job_id).exists()
    assert not list(settings.MEDIA_ROOT.rglob("*.mp4"))
    assert not Clip.objects.filter(job_id=job_id).exists()


def test_without_a_speech_engine_the_video_is_made_silent_and_the_log_says_why(user_api, settings):
    settings.TTS_ENGINE = "none"
    job = run(generate(user_api).json()["data"]["jobId"])
    assert job.status == JobStatus.COMPLETED, job.error
    assert job.result["narrated"] is False
    logs = user_api.get(f"/api/v1/jobs/{job.pk}/logs?level=warn").json()["data"]
    assert any("no text-to-speech engine" in line["message"].lower() for line in logs)


def test_a_clip_a_moderator_removed_gives_no_links_through_its_job(user_api, moderator):
    from moderation.services import action_reverse, content_remove

    job = run(generate(user_api).json()["data"]["jobId"])
    action = content_remove(target_type="clip", target_id=job.result["clipId"], moderator=moderator)
    result = user_api.get(f"/api/v1/jobs/{job.pk}").json()["data"]["result"]
    assert result == {"clipId": job.result["clipId"], "removed": True}
    assert_error(user_api.get(f"/api/v1/generate/clip/{job.result['clipId']}"), 404, "NOT_FOUND")
    action_reverse(action=action, moderator=moderator)  # restored: the links come back
    result = user_api.get(f"/api/v1/jobs/{job.pk}").json()["data"]["result"]
    assert result["videoUrl"].startswith("http") and "removed" not in result


def test_a_prompt_screening_rejects_is_answered_with_its_job_and_says_so(user_api):
    response = generate(user_api, prompt="I will kill you, you worthless idiot. Kill yourself.")
    assert response.status_code == 202
    body = response.json()
    assert body["data"]["status"] == "moderation_failed"
    assert "screening" in body["message"]


def test_a_video_jobs_result_names_its_files_as_every_job_type_does(user_api):
    job = run(generate(user_api).json()["data"]["jobId"])
    shown = user_api.get(f"/api/v1/jobs/{job.pk}").json()["data"]
    result = shown["result"]
    # videoUrl is the HLS master, as on a scene job; mp4Url (and fileUrl) the MP4.
    assert body_bytes(fetch(user_api, result["videoUrl"])).startswith(b"#EXTM3U")
    assert result["hlsUrl"] == result["videoUrl"] and result["fileUrl"] == result["mp4Url"]
    assert body_bytes(fetch(user_api, result["mp4Url"]))[4:8] == b"ftyp"
    assert not {"file", "hlsFile", "thumbnailFile", "posterFile"} & set(result)
    assert not [v for v in result.values() if isinstance(v, str) and v.startswith("users/")]
    # The message says what was made, not what the last stage did.
    duration = f"{result['duration']:.1f}"
    assert shown["message"] == f"Video created: {duration} s at 320x180, HLS (2 renditions) and MP4"
