"""A job stage as the media pipeline's Reporter: the engine's cancellation is the pipeline's."""

from __future__ import annotations

import pytest

from jobs import engine, services
from jobs.models import JobLog, JobStatus
from jobs.reporting import StageReporter
from media_pipeline.backends.base import Cancelled
from storytext import OpenAICompatibleWriter
from storytext.script import script_to_shots
from tests.storytext.test_text_openai import llm  # noqa: F401

pytestmark = pytest.mark.django_db

SCRIPT = "A beautiful sunrise over mountains\nBirds flying in the sky\nA peaceful lake"


def running_stage(job, tmp_path):
    """The job claimed by a worker, and the context its `count` stage would run with."""
    outcome, claimed = engine.claim(job.pk, "w1")
    assert outcome == engine.ClaimResult.CLAIMED
    runner = engine.JobRunner(claimed, "w1")
    runner.stages = list(claimed.stages.order_by("position"))  # as the runner's stage loop sets
    stage = next(s for s in runner.stages if s.name == "count")
    return claimed, engine.StageContext(claimed, stage, {}, tmp_path, runner)


def test_a_cancelled_job_is_a_cancellation_to_the_pipeline_guard(user, submit, llm, tmp_path):  # noqa: F811
    # Given a running job that its owner cancels while its stage asks a language model for shots
    job, ctx = running_stage(submit(user), tmp_path)
    services.job_cancel(job=job)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    llm.mode = "error500"  # were the cancel not seen, the model would fail and the rules answer
    writer = OpenAICompatibleWriter(base_url=llm.base_url, model="m", stream=False)

    # When the pipeline's shot making runs with the stage as its reporter
    with pytest.raises(Cancelled) as raised:
        script_to_shots(SCRIPT, total_duration=30.0, writer=writer, reporter=StageReporter(ctx))

    # Then the `except Cancelled: raise` guard let the engine's own exception through:
    # no fallback to the rule breakdown was logged, and the model was never asked.
    assert isinstance(raised.value, engine.JobCancelled)
    assert llm.requests == []
    assert not JobLog.objects.filter(job=job, message__contains="rule breakdown").exists()


def test_a_running_job_reports_its_progress_through_the_stage(user, submit, tmp_path):
    job, ctx = running_stage(submit(user), tmp_path)
    reporter = StageReporter(ctx)

    reporter.part(0.5, 1.0).progress(0.5, "Half of the second half")
    reporter.check_cancelled()  # not cancelled: nothing raised

    job.refresh_from_db()
    assert job.message == "Half of the second half"
    assert ctx.stage.progress == 75
