"""The job endpoints over HTTP, as a client developer reading the documents uses them.

StoryForge's `/jobs/:id`, `/progress` and `/retry`, StoryCore's list, logs and cancel, the film
job API's PATCH, cost estimate and signed URL, and the Idempotency-Key every job-creating
endpoint shares (through a tiny endpoint of this module, routed by its `urlpatterns`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import path
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

import config.urls
from jobs import engine
from jobs.api.submit import accepted, submit_job
from jobs.models import IdempotencyKey, Job, JobLog, JobStatus, Priority
from tests.config.test_conventions import TIMESTAMP, assert_error

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/jobs"


# --- a job-creating endpoint, as the domain apps will write them ---------------------------


class SubmitTestJobView(APIView):
    """POST /api/v1/test-jobs: queue a `test_steps` job whose input is the request body."""

    def post(self, request: Any) -> Response:
        job, created = submit_job(request, type="test_steps", input=dict(request.data))
        return accepted(job, created, message="Job queued")


urlpatterns = [
    path("api/v1/test-jobs", SubmitTestJobView.as_view()),
    *config.urls.urlpatterns,
]
handler400 = config.urls.handler400
handler403 = config.urls.handler403
handler404 = config.urls.handler404
handler500 = config.urls.handler500

with_submit_endpoint = pytest.mark.urls(__name__)


# --- helpers --------------------------------------------------------------------------------


def run(job: Job) -> Job:
    """Run the job on a worker, as Celery would, and return it as it ended."""
    engine.run_job(job.pk, worker="w1")
    job.refresh_from_db()
    return job


def born(job: Job, minutes_ago: int) -> Job:
    """Give the job a distinct creation time, so that orderings are deterministic."""
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    job.refresh_from_db()
    return job


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["data"]]


def error_fields(body: dict[str, Any]) -> set[str]:
    return {item["field"] for item in body["error"]["details"]}


@pytest.fixture
def other_api(other_user, client_for):
    return client_for(other_user)


@pytest.fixture
def storage():
    """Django's default storage, on the test's own folder (tests/conftest.py): the signed URLs
    serve from it."""
    return default_storage


# --- GET /jobs --------------------------------------------------------------------------------


def test_the_list_shows_only_the_callers_jobs_newest_first(user, other_user, user_api, submit):
    older = born(submit(user), 10)
    newer = born(submit(user), 5)
    submit(other_user)
    response = user_api.get(JOBS)
    assert ids(response) == [newer.pk, older.pk]
    assert response.json()["meta"] == {
        "page": 1,
        "limit": 20,
        "total": 2,
        "totalPages": 1,
        "hasMore": False,
    }


def test_the_list_without_a_token_is_unauthorized(api, user, submit):
    submit(user)
    assert_error(api.get(JOBS), 401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("completed", {"completed"}),
        ("final_ready", {"completed"}),  # StoryForge's word
        ("running", {"processing"}),  # StoryCore's word
        ("PROCESSING", {"processing"}),  # the AI Video System's spelling
        ("queued", {"queued"}),
        ("failed", set()),
    ],
)
def test_the_list_filters_by_status_in_every_documents_words(
    user, user_api, submit, status, expected
):
    for state in ("queued", "processing", "completed"):
        job = submit(user)
        Job.objects.filter(pk=job.pk).update(status=state)
    response = user_api.get(JOBS, {"status": status})
    assert response.status_code == 200, response.content
    assert {item["status"] for item in response.json()["data"]} == expected
    assert response.json()["meta"]["total"] == len(expected)


def test_an_unknown_status_filter_is_a_validation_error(user_api):
    body = assert_error(user_api.get(JOBS, {"status": "done"}), 400, "VALIDATION_ERROR")
    assert error_fields(body) == {"status"}


def test_the_list_filters_by_type(user, user_api, submit):
    submit(user)
    checked = submit(user, type="test_checked")
    assert ids(user_api.get(JOBS, {"type": "test_checked"})) == [checked.pk]
    assert ids(user_api.get(JOBS, {"type": "no_such_type"})) == []


@pytest.mark.parametrize("parameter", ["projectId", "project_id"])
def test_the_list_filters_by_project_in_either_casing(user, user_api, submit, parameter):
    mine = submit(user)
    submit(user)
    Job.objects.filter(pk=mine.pk).update(project_id="prj_film")
    assert ids(user_api.get(JOBS, {parameter: "prj_film"})) == [mine.pk]


# For each sort field: the values of jobs a, b, c (created in that order) and the ascending order.
SORTS = {
    "created_at": ({}, "abc"),
    "updated_at": ({"updated_at": (60, 180, 120)}, "bca"),  # minutes ago
    "status": ({"status": ("queued", "completed", "failed")}, "bca"),
    "priority": ({"priority": (Priority.NORMAL, Priority.URGENT, Priority.LOW)}, "cab"),
    "progress": ({"progress": (50, 10, 90)}, "bac"),
    "type": ({"type": ("test_steps", "test_crash", "test_checked")}, "cba"),
}


@pytest.mark.parametrize("sort", list(SORTS))
def test_the_list_sorts_by_each_documented_field_both_ways(user, user_api, submit, sort):
    values, ascending = SORTS[sort]
    jobs = {name: born(submit(user), minutes) for name, minutes in zip("abc", (30, 20, 10))}
    for field, per_job in values.items():
        for name, value in zip("abc", per_job):
            if field == "updated_at":
                value = timezone.now() - timedelta(minutes=value)
            Job.objects.filter(pk=jobs[name].pk).update(**{field: value})
    expected = [jobs[name].pk for name in ascending]
    assert ids(user_api.get(JOBS, {"sort": sort, "order": "asc"})) == expected
    assert ids(user_api.get(JOBS, {"sort": sort, "order": "desc"})) == expected[::-1]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"sort": "cost"}, "sort"),
        ({"sort": "createdAt; DROP TABLE jobs_job"}, "sort"),
        ({"order": "up"}, "order"),
        ({"sort": "priority", "order": "ascending"}, "order"),
    ],
)
def test_an_unknown_sort_or_order_is_a_validation_error(user_api, query, field):
    body = assert_error(user_api.get(JOBS, query), 400, "VALIDATION_ERROR")
    assert error_fields(body) == {field}


def test_the_list_pages_with_the_conventions_meta(user, user_api, submit):
    jobs = [born(submit(user), minutes) for minutes in (30, 20, 10)]
    first = user_api.get(JOBS, {"limit": 2})
    assert ids(first) == [jobs[2].pk, jobs[1].pk]
    assert first.json()["meta"] == {
        "page": 1,
        "limit": 2,
        "total": 3,
        "totalPages": 2,
        "hasMore": True,
    }
    second = user_api.get(JOBS, {"limit": 2, "page": 2})
    assert ids(second) == [jobs[0].pk]
    assert second.json()["meta"]["hasMore"] is False
    assert_error(user_api.get(JOBS, {"limit": 101}), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("count", [5, 25])
def test_the_list_runs_the_same_number_of_queries_whatever_the_page_size(
    user, user_api, submit, django_assert_max_num_queries, count
):
    # Waiting jobs are the costly ones: each shows its place in the queue and estimated start.
    for _ in range(count):
        submit(user)
    finished = run(submit(user))
    with django_assert_max_num_queries(7):
        response = user_api.get(JOBS, {"limit": 100})
    data = response.json()["data"]
    assert len(data) == count + 1
    assert all(item["queuePosition"] for item in data if item["id"] != finished.pk)


# --- GET /jobs/:id ---------------------------------------------------------------------------

DOCUMENTED_FIELDS = {
    "id",
    "type",
    "status",
    "stage",
    "progress",
    "message",
    "stages",
    "retryCount",
    "maxRetries",
    "result",
    "error",
    "createdAt",
    "startedAt",
    "completedAt",
    "estimatedCost",
    "actualCost",
    "priority",
    "queuePosition",
    "estimatedStart",
}


def test_a_queued_job_shows_the_documented_fields_and_its_place_in_the_queue(
    user, user_api, submit
):
    job = submit(user, text="Maya opens the door", cost="0.25")
    response = user_api.get(f"{JOBS}/{job.pk}")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert set(data) >= DOCUMENTED_FIELDS
    assert data["id"] == job.pk and job.pk.startswith("job_")
    assert (data["status"], data["stage"], data["progress"]) == ("queued", "queued", 0)
    assert data["stages"] == [
        {"name": name, "status": "pending", "progress": 0, "duration": None}
        | {"startedAt": None, "completedAt": None}
        for name in ("prepare", "count", "finish")
    ]
    assert (data["retryCount"], data["maxRetries"]) == (0, 3)
    assert (data["result"], data["error"]) == (None, None)
    assert TIMESTAMP.match(data["createdAt"])
    assert (data["startedAt"], data["completedAt"]) == (None, None)
    assert (data["estimatedCost"], data["actualCost"]) == (0.25, 0.0)
    assert data["priority"] == "normal"
    assert data["parameters"] == {"text": "Maya opens the door", "cost": "0.25"}
    assert data["queuePosition"] == 1
    assert TIMESTAMP.match(data["estimatedStart"])


def test_the_queue_position_counts_every_users_jobs_served_first(
    user, other_user, user_api, submit
):
    born(submit(other_user), 10)
    born(submit(other_user), 5)
    mine = born(submit(user), 1)
    assert user_api.get(f"{JOBS}/{mine.pk}").json()["data"]["queuePosition"] == 3
    Job.objects.filter(pk=mine.pk).update(priority=Priority.HIGH)
    assert user_api.get(f"{JOBS}/{mine.pk}").json()["data"]["queuePosition"] == 1


def test_a_completed_job_shows_its_result_times_and_no_place_in_the_queue(user, user_api, submit):
    job = run(submit(user, text="Maya", steps=2))
    data = user_api.get(f"{JOBS}/{job.pk}").json()["data"]
    assert (data["status"], data["stage"], data["progress"]) == ("completed", "completed", 100)
    assert data["result"] == {"total": 2, "chars": 4}
    assert data["error"] is None
    assert TIMESTAMP.match(data["startedAt"]) and TIMESTAMP.match(data["completedAt"])
    assert data["actualCost"] == data["estimatedCost"] == 0.1
    assert (data["queuePosition"], data["estimatedStart"]) == (None, None)
    assert [(s["name"], s["status"], s["progress"]) for s in data["stages"]] == [
        ("prepare", "completed", 100),
        ("count", "completed", 100),
        ("finish", "completed", 100),
    ]
    assert all(isinstance(s["duration"], float) for s in data["stages"])


def test_a_failed_job_shows_its_error_and_where_it_stopped(user, user_api, submit):
    job = run(submit(user, type="test_checked", text="the villain returns"))
    data = user_api.get(f"{JOBS}/{job.pk}").json()["data"]
    assert (data["status"], data["stage"]) == ("failed", "continuity_validation")
    assert data["error"]["code"] == "CONTINUITY_VIOLATION"
    assert data["error"]["issues"][0]["type"] == "name_drift"
    assert (data["retryCount"], data["maxRetries"]) == (0, 3)
    assert (data["queuePosition"], data["estimatedStart"]) == (None, None)


def test_another_users_job_is_not_found(other_user, user_api, submit):
    job = submit(other_user)
    assert_error(user_api.get(f"{JOBS}/{job.pk}"), 404, "NOT_FOUND")


def test_an_unknown_job_is_not_found(user_api):
    assert_error(user_api.get(f"{JOBS}/job_doesnotexist0000000"), 404, "NOT_FOUND")


# --- GET /jobs/:id/progress ------------------------------------------------------------------


def test_progress_lists_the_stages_in_order_and_the_jobs_websocket(user, user_api, submit):
    job = run(submit(user, type="test_checked", text="the villain returns"))
    response = user_api.get(f"{JOBS}/{job.pk}/progress")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert (data["id"], data["status"], data["stage"]) == (
        job.pk,
        "failed",
        "continuity_validation",
    )
    assert [(s["name"], s["status"]) for s in data["stages"]] == [
        ("continuity_validation", "failed"),
        ("count", "pending"),
    ]
    assert isinstance(data["stages"][0]["duration"], float)
    assert data["stages"][1]["duration"] is None
    assert data["wsUrl"].startswith("ws://")
    assert data["wsUrl"].endswith(f"/ws/jobs/{job.pk}")


def test_progress_of_another_users_job_is_not_found(other_user, user_api, submit):
    job = submit(other_user)
    assert_error(user_api.get(f"{JOBS}/{job.pk}/progress"), 404, "NOT_FOUND")


# --- GET /jobs/:id/logs ----------------------------------------------------------------------


def test_logs_tell_the_jobs_story_in_order(user, user_api, submit):
    job = run(submit(user, steps=1))
    response = user_api.get(f"{JOBS}/{job.pk}/logs")
    assert response.status_code == 200, response.content
    entries = response.json()["data"]
    messages = [entry["message"] for entry in entries]
    assert messages[0] == "Job queued"
    assert messages[-1] == "Job completed"
    assert "Stage count completed" in messages
    assert set(entries[0]) == {"timestamp", "level", "message", "details"}
    assert all(TIMESTAMP.match(entry["timestamp"]) for entry in entries)
    assert response.json()["meta"]["limit"] == 50
    assert response.json()["meta"]["total"] == len(entries)


def test_logs_filter_by_level(user, user_api, submit):
    job = run(submit(user, type="test_checked", text="the villain returns"))
    entries = user_api.get(f"{JOBS}/{job.pk}/logs", {"level": "error"}).json()["data"]
    assert [(e["level"], e["message"]) for e in entries] == [
        ("error", "Script contains contradictions with Scene Bible")
    ]
    assert entries[0]["details"] == {"code": "CONTINUITY_VIOLATION"}


def test_logs_accept_warning_as_the_warn_level(user, user_api, submit):
    job = submit(user)
    JobLog.objects.create(job=job, level="warn", message="GPU memory is low")
    entries = user_api.get(f"{JOBS}/{job.pk}/logs", {"level": "warning"}).json()["data"]
    assert [e["message"] for e in entries] == ["GPU memory is low"]


def test_an_unknown_log_level_is_a_validation_error(user, user_api, submit):
    job = submit(user)
    body = assert_error(
        user_api.get(f"{JOBS}/{job.pk}/logs", {"level": "loud"}), 400, "VALIDATION_ERROR"
    )
    assert error_fields(body) == {"level"}


def test_logs_page_fifty_by_default_and_up_to_two_hundred(user, user_api, submit):
    job = submit(user)  # one line: "Job queued"
    JobLog.objects.bulk_create(JobLog(job=job, message=f"line {n}") for n in range(210))
    default = user_api.get(f"{JOBS}/{job.pk}/logs")
    assert len(default.json()["data"]) == 50
    assert default.json()["meta"] == {
        "page": 1,
        "limit": 50,
        "total": 211,
        "totalPages": 5,
        "hasMore": True,
    }
    assert len(user_api.get(f"{JOBS}/{job.pk}/logs", {"limit": 200}).json()["data"]) == 200
    last = user_api.get(f"{JOBS}/{job.pk}/logs", {"limit": 200, "page": 2}).json()["data"]
    assert [e["message"] for e in last] == [f"line {n}" for n in range(199, 210)]
    body = assert_error(
        user_api.get(f"{JOBS}/{job.pk}/logs", {"limit": 201}), 400, "VALIDATION_ERROR"
    )
    assert error_fields(body) == {"limit"}


def test_logs_of_another_users_job_are_not_found(other_user, user_api, submit):
    job = submit(other_user)
    assert_error(user_api.get(f"{JOBS}/{job.pk}/logs"), 404, "NOT_FOUND")


# --- POST /jobs/:id/cancel -------------------------------------------------------------------


def test_cancelling_a_queued_job_answers_the_cancelled_job(user, user_api, submit):
    job = submit(user)
    response = user_api.post(f"{JOBS}/{job.pk}/cancel")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["data"]["id"], body["data"]["status"]) == (job.pk, "cancelled")
    assert TIMESTAMP.match(body["data"]["cancelledAt"])
    assert [s["status"] for s in body["data"]["stages"]] == ["cancelled"] * 3
    assert body["message"] == "Job cancelled successfully"
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert set(job.stages.values_list("status", flat=True)) == {"cancelled"}
    assert run(job).status == JobStatus.CANCELLED  # its queued task finds nothing to run


def test_cancelling_a_finished_job_is_refused(user, user_api, submit):
    job = run(submit(user))
    assert_error(user_api.post(f"{JOBS}/{job.pk}/cancel"), 409, "JOB_NOT_CANCELLABLE")
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED


def test_cancelling_another_users_job_is_not_found_and_changes_nothing(
    other_user, user_api, submit
):
    job = submit(other_user)
    assert_error(user_api.post(f"{JOBS}/{job.pk}/cancel"), 404, "NOT_FOUND")
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


# --- POST /jobs/:id/retry --------------------------------------------------------------------


def test_retrying_a_failed_job_with_modified_text_requeues_it(user, user_api, submit):
    job = run(submit(user, type="test_checked", text="the villain returns", steps=1))
    response = user_api.post(
        f"{JOBS}/{job.pk}/retry", {"modifiedText": "the hero returns"}, format="json"
    )
    assert response.status_code == 202, response.content
    data = response.json()["data"]
    assert (data["id"], data["status"], data["retryCount"]) == (job.pk, "queued", 1)
    assert data["message"] == "Job requeued for processing"
    assert data["error"] is None
    assert [s["status"] for s in data["stages"]] == ["pending", "pending"]
    job.refresh_from_db()
    assert job.input["text"] == "the hero returns"
    assert run(job).status == JobStatus.COMPLETED


def test_retrying_with_snake_case_retry_parameters_updates_the_parameters(user, user_api, submit):
    job = run(submit(user, type="test_crash"))
    response = user_api.post(
        f"{JOBS}/{job.pk}/retry", {"retry_parameters": {"temperature": 0.5}}, format="json"
    )
    assert response.status_code == 202, response.content
    job.refresh_from_db()
    assert job.input["parameters"] == {"temperature": 0.5}


def test_retrying_a_completed_job_is_refused(user, user_api, submit):
    job = run(submit(user))
    assert_error(user_api.post(f"{JOBS}/{job.pk}/retry"), 409, "JOB_NOT_RETRYABLE")
    job.refresh_from_db()
    assert (job.status, job.retry_count) == (JobStatus.COMPLETED, 0)


def test_retrying_beyond_max_retries_is_refused(user, user_api, submit):
    job = run(submit(user, type="test_crash"))
    for attempt in range(1, 4):
        response = user_api.post(f"{JOBS}/{job.pk}/retry")
        assert response.status_code == 202, response.content
        assert response.json()["data"]["retryCount"] == attempt
        job = run(job)
        assert job.status == JobStatus.FAILED
    assert_error(user_api.post(f"{JOBS}/{job.pk}/retry"), 409, "JOB_NOT_RETRYABLE")
    job.refresh_from_db()
    assert (job.status, job.retry_count) == (JobStatus.FAILED, 3)


def test_retrying_with_an_unknown_field_is_refused_and_changes_nothing(user, user_api, submit):
    job = run(submit(user, type="test_checked", text="the villain returns"))
    response = user_api.post(f"{JOBS}/{job.pk}/retry", {"modifiedTxt": "typo"}, format="json")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert error_fields(body) == {"modifiedTxt"}
    job.refresh_from_db()
    assert (job.status, job.retry_count) == (JobStatus.FAILED, 0)


def test_retrying_another_users_job_is_not_found(other_user, user_api, submit):
    job = run(submit(other_user, type="test_crash"))
    assert_error(user_api.post(f"{JOBS}/{job.pk}/retry"), 404, "NOT_FOUND")


# --- PATCH /jobs/:id -------------------------------------------------------------------------


def test_raising_a_waiting_jobs_priority_moves_it_ahead(user, user_api, submit):
    born(submit(user), 10)
    job = born(submit(user), 5)
    response = user_api.patch(f"{JOBS}/{job.pk}", {"priority": "high"}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert (data["priority"], data["queuePosition"]) == ("high", 1)
    job.refresh_from_db()
    assert job.priority == Priority.HIGH


@pytest.mark.parametrize("state", ["processing", "completed"])
def test_the_priority_of_a_job_that_left_the_queue_cannot_change(user, user_api, submit, state):
    job = submit(user)
    Job.objects.filter(pk=job.pk).update(status=state)
    response = user_api.patch(f"{JOBS}/{job.pk}", {"priority": "urgent"}, format="json")
    assert_error(response, 409, "CONFLICT")
    job.refresh_from_db()
    assert job.priority == Priority.NORMAL


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"status": "completed"}, {"status"}),
        ({"progress": 50}, {"progress"}),
        ({"status": "processing", "progress": 50.0}, {"status", "progress"}),  # the film doc's
        ({"status": "cancelled", "priority": "high"}, {"status"}),
    ],
)
def test_a_client_cannot_set_what_the_workers_write(user, user_api, submit, body, fields):
    job = submit(user)
    response = user_api.patch(f"{JOBS}/{job.pk}", body, format="json")
    assert error_fields(assert_error(response, 400, "VALIDATION_ERROR")) == fields
    job.refresh_from_db()
    assert (job.status, job.progress, job.priority) == ("queued", 0, Priority.NORMAL)


@pytest.mark.parametrize("priority", ["asap", "HIGH", 2, None])
def test_an_unknown_priority_is_a_validation_error(user, user_api, submit, priority):
    job = submit(user)
    response = user_api.patch(f"{JOBS}/{job.pk}", {"priority": priority}, format="json")
    assert error_fields(assert_error(response, 400, "VALIDATION_ERROR")) == {"priority"}
    job.refresh_from_db()
    assert job.priority == Priority.NORMAL


def test_changing_another_users_job_is_not_found(other_user, user_api, submit):
    job = submit(other_user)
    response = user_api.patch(f"{JOBS}/{job.pk}", {"priority": "high"}, format="json")
    assert_error(response, 404, "NOT_FOUND")
    job.refresh_from_db()
    assert job.priority == Priority.NORMAL


# --- POST /jobs/estimate-cost ----------------------------------------------------------------

# The film job API's example: 10 images, 30 s of video with voice and music (jobs/costs.py).
FILM_BREAKDOWN = {
    "imageGeneration": 0.20,
    "videoGeneration": 1.50,
    "voiceSynthesis": 0.45,
    "musicSynthesis": 0.30,
    "ffmpegProcessing": 0.03,
}


@pytest.mark.parametrize(
    "body",
    [
        {"num_images": 10, "video_duration": 30, "include_voice": True, "include_music": True},
        {"numImages": 10, "videoDuration": 30, "includeVoice": True, "includeMusic": True},
    ],
    ids=["snake_case", "camelCase"],
)
def test_the_film_estimate_itemises_images_video_voice_music_and_packaging(user_api, body):
    response = user_api.post(f"{JOBS}/estimate-cost", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["breakdown"] == FILM_BREAKDOWN
    assert data["estimatedCost"] == pytest.approx(2.48)
    assert data["estimatedCost"] == pytest.approx(sum(FILM_BREAKDOWN.values()))


def test_an_estimate_without_voice_and_music_prices_them_at_zero(user_api):
    body = {"num_images": 4, "video_duration": 10}
    data = user_api.post(f"{JOBS}/estimate-cost", body, format="json").json()["data"]
    assert data["breakdown"]["voiceSynthesis"] == data["breakdown"]["musicSynthesis"] == 0
    assert data["estimatedCost"] == pytest.approx(0.08 + 0.50 + 0.01)


def test_a_registered_type_is_estimated_from_its_parameters(user_api):
    body = {"type": "test_steps", "parameters": {"cost": "3.25"}}
    response = user_api.post(f"{JOBS}/estimate-cost", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"] == {"estimatedCost": 3.25, "breakdown": {"work": 3.25}}


def test_parameters_a_type_cannot_price_are_a_validation_error_not_a_crash(user_api):
    body = {"type": "test_steps", "parameters": {"cost": "a lot"}}
    response = user_api.post(f"{JOBS}/estimate-cost", body, format="json")
    assert error_fields(assert_error(response, 400, "VALIDATION_ERROR")) == {"parameters"}


def test_estimating_an_unknown_type_is_a_validation_error(user_api):
    response = user_api.post(f"{JOBS}/estimate-cost", {"type": "teleport"}, format="json")
    assert error_fields(assert_error(response, 400, "VALIDATION_ERROR")) == {"type"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"num_images": -1}, "numImages"),
        ({"video_duration": -30}, "videoDuration"),
        ({"num_images": "ten"}, "numImages"),
        ({"num_images": 2.5}, "numImages"),
        ({"num_images": True}, "numImages"),
        ({"video_duration": "half a minute"}, "videoDuration"),
        ({"video_duration": "30"}, "videoDuration"),
        ({"video_duration": True}, "videoDuration"),
        ({"include_voice": "yes"}, "includeVoice"),
        ({"type": 7}, "type"),
        ({"type": "test_steps", "parameters": "cost=3"}, "parameters"),
        ({"num_image": 10}, "numImage"),
    ],
)
def test_an_estimate_with_a_bad_value_is_a_validation_error(user_api, body, field):
    response = user_api.post(f"{JOBS}/estimate-cost", body, format="json")
    assert error_fields(assert_error(response, 400, "VALIDATION_ERROR")) == {field}


def test_estimating_needs_a_token(api):
    assert_error(api.post(f"{JOBS}/estimate-cost", {}, format="json"), 401, "UNAUTHORIZED")


# --- POST /jobs/signed-url -------------------------------------------------------------------


@pytest.fixture
def finished_with_file(user, submit, storage):
    """A completed job whose result names a file in the default storage."""
    name = storage.save("jobs/output.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42 fake video"))
    job = run(submit(user))
    Job.objects.filter(pk=job.pk).update(result={"file": name})
    job.refresh_from_db()
    return job


def signed(user_api, job: Job, key: str = "job_id") -> dict[str, Any]:
    response = user_api.post(f"{JOBS}/signed-url", {key: job.pk}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["data"]


@pytest.mark.parametrize("key", ["job_id", "jobId"])
def test_a_signed_url_downloads_the_jobs_file_without_a_token(
    user_api, finished_with_file, settings, key
):
    data = signed(user_api, finished_with_file, key)
    assert TIMESTAMP.match(data["expiresAt"])
    expires = datetime.fromisoformat(data["expiresAt"])
    remaining = (expires - timezone.now()).total_seconds()
    assert settings.SIGNED_URL_TTL - 5 < remaining <= settings.SIGNED_URL_TTL
    response = APIClient().get(data["url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x00\x00\x00\x18ftypmp42 fake video"
    assert response["Content-Type"] == "video/mp4"


def test_a_signed_url_stops_working_when_it_expires(user_api, finished_with_file, monkeypatch):
    data = signed(user_api, finished_with_file)
    expires = datetime.fromisoformat(data["expiresAt"])
    monkeypatch.setattr(timezone, "now", lambda: expires - timedelta(seconds=1))
    assert APIClient().get(data["url"]).status_code == 200
    monkeypatch.setattr(timezone, "now", lambda: expires + timedelta(seconds=1))
    assert_error(APIClient().get(data["url"]), 404, "NOT_FOUND")


def test_a_tampered_signed_url_is_not_found(user_api, finished_with_file):
    url = signed(user_api, finished_with_file)["url"]
    prefix, token, name = url.rsplit("/", 2)  # …/files/<token>/<the file's name>
    payload, signature = token.rsplit(":", 1)
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    assert_error(APIClient().get(f"{prefix}/{flipped}:{signature}/{name}"), 404, "NOT_FOUND")
    assert_error(APIClient().get(f"{prefix}/{token[:-2]}/{name}"), 404, "NOT_FOUND")


def test_a_signed_url_of_a_job_that_has_not_completed_is_a_conflict(
    user, user_api, submit, storage
):
    name = storage.save("jobs/partial.mp4", ContentFile(b"partial"))
    job = submit(user)
    Job.objects.filter(pk=job.pk).update(result={"file": name})
    response = user_api.post(f"{JOBS}/signed-url", {"job_id": job.pk}, format="json")
    assert_error(response, 409, "CONFLICT")


def test_a_signed_url_of_a_completed_job_without_a_file_is_a_conflict(user, user_api, submit):
    job = run(submit(user))
    response = user_api.post(f"{JOBS}/signed-url", {"job_id": job.pk}, format="json")
    assert_error(response, 409, "CONFLICT")


def test_a_signed_url_of_another_users_job_is_not_found(other_user, finished_with_file, client_for):
    response = client_for(other_user).post(
        f"{JOBS}/signed-url", {"job_id": finished_with_file.pk}, format="json"
    )
    assert_error(response, 404, "NOT_FOUND")


def test_a_signed_url_request_without_a_job_id_is_a_validation_error(user_api):
    response = user_api.post(f"{JOBS}/signed-url", {}, format="json")
    assert error_fields(assert_error(response, 400, "VALIDATION_ERROR")) == {"jobId"}


# --- Idempotency-Key and cost limits on a job-creating endpoint -----------------------------

SUBMIT = "/api/v1/test-jobs"


def post_job(client, body: dict[str, Any], key: str | None = None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(SUBMIT, body, format="json", headers=headers)


@with_submit_endpoint
def test_a_created_job_answers_202_with_the_queued_job(user_api):
    response = post_job(user_api, {"steps": 2})
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["data"]["status"], body["message"]) == ("queued", "Job queued")
    assert "Idempotent-Replayed" not in response
    assert Job.objects.get().pk == body["data"]["id"]


@with_submit_endpoint
def test_the_same_idempotency_key_and_body_return_the_first_job(user_api):
    first = post_job(user_api, {"steps": 2}, key="film-42")
    again = post_job(user_api, {"steps": 2}, key="film-42")
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    assert Job.objects.count() == 1


@with_submit_endpoint
def test_the_same_idempotency_key_with_another_body_is_a_conflict(user_api):
    assert post_job(user_api, {"steps": 2}, key="film-42").status_code == 202
    assert_error(post_job(user_api, {"steps": 3}, key="film-42"), 409, "CONFLICT")
    assert Job.objects.count() == 1


@with_submit_endpoint
def test_another_user_may_use_the_same_idempotency_key(user_api, other_api):
    mine = post_job(user_api, {"steps": 2}, key="film-42")
    theirs = post_job(other_api, {"steps": 2}, key="film-42")
    assert (mine.status_code, theirs.status_code) == (202, 202)
    assert "Idempotent-Replayed" not in theirs
    assert Job.objects.count() == 2


@with_submit_endpoint
def test_an_over_long_idempotency_key_is_a_validation_error(user_api):
    body = assert_error(post_job(user_api, {"steps": 2}, key="k" * 256), 400, "VALIDATION_ERROR")
    assert error_fields(body) == {"Idempotency-Key"}
    assert not Job.objects.exists()
    assert post_job(user_api, {"steps": 2}, key="k" * 255).status_code == 202


@with_submit_endpoint
def test_an_idempotency_key_is_free_again_after_24_hours(user_api):
    first = post_job(user_api, {"steps": 2}, key="film-42")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=24, minutes=1))
    later = post_job(user_api, {"steps": 3}, key="film-42")
    assert later.status_code == 202, later.content
    assert "Idempotent-Replayed" not in later
    assert later.json()["data"]["id"] != first.json()["data"]["id"]
    assert Job.objects.count() == 2
    replay = post_job(user_api, {"steps": 3}, key="film-42")
    assert replay.json()["data"]["id"] == later.json()["data"]["id"]


@with_submit_endpoint
def test_a_job_over_the_cost_limit_is_refused_and_not_created(user_api):
    body = assert_error(post_job(user_api, {"cost": "100.01"}), 402, "COST_LIMIT")
    assert body["error"]["details"] == {"estimatedCost": 100.01, "limit": 100.0}
    assert not Job.objects.exists()
    assert post_job(user_api, {"cost": "100"}).status_code == 202  # exactly the limit is fine
