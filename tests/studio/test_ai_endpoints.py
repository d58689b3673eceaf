"""StoryCore's AI endpoints: text, image and the model registry."""

from __future__ import annotations

import io
import types

import pytest
from PIL import Image

from jobs.models import Job, JobStatus
from studio import tuning
from tests.config.test_conventions import assert_error
from tests.projects.helpers import run
from tests.studio.conftest import body_bytes, fetch

pytestmark = pytest.mark.django_db


def test_text_generation_answers_201_with_the_job_and_writes_about_the_prompt(user_api):
    response = user_api.post(
        "/api/v1/ai/text",
        {
            "prompt": "Write a story about a robot who learns to feel emotions",
            "parameters": {"temperature": 0.7, "maxTokens": 300},
            "context": {"genre": "science fiction", "length": "short story"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert (data["type"], data["model"]) == ("text_generation", "mdl_story_writer")
    assert data["parameters"] == {"temperature": 0.7, "maxTokens": 300}
    assert data["context"] == {"genre": "science fiction", "length": "short story"}
    job = run(data["id"])
    assert job.status == JobStatus.COMPLETED, job.error
    result = user_api.get(f"/api/v1/jobs/{job.pk}").json()["data"]["result"]
    assert "robot" in result["text"].lower()
    assert 0 < result["tokensUsed"] <= 300


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"prompt": ""}, "prompt"),
        ({"prompt": "x", "model": "gpt-17"}, "model"),
        ({"prompt": "x", "parameters": {"temperature": 5}}, "parameters.temperature"),
        ({"prompt": "x", "parameters": {"maxTokens": "many"}}, "parameters.maxTokens"),
        ({"prompt": "x", "parameters": {"beamWidth": 3}}, "parameters.beamWidth"),
    ],
)
def test_a_bad_text_request_creates_no_job(user_api, body, field):
    error = assert_error(
        user_api.post("/api/v1/ai/text", body, format="json"), 400, "VALIDATION_ERROR"
    )
    assert field in {item["field"] for item in error["error"]["details"]}
    assert not Job.objects.exists()


