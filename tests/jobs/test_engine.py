"""The engine: claim, stages, progress, failure, cancellation, recovery."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from jobs import engine, services
from jobs.models import IllegalTransition, Job, JobEvent, JobStage, JobStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(job: Job, worker: str = "w1") -> str:
    return engine.run_job(job.pk, worker=worker)


def test_a_job_runs_its_stages_in_order_to_completion(user, submit, settings):
    job = submit(user, text="Maya opens the door", steps=4)
    assert job.status == JobStatus.QUEUED
    assert run(job) == engine.ClaimResult.CLAIMED
    job.refresh_from_db()
    assert (job.status, job.progress, job.stage) == ("completed", 100, "completed")
    assert job.result == {"total": 4, "chars": 19}
    assert job.actual_cost == job.estimated_cost
    stages = list(job.stages.values_list("name", "status", "runs"))
    assert stages == [
        ("prepare", "completed", 1),
        ("count", "completed", 1),
        ("finish", "completed", 1),
    ]
    assert not (settings.JOB_WORKDIR / job.pk).exists()
    kinds = list(JobEvent.objects.filter(job=job).values_list("type", flat=True))
    assert kinds[-1] == "job_complete"
    progress = [
        e.payload["progress"] for e in JobEvent.objects.filter(job=job, type="job_progress")
    ]
    assert progress == sorted(progress)
    assert any(
        e.payload.get("message") == "Rendering frame 4 of 4"
        for e in JobEvent.objects.filter(job=job)
    )


def test_a_job_is_claimed_once(user, submit):
    job = submit(user)
    assert run(job) == engine.ClaimResult.CLAIMED
    assert run(job, worker="w2") == engine.ClaimResult.GONE
    assert JobStage.objects.get(job=job, name="count").runs == 1


def test_a_stage_that_gives_up_fails_the_job_with_its_code_and_issues(user, submit):
    job = submit(user, type="test_checked", text="the villain returns")
    run(job)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.stage == "continuity_validation"
    assert job.error["code"] == "CONTINUITY_VIOLATION"
    assert job.error["issues"][0]["type"] == "name_drift"
    assert JobEvent.objects.filter(job=job).last().type == "job_failed"


def test_an_exception_fails_the_job_as_generation_failed(user, submit):
    job = submit(user, type="test_crash")
    run(job)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error["code"] == "GENERATION_FAILED"
    assert "renderer fell over" in job.error["message"]
    assert job.logs.filter(level="error").exists()


@pytest.mark.django_db(transaction=True)
def test_cancel_stops_a_running_job_and_removes_its_files(settings, monkeypatch):
    monkeypatch.setattr(services, "enqueue", lambda job, **kwargs: None)  # run it here instead
    user = UserFactory()
    job, _ = services.job_submit(owner=user, type="test_steps", input={"steps": 200, "delay": 0.02})
    worker = threading.Thread(target=lambda: (run(job), connection.close()))
    worker.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.stage == "count" and job.progress > 10:
            break
        time.sleep(0.02)
    assert (settings.JOB_WORKDIR / job.pk).exists()
    services.job_cancel(job=job)
    worker.join(timeout=10)
    assert not worker.is_alive()
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    count = JobStage.objects.get(job=job, name="count")
    assert count.status == "cancelled"
    assert count.progress < 100
    assert JobStage.objects.get(job=job, name="finish").status == "cancelled"
    assert not (settings.JOB_WORKDIR / job.pk).exists()


def test_cancelling_a_finished_job_is_refused(user, submit):
    job = submit(user)
    run(job)
    job.refresh_from_db()
    with pytest.raises(services.JobNotCancellable):
        services.job_cancel(job=job)


def test_illegal_transitions_raise(user, submit):
    job = submit(user)
    with pytest.raises(IllegalTransition):
        job.mark_completed(result={}, actual_cost=0)
    stale = Job.objects.get(pk=job.pk)
    job.mark_cancelled()
    with pytest.raises(IllegalTransition):  # the stale copy lost the race
        stale.mark_cancelled()


def test_a_rerun_skips_the_stages_that_already_have_their_output(user, submit):
    job = submit(user, steps=3)
    JobStage.objects.filter(job=job, name="prepare").update(
        status="completed", output={"chars": 42}, runs=1
    )
    run(job)
    job.refresh_from_db()
    assert job.result == {"total": 3, "chars": 42}
    assert JobStage.objects.get(job=job, name="prepare").runs == 1
    assert job.logs.filter(message="Stage prepare already done; skipped").exists()


def test_a_free_user_runs_one_job_at_a_time(user, submit):
    first, second = submit(user), submit(user)
    Job.objects.filter(pk=first.pk).update(
        status="processing", heartbeat_at=timezone.now(), worker="elsewhere"
    )
    assert run(second) == engine.ClaimResult.BUSY
    second.refresh_from_db()
    assert second.status == JobStatus.QUEUED
    pro = UserFactory(plan="pro")
    a, b = submit(pro), submit(pro)
    Job.objects.filter(pk=a.pk).update(status="processing", heartbeat_at=timezone.now())
    assert run(b) == engine.ClaimResult.CLAIMED


def test_the_sweep_requeues_a_job_whose_worker_stopped(
    user, submit, settings, django_capture_on_commit_callbacks
):
    job = submit(user)
    stale = timezone.now() - timedelta(seconds=settings.JOB_LEASE_SECONDS + 5)
    JobStage.objects.filter(job=job, name="prepare").update(status="completed", output={"chars": 0})
    JobStage.objects.filter(job=job, name="count").update(status="in_progress", progress=40)
    Job.objects.filter(pk=job.pk).update(
        status="processing", heartbeat_at=stale, attempts=1, worker="dead"
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.jobs_sweep()["requeued"] == 1
    assert len(callbacks) >= 1  # the job's task is sent again
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert JobStage.objects.get(job=job, name="count").status == "pending"
    assert JobStage.objects.get(job=job, name="prepare").status == "completed"
    run(job)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert job.attempts == 2


def test_a_redelivered_message_takes_over_a_job_whose_worker_stopped(user, submit, settings):
    job = submit(user)
    stale = timezone.now() - timedelta(seconds=settings.JOB_LEASE_SECONDS + 5)
    Job.objects.filter(pk=job.pk).update(status="processing", heartbeat_at=stale, attempts=1)
    assert run(job) == engine.ClaimResult.CLAIMED
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert job.logs.filter(message="Job taken over after its worker stopped").exists()


def test_the_sweep_fails_a_job_that_lost_its_worker_too_often(user, submit, settings):
    job = submit(user)
    stale = timezone.now() - timedelta(seconds=settings.JOB_LEASE_SECONDS + 5)
    Job.objects.filter(pk=job.pk).update(
        status="processing", heartbeat_at=stale, attempts=settings.JOB_MAX_ATTEMPTS
    )
    assert services.jobs_sweep()["failed"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error["code"] == "GENERATION_FAILED"


def test_the_sweep_resends_a_queued_job_nobody_picked_up(
    user, submit, settings, django_capture_on_commit_callbacks
):
    job = submit(user)
    Job.objects.filter(pk=job.pk).update(
        queued_at=timezone.now() - timedelta(seconds=settings.JOB_RESEND_AFTER_SECONDS + 1)
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.jobs_sweep()["resent"] == 1
    assert callbacks


def test_retry_with_modified_text_reruns_every_stage(user, submit):
    job = submit(user, type="test_checked", text="the villain returns", steps=2)
    run(job)
    job.refresh_from_db()
    job = services.job_retry(job=job, modified_text="the hero returns")
    assert (job.status, job.retry_count, job.input["text"]) == ("queued", 1, "the hero returns")
    run(job)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED


def test_retries_stop_at_max_retries(user, submit):
    job = submit(user, type="test_crash")
    for _ in range(3):
        run(job)
        job.refresh_from_db()
        job = services.job_retry(job=job)
    run(job)
    job.refresh_from_db()
    with pytest.raises(services.JobNotRetryable):
        services.job_retry(job=job)


def test_a_job_over_100_dollars_is_refused_before_it_is_queued(user):
    with pytest.raises(services.CostLimit):
        services.job_submit(owner=user, type="test_steps", input={"cost": "100.01"})
    assert not Job.objects.exists()


def test_a_day_over_500_dollars_is_refused(user, submit):
    for _ in range(5):
        submit(user, cost="99")
    with pytest.raises(services.CostLimit) as refused:
        services.job_submit(owner=user, type="test_steps", input={"cost": "6"})
    assert refused.value.details["spentToday"] == 495.0
    submit(user, cost="5")  # exactly 500 is allowed


def test_an_idempotency_key_returns_the_first_job(user):
    first, created = services.job_submit(
        owner=user, type="test_steps", input={"steps": 1}, idempotency_key="k1"
    )
    again, created_again = services.job_submit(
        owner=user, type="test_steps", input={"steps": 1}, idempotency_key="k1"
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    with pytest.raises(services.Conflict):
        services.job_submit(owner=user, type="test_steps", input={"steps": 2}, idempotency_key="k1")
    other = UserFactory()
    theirs, created_theirs = services.job_submit(
        owner=other, type="test_steps", input={"steps": 1}, idempotency_key="k1"
    )
    assert created_theirs and theirs.pk != first.pk
    assert Job.objects.count() == 2


def test_a_redelivered_message_never_runs_a_job_past_its_attempt_limit(user, submit, settings):
    job = submit(user)
    stale = timezone.now() - timedelta(seconds=settings.JOB_LEASE_SECONDS + 5)
    Job.objects.filter(pk=job.pk).update(
        status="processing", heartbeat_at=stale, attempts=settings.JOB_MAX_ATTEMPTS
    )
    assert run(job) == engine.ClaimResult.GONE
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert JobStage.objects.get(job=job, name="count").runs == 0


def test_a_job_of_a_type_the_worker_does_not_know_fails_cleanly(user, submit):
    job = submit(user)
    Job.objects.filter(pk=job.pk).update(type="no_such_type")
    assert run(job) == engine.ClaimResult.CLAIMED
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "no_such_type" in job.error["message"]
