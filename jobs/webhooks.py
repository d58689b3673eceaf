"""Signed webhooks for job events (the AI Video System's webhooks, for every job type).

Deliveries are signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`,
`webhook-signature`: HMAC-SHA256 over `id.timestamp.body` with the endpoint's secret), retried
with exponential backoff, and every try is logged. Targets on private, loopback or link-local
addresses are refused unless settings allow them.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import os
import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook

from jobs.models import DeliveryStatus, Job, WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

# Event names an endpoint can ask for; `job.*` means every job event.
EVENTS = (
    "job.queued",
    "job.started",
    "job.completed",
    "job.failed",
    "job.cancelled",
    "generation.complete",
    "generation.failed",
    # Platform events other apps send through `dispatch` (the AI Movie Platform's webhooks).
    "project.completed",
    "media.processed",
    "chat.ai_response",
)
WILDCARDS = ("job.*", "generation.*", "project.*", "media.*", "chat.*", "*")
TIMEOUT_SECONDS = 10


class UnsafeTarget(ValueError):
    """A webhook URL that points into the platform's own network."""


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


def check_target(url: str) -> None:
    """Refuse URLs whose host resolves to a private, loopback, link-local or reserved address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeTarget("Must be an http or https URL with a host")
    try:
        port = parts.port
    except ValueError:  # urlsplit raises it for a port over 65535
        raise UnsafeTarget("The port is out of range") from None
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise UnsafeTarget(f"Host {parts.hostname!r} does not resolve") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if address.is_loopback and settings.WEBHOOK_ALLOW_LOOPBACK:
            continue
        # Python counts loopback and link-local (the cloud metadata service) as private too;
        # allowing private targets must not open those.
        if (
            settings.WEBHOOK_ALLOW_PRIVATE_TARGETS
            and address.is_private
            and not (address.is_loopback or address.is_link_local)
        ):
            continue
        if (
            not address.is_global
            or address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            raise UnsafeTarget(f"{parts.hostname} resolves to {address}, a non-public address")


def _event_names(message: dict[str, Any]) -> list[str]:
    kind, status = message["type"], message.get("status")
    if kind == "job_complete":
        return ["job.completed", "generation.complete"]
    if kind == "job_failed":
        return ["job.failed", "generation.failed"]
    if kind == "job_cancelled":
        return ["job.cancelled"]
    if kind == "job_progress" and status == "queued" and message.get("progress") == 0:
        return ["job.queued"]
    if kind == "job_progress" and status == "processing" and message.get("stage") in ("", "queued"):
        return ["job.started"]
    return []


def payload_for(event: str, message: dict[str, Any]) -> dict[str, Any]:
    """`{"event", "data"}` as the AI Video System documents it, with the job's fields."""
    result = message.get("result") or {}
    data = {
        "jobId": message["jobId"],
        "type": message.get("jobType"),
        "status": message.get("status"),
        "progress": message.get("progress"),
        "projectId": message.get("projectId"),
        "sceneId": message.get("sceneId"),
        "clipId": result.get("clipId"),
        "result": message.get("result"),
        "error": (message.get("error") or {}).get("message")
        if event == "generation.failed"
        else message.get("error"),
        "timestamp": message.get("timestamp"),
    }
    return {"event": event, "data": data}


def dispatch_for_event(job: Job, message: dict[str, Any]) -> None:
    """Create a delivery for each of the owner's endpoints that wants this event."""
    names = _event_names(message)
    if not names:
        return
    endpoints = WebhookEndpoint.objects.filter(owner_id=job.owner_id, is_active=True)
    for endpoint in endpoints:
        for name in names:
            if not endpoint.wants(name):
                continue
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint,
                job=job,
                event=name,
                payload=payload_for(name, message),
                next_attempt_at=timezone.now(),
            )
            schedule(delivery)


def dispatch(*, owner_id: str, event: str, data: dict[str, Any], job: Job | None = None) -> int:
    """Send a platform event (`project.completed`, `media.processed`, `chat.ai_response`) to
    each of the owner's active endpoints that wants it; signed, retried and logged as job
    events are. Answers how many deliveries were made."""
    if event not in EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}")
    payload = {"event": event, "data": {**data, "timestamp": data.get("timestamp") or _now()}}
    made = 0
    for endpoint in WebhookEndpoint.objects.filter(owner_id=owner_id, is_active=True):
        if not endpoint.wants(event):
            continue
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, job=job, event=event, payload=payload, next_attempt_at=timezone.now()
        )
        schedule(delivery)
        made += 1
    return made


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def schedule(delivery: WebhookDelivery, *, countdown: float = 0) -> None:
    from jobs.tasks import deliver_webhook_task

    transaction.on_commit(
        lambda: deliver_webhook_task.apply_async(args=[delivery.pk], countdown=countdown)
    )


def backoff_seconds(attempt: int) -> float:
    """Exponential: 2 s, 4 s, 8 s … capped at an hour (tests shrink the base)."""
    return float(min(3600, settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1)))


def sign(endpoint: WebhookEndpoint, msg_id: str, body: str) -> dict[str, str]:
    now = datetime.now(tz=UTC)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(msg_id, now, body),
        "content-type": "application/json",
        "user-agent": "StoryForge-Webhooks/1.0",
    }


def attempt(delivery: WebhookDelivery) -> bool | None:
    """One HTTP try; logs it, and returns whether the receiver took it (2xx).

    The try's number is reserved with a conditional UPDATE first, so two tasks for one
    delivery (a replay during a backoff) never send at once; the loser returns None.
    """
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"))
    number = delivery.attempt_count + 1
    reserved = WebhookDelivery.objects.filter(
        pk=delivery.pk, attempt_count=delivery.attempt_count, status=DeliveryStatus.PENDING
    ).update(attempt_count=number)
    if not reserved:
        return None
    status_code: int | None = None
    error = ""
    started = time.perf_counter()
    try:
        check_target(endpoint.url)  # again at send time: DNS may have changed
        response = requests.post(
            endpoint.url,
            data=body.encode(),
            headers=sign(endpoint, delivery.pk, body),
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        status_code = response.status_code
    except (requests.RequestException, UnsafeTarget) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    latency = int((time.perf_counter() - started) * 1000)
    ok = status_code is not None and 200 <= status_code < 300
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            status_code=status_code,
            latency_ms=latency,
            error=error,
        )
        delivery.attempt_count = number
        if ok:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, None
        elif number >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=backoff_seconds(number))
        delivery.save(update_fields=["attempt_count", "status", "next_attempt_at"])
    if not ok:
        logger.info("Webhook %s to %s failed (%s)", delivery.pk, endpoint.url, status_code or error)
    return ok


def resend_due() -> int:
    """Send again the pending deliveries whose retry is long overdue (their task was lost)."""
    overdue = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING,
        next_attempt_at__lt=timezone.now() - timedelta(seconds=settings.JOB_RESEND_AFTER_SECONDS),
    )
    count = 0
    for delivery in overdue:
        with transaction.atomic():
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
            schedule(delivery)
        count += 1
    return count


def replay(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (same webhook-id, so receivers can tell it is the same event)."""
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    schedule(delivery)
    return delivery