def test_image_generation_stores_a_jpeg_of_the_asked_size(user_api):
    response = user_api.post(
        "/api/v1/ai/image",
        {
            "prompt": "A beautiful landscape with mountains and a lake",
            "parameters": {"resolution": "320x192", "seed": 12345},
            "context": {"style": "realistic"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    job = run(response.json()["data"]["id"])
    assert job.status == JobStatus.COMPLETED, job.error
    result = user_api.get(f"/api/v1/jobs/{job.pk}").json()["data"]["result"]
    assert result["resolution"] == "320x192"
    image = Image.open(io.BytesIO(body_bytes(fetch(user_api, result["imageUrl"]))))
    assert (image.format, image.size) == ("JPEG", (320, 192))


def test_an_image_at_an_impossible_size_is_refused(user_api):
    response = user_api.post(
        "/api/v1/ai/image",
        {"prompt": "a lake", "parameters": {"resolution": "10x10"}},
        format="json",
    )
    assert_error(response, 400, "VALIDATION_ERROR")


def test_the_model_registry_lists_models_by_type(user_api):
    listed = user_api.get("/api/v1/ai/models").json()
    ids = {model["id"] for model in listed["data"]}
    assert {"mdl_animatic", "mdl_diffusers_video", "mdl_story_writer", "mdl_tts"} <= ids
    assert listed["meta"]["total"] == len(ids)
    videos = user_api.get("/api/v1/ai/models?type=video").json()["data"]
    assert videos and {model["type"] for model in videos} == {"video"}
    animatic = next(model for model in videos if model["id"] == "mdl_animatic")
    assert animatic["status"] == "active"
    assert animatic["parameters"]["fps"]["default"] == 24
    assert_error(user_api.get("/api/v1/ai/models?type=smell"), 400, "VALIDATION_ERROR")


def test_a_models_detail_counts_its_real_usage(user_api):
    job_id = user_api.post(
        "/api/v1/ai/text", {"prompt": "A lighthouse keeper"}, format="json"
    ).json()["data"]["id"]
    run(job_id)
    detail = user_api.get("/api/v1/ai/models/mdl_story_writer").json()["data"]
    assert detail["usage"]["totalRequests"] == 1
    assert detail["usage"]["successRate"] == 1.0
    assert_error(user_api.get("/api/v1/ai/models/mdl_nope"), 404, "NOT_FOUND")


def test_the_ai_endpoints_need_a_token(api):
    assert_error(api.post("/api/v1/ai/text", {"prompt": "x"}, format="json"), 401, "UNAUTHORIZED")
    assert_error(api.get("/api/v1/ai/models"), 401, "UNAUTHORIZED")


def test_optimizing_a_model_reports_what_it_measured_and_tunes_the_callers_defaults(
    user_api, monkeypatch
):
    """The probe's clock is replaced by one that reads out known times and records when it is
    read: the answer must carry exactly those times, taken around the runs themselves."""
    events: list[str] = []
    readings = iter([100.0, 104.0, 200.0, 201.0])  # the defaults take 4 s, the tuning 1 s

    def clock() -> float:
        events.append("clock")
        return next(readings)

    frames_made: list[int] = []
    real_probe = tuning._probe

    def probe(spec, task, parameters):
        work = real_probe(spec, task, parameters)

        def recorded():
            events.append("work")
            frames_made.append(work())

        return recorded

    monkeypatch.setattr(tuning, "time", types.SimpleNamespace(perf_counter=clock))
    monkeypatch.setattr(tuning, "_probe", probe)
    response = user_api.post(
        "/api/v1/ai/models/mdl_animatic/optimize",
        {"task": "video_generation", "optimizationLevel": "speed"},
        format="json",
    )
    assert response.status_code == 202, response.content
    job = run(response.json()["data"]["id"])
    assert job.status == JobStatus.COMPLETED, job.error
    result = user_api.get(f"/api/v1/jobs/{job.pk}").json()["data"]["result"]
    assert (result["status"], result["optimizationLevel"]) == ("optimized", "speed")
    measured = result["optimizationResult"]
    baseline, tuned = measured["baseline"], measured["tuned"]

    # A warm-up, then each measured run between two readings of the clock.
    assert events == ["work", "clock", "work", "clock", "clock", "work", "clock"]
    # The defaults render 1 s at 24 fps, the speed tuning 1 s at 12 fps: the runs were real.
    assert frames_made == [24, 24, 12]
    assert (baseline["parameters"]["fps"], baseline["parameters"]["resolution"]) == (
        24,
        "1280x720",
    )
    assert (tuned["parameters"]["fps"], tuned["parameters"]["resolution"]) == (12, "640x360")
    assert (baseline["seconds"], tuned["seconds"]) == (4.0, 1.0)
    assert measured["speedImprovement"] == 0.75
    assert measured["performanceImprovement"] == 3.0
    # Peak memory is tracemalloc's own: each run held at least one of its RGB frames.
    assert baseline["peakMemory"] >= 1280 * 720 * 3
    assert tuned["peakMemory"] >= 640 * 360 * 3
    assert measured["memoryReduction"] == pytest.approx(
        1 - tuned["peakMemory"] / baseline["peakMemory"], abs=1e-3
    )
    # The caller's next video uses the tuned defaults.
    queued = user_api.post(
        "/api/v1/generate/video", {"prompt": "A harbour at dawn"}, format="json"
    ).json()["data"]
    request = Job.objects.get(pk=queued["jobId"]).input["request"]
    assert (request["width"], request["height"], request["fps"]) == (640, 360, 12)


def test_optimizing_for_a_task_the_model_does_not_do_is_refused(user_api):
    response = user_api.post(
        "/api/v1/ai/models/mdl_animatic/optimize", {"task": "text_generation"}, format="json"
    )
    assert_error(response, 400, "VALIDATION_ERROR")
    assert_error(
        user_api.post("/api/v1/ai/models/mdl_nope/optimize", {"task": "x"}, format="json"),
        404,
        "NOT_FOUND",
    )
