"""One request id finds everything a request caused: its log entry, its task's, its job's."""

from __future__ import annotations

import logging
import time
import uuid

import pytest
from celery import shared_task
from django.conf import settings
from django_guid import clear_guid, get_guid, set_guid

from config.celery import app as celery_app
from ops import services
from ops.models import LogEntry


@shared_task(name="tests.ops.log_from_worker_task")
def log_from_worker_task(word: str) -> str:
    # ERROR: a Celery test worker started earlier in the session leaves the root at ERROR.
    logging.getLogger("jobs.engine").error("worker says %s", word)
    return get_guid() or ""


@pytest.mark.django_db
def test_a_jobs_log_lines_carry_the_request_id_of_the_request_that_made_it(user_api):
    request_id = uuid.uuid4().hex
    response = user_api.post(
        "/api/v1/ai/text",
        {"prompt": "A lighthouse keeper"},
        format="json",
        HTTP_X_REQUEST_ID=request_id,
    )
    assert response.status_code == 201, response.content
    job_id = response.json()["data"]["id"]
    lines = user_api.get(f"/api/v1/jobs/{job_id}/logs").json()["data"]
    assert lines and all(line["details"]["requestId"] == request_id for line in lines)


@pytest.mark.django_db
def test_a_task_message_carries_the_request_id_in_its_headers():
    sent = {}

    def capture(headers=None, **kwargs):
        sent.update(headers or {})

    from celery.signals import before_task_publish

    before_task_publish.connect(capture, weak=False)
    set_guid("req-123")
    try:
        with celery_app.connection_for_write() as conn:
            celery_app.send_task("tests.ops.nothing", connection=conn, queue="ops-test-void")
    finally:
        before_task_publish.disconnect(capture)
        clear_guid()
    assert sent["X-Request-Id"] == "req-123"


@pytest.fixture
def real_worker():
    """A worker that takes messages from the broker, in a thread of this process."""
    celery_app.conf.task_always_eager = False
    try:
        if settings.EMBEDDED_WORKER:
            from config.worker import start_embedded_worker, stop_embedded_worker

            start_embedded_worker()
            yield
            stop_embedded_worker()
            return
        from celery.contrib.testing.worker import start_worker

        with start_worker(celery_app, perform_ping_check=False, queues=["cpu"], pool="solo"):
            yield
    finally:
        celery_app.conf.task_always_eager = True


@pytest.mark.django_db(transaction=True)
def test_a_task_run_by_a_real_worker_logs_under_the_request_id(real_worker):
    request_id = uuid.uuid4().hex
    set_guid(request_id)
    try:
        result = log_from_worker_task.apply_async(args=["hello"], queue="cpu")
    finally:
        clear_guid()
    deadline = time.monotonic() + 30
    entry = None
    while time.monotonic() < deadline and entry is None:
        services.logs_flush()
        entry = LogEntry.objects.filter(message="worker says hello").first()
        time.sleep(0.2)
    assert entry is not None, "the worker never ran the task"
    assert entry.request_id == request_id
    assert entry.service == "worker"
    assert entry.details["requestId"] == request_id
    assert result.id
    assert get_guid() is None  # the id was the worker's while the task ran, not left behind
