"""Celery tasks of the jobs engine: thin adapters that take ids and call the engine."""

from __future__ import annotations

from celery import Task, shared_task

from jobs import engine, services, webhooks
from jobs.models import DeliveryStatus, WebhookDelivery


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def run_job_task(self: Task, job_id: str) -> str:
    """Claim and run one job; when its owner is at their plan's limit, try again shortly."""
    hostname = self.request.hostname or "worker"
    outcome = engine.run_job(job_id, worker=f"{hostname}:{self.request.id}")
    if outcome == engine.ClaimResult.BUSY:
        raise self.retry(countdown=5)
    return outcome


@shared_task
def sweep_jobs_task() -> dict[str, int]:
    """Periodic (beat): requeue or fail jobs whose worker died, resend lost messages."""
    return {**services.jobs_sweep(), "webhooks_resent": webhooks.resend_due()}


@shared_task(bind=True, max_retries=None)
def deliver_webhook_task(self: Task, delivery_id: str) -> str:
    """Try one webhook delivery; on failure come back after an exponential backoff."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return "skipped"
    outcome = webhooks.attempt(delivery)
    if outcome is None:
        return "skipped"  # another task is trying this delivery right now
    if outcome:
        return "delivered"
    if delivery.status == DeliveryStatus.PENDING:
        raise self.retry(countdown=webhooks.backoff_seconds(delivery.attempt_count))
    return "failed"
