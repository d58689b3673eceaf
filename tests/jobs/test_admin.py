"""Jobs and webhooks in the Django admin."""

from __future__ import annotations

import pytest
from django.contrib.admin.utils import quote

from jobs import engine
from jobs.models import JobStatus, WebhookEndpoint
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_job_pages_load(admin_client, user, submit):
    job = submit(user)
    engine.run_job(job.pk, worker="w1")
    for path in (
        "/admin/jobs/job/",
        "/admin/jobs/job/?status__exact=completed",
        f"/admin/jobs/job/{quote(job.pk)}/change/",
        "/admin/jobs/webhookendpoint/",
        "/admin/jobs/webhookdelivery/",
    ):
        assert admin_client.get(path).status_code == 200, path


def test_cancelling_from_the_admin_cancels_for_real(admin_client, user, submit):
    waiting, finished = submit(user), submit(user)
    engine.run_job(finished.pk, worker="w1")
    response = admin_client.post(
        "/admin/jobs/job/",
        {"action": "cancel_jobs", "_selected_action": [waiting.pk, finished.pk]},
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    finished.refresh_from_db()
    assert (waiting.status, finished.status) == (JobStatus.CANCELLED, JobStatus.COMPLETED)
    assert waiting.events.filter(type="job_cancelled").exists()


def test_retrying_from_the_admin_queues_failed_jobs(
    admin_client, user, submit, django_capture_on_commit_callbacks
):
    job = submit(user, type="test_crash")
    engine.run_job(job.pk, worker="w1")
    with django_capture_on_commit_callbacks(execute=False):
        admin_client.post(
            "/admin/jobs/job/", {"action": "retry_jobs", "_selected_action": [job.pk]}
        )
    job.refresh_from_db()
    assert (job.status, job.retry_count) == (JobStatus.QUEUED, 1)


def test_a_webhook_endpoint_shows_its_secret_read_only(admin_client):
    endpoint = WebhookEndpoint.objects.create(
        owner=UserFactory(), url="https://example.com/h", events=["job.*"], secret="whsec_abc"
    )
    page = admin_client.get(f"/admin/jobs/webhookendpoint/{quote(endpoint.pk)}/change/")
    assert page.status_code == 200
    assert b"whsec_abc" in page.content


def test_the_admin_names_webhook_deliveries_in_english(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "Webhook deliveries" in page
    assert "deliverys" not in page


def test_no_models_plural_is_a_y_with_an_s_after_a_consonant():
    """Django's default plural adds an "s": "delivery" needs its plural spelled out."""
    from django.apps import apps

    wrong = [
        f"{model._meta.label}: {model._meta.verbose_name_plural}"
        for model in apps.get_models()
        if str(model._meta.verbose_name_plural).endswith("ys")
        and str(model._meta.verbose_name_plural)[-3] not in "aeiou"
    ]
    assert wrong == []
