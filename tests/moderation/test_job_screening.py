"""Screening before GPU time: a job's texts are screened at submit, in the web process, and a
rejected input ends `moderation_failed` without its task ever being sent."""

from __future__ import annotations

from unittest import mock

import pytest

from config.api.errors import ServiceUnavailable
from jobs import registry
from jobs.models import Job, JobStatus, StageStatus
from jobs.services import job_retry, job_submit
from tests.moderation.conftest import BAD_PROMPT

pytestmark = pytest.mark.django_db

GENERATE = "/api/v1/generate/video"
SMALL = {"duration": 2, "resolution": "320x180", "fps": 12}


@pytest.fixture(autouse=True)
def _screening_settings(settings):
    settings.MODERATION_BACKEND = "rules"
    settings.MODERATION_THRESHOLD = 0.7
    settings.MODERATION_REVIEW_THRESHOLD = 0.4


@pytest.fixture
def sent():
    """The tasks sent to the workers (none run)."""
    with mock.patch("jobs.tasks.run_job_task.apply_async") as apply_async:
        yield apply_async


def generate(client, prompt: str, capture):
    with capture(execute=True):
        response = client.post(
            GENERATE, {"prompt": prompt, "parameters": dict(SMALL)}, format="json"
        )
    assert response.status_code == 202, response.content
    return response.json()["data"]


def test_a_flagged_prompt_ends_moderation_failed_and_never_reaches_a_worker(
    user_api, sent, django_capture_on_commit_callbacks
):
    data = generate(user_api, BAD_PROMPT, django_capture_on_commit_callbacks)
    assert data["status"] == "moderation_failed"
    assert data["moderationStatus"] == "rejected"
    assert data["moderationScore"] >= 0.7
    assert data["actualCost"] == 0
    error = data["error"]
    assert error["code"] == "MODERATION_FAILED"
    assert {reason["category"] for reason in error["reasons"]} == {"harassment"}
    assert set(error["categories"]) == {"harassment"}
    sent.assert_not_called()
    job = Job.objects.get(pk=data["id"])
    assert job.stage == "moderation_failed" and job.completed_at is not None
    assert set(job.stages.values_list("status", flat=True)) == {StageStatus.CANCELLED}
    events = list(job.events.values_list("type", "payload__status"))
    assert events == [("job_progress", "moderating"), ("job_failed", "moderation_failed")]


def test_a_clean_prompt_is_screened_approved_and_queued(
    user_api, sent, django_capture_on_commit_callbacks
):
    data = generate(
        user_api, "A calm sunrise over the mountains", django_capture_on_commit_callbacks
    )
    assert (data["status"], data["moderationStatus"]) == ("queued", "approved")
    assert data["moderationScore"] == 0
    sent.assert_called_once()
    assert sent.call_args.kwargs["args"] == [data["id"]]


def test_a_refused_job_costs_nothing_against_the_daily_limit(user, sent, settings):
    job, _ = job_submit(owner=user, type="text_generation", input={"prompt": BAD_PROMPT})
    assert job.status == JobStatus.MODERATION_FAILED
    assert job.actual_cost == 0
    settings.JOB_COST_LIMIT_PER_DAY = job.estimated_cost  # only refused work so far today
    clean, _ = job_submit(owner=user, type="text_generation", input={"prompt": "A haiku"})
    assert clean.status == JobStatus.QUEUED


@pytest.mark.parametrize(
    ("job_type", "job_input"),
    [
        ("text_generation", {"prompt": BAD_PROMPT}),
        ("text_generation", {"prompt": "Continue", "context": {"previous": BAD_PROMPT}}),
        ("image_generation", {"prompt": BAD_PROMPT}),
        ("film", {"script": f"A quiet street at night.\n{BAD_PROMPT}"}),
        ("video_generation", {"prompt": "A calm lake", "title": BAD_PROMPT}),
    ],
)
def test_every_generation_type_screens_its_texts(user, sent, job_type, job_input):
    job, _ = job_submit(owner=user, type=job_type, input=job_input)
    assert (job.status, job.moderation_status) == (JobStatus.MODERATION_FAILED, "rejected")


def test_a_template_render_screens_the_customised_texts(user, sent):
    job_input = {
        "request": {
            "shots": [{"prompt": "Title card", "narration": BAD_PROMPT, "duration": 2}],
            "width": 320,
            "height": 180,
        }
    }
    job, _ = job_submit(owner=user, type="video_generation", input=job_input)
    assert job.status == JobStatus.MODERATION_FAILED


# A job type of this test's own: `text` is what it screens and what a retry replaces.
SCREENED = registry.register(
    registry.JobType(
        name="moderation_test_screened",
        stages=(registry.Stage("echo", lambda ctx: {"text": ctx.input["text"]}),),
        screen=lambda data: [data["text"]],
    )
)


def failed(job: Job) -> Job:
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    job.refresh_from_db()
    return job


def test_a_retry_with_changed_text_is_screened_again(user, sent):
    job, _ = job_submit(owner=user, type=SCREENED.name, input={"text": "A haiku"})
    assert job.status == JobStatus.QUEUED
    assert job_retry(job=failed(job)).status == JobStatus.QUEUED  # unchanged: not re-screened
    retried = job_retry(job=failed(job), modified_text=BAD_PROMPT)
    assert (retried.status, retried.moderation_status) == (JobStatus.MODERATION_FAILED, "rejected")
    assert retried.error["code"] == "MODERATION_FAILED"
    assert retried.actual_cost == 0


def test_screening_that_cannot_run_refuses_the_job_with_503(user, sent, monkeypatch):
    def broken(texts, context):
        raise ConnectionError("moderation service down")

    monkeypatch.setattr(registry, "_screener", [broken])
    before = Job.objects.count()
    with pytest.raises(ServiceUnavailable):
        job_submit(owner=user, type="text_generation", input={"prompt": "A haiku"})
    assert Job.objects.count() == before
    sent.assert_not_called()
