"""Signed webhooks: the endpoints API, SSRF guard, dispatch from job events, signing, retries.

Deliveries go over real HTTP to a small server on 127.0.0.1 that records each request and
answers from a scripted list of status codes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from celery.exceptions import Retry
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from jobs import engine, services, webhooks
from jobs.models import Job, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from jobs.tasks import deliver_webhook_task
from tests.config.test_conventions import assert_error

pytestmark = pytest.mark.django_db

WEBHOOKS = "/api/v1/webhooks"


# --- the receiver ----------------------------------------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the test server got, and the status codes it answers with (200 once they run out)."""

    url: str = ""
    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, request: Received) -> int:
        with self.lock:
            self.requests.append(request)
            return self.statuses.pop(0) if self.statuses else 200


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        status = self.server.receiver.take(  # type: ignore[attr-defined]
            Received(self.command, self.path, headers, body)
        )
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_PUT = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output clean


@pytest.fixture
def receiver(monkeypatch) -> Iterator[Receiver]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # a proxy in the environment is bypassed
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    got = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks")
    server.receiver = got  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield got
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# --- helpers ---------------------------------------------------------------------------------


def create_endpoint(api, url: str, **fields: Any) -> dict[str, Any]:
    response = api.post(WEBHOOKS, {"url": url, **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["data"]


def endpoint_for(owner, url: str, events: list[str]) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        owner=owner, url=url, events=events, secret=webhooks.new_secret()
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a job to its end, then run what it left for after commit (the webhook sends)."""

    def go(job: Job) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            engine.run_job(job.pk, worker="w1")
        job.refresh_from_db()
        return job

    return go


def make_delivery(endpoint: WebhookEndpoint, job: Job) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        job=job,
        event="job.completed",
        payload={"event": "job.completed", "data": {"jobId": job.pk}},
    )


def deliver(delivery_id: str) -> tuple[str, list[float]]:
    """Run the delivery task as a worker would, each retry coming back at once.

    Eager tasks propagate `Retry` here instead of running it, so this plays the broker: it
    notes the countdown each retry asked for and runs the task again. Returns the task's
    outcome and those countdowns.
    """
    waits: list[float] = []
    while len(waits) < 20:
        try:
            return deliver_webhook_task.apply(args=[delivery_id], throw=True).get(), waits
        except Retry as retry:
            waits.append(float(retry.when))
    raise AssertionError("the delivery task retried without end")


def send(endpoint: WebhookEndpoint, job: Job) -> WebhookDelivery:
    """Create one delivery to `endpoint` and run its task to the end."""
    delivery = make_delivery(endpoint, job)
    deliver(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def attempts_of(delivery: WebhookDelivery) -> list[tuple[int, int | None]]:
    return list(delivery.attempts.order_by("number").values_list("number", "status_code"))


# --- the endpoints API -----------------------------------------------------------------------


def test_creating_an_endpoint_returns_its_signing_secret_and_the_default_events(user_api, user):
    response = user_api.post(WEBHOOKS, {"url": "http://127.0.0.1:9/hooks"}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["id"].startswith("whk_")
    assert data["secret"].startswith("whsec_")
    assert data["events"] == ["job.*", "generation.*"]
    assert data["isActive"] is True
    stored = WebhookEndpoint.objects.get(pk=data["id"])
    assert (stored.owner, stored.secret) == (user, data["secret"])


def test_two_endpoints_get_different_secrets(user_api):
    first = create_endpoint(user_api, "http://127.0.0.1:9/a")
    second = create_endpoint(user_api, "http://127.0.0.1:9/b")
    assert first["secret"] != second["secret"]


def test_the_list_shows_the_callers_endpoints_without_their_secrets(user_api, other_user):
    mine = create_endpoint(user_api, "http://127.0.0.1:9/hooks", events=["job.failed"])
    endpoint_for(other_user, "http://127.0.0.1:9/theirs", ["job.*"])
    response = user_api.get(WEBHOOKS)
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["data"]] == [mine["id"]]
    assert body["meta"]["total"] == 1
    item = body["data"][0]
    assert "secret" not in item
    assert (item["events"], item["deliveryCount"]) == (["job.failed"], 0)


def test_an_endpoint_can_be_read_by_its_owner(user_api):
    created = create_endpoint(user_api, "http://127.0.0.1:9/hooks", description="CI")
    response = user_api.get(f"{WEBHOOKS}/{created['id']}")
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["id"], data["url"], data["description"]) == (
        created["id"],
        "http://127.0.0.1:9/hooks",
        "CI",
    )


def test_patch_changes_the_events_and_switches_an_endpoint_off(user_api):
    created = create_endpoint(user_api, "http://127.0.0.1:9/hooks")
    response = user_api.patch(
        f"{WEBHOOKS}/{created['id']}",
        {"events": ["job.failed", "generation.failed"], "isActive": False},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"]["events"] == ["job.failed", "generation.failed"]
    stored = WebhookEndpoint.objects.get(pk=created["id"])
    assert stored.events == ["job.failed", "generation.failed"]
    assert stored.is_active is False
    assert stored.url == "http://127.0.0.1:9/hooks"  # untouched fields stay


def test_delete_removes_the_endpoint(user_api):
    created = create_endpoint(user_api, "http://127.0.0.1:9/hooks")
    assert user_api.delete(f"{WEBHOOKS}/{created['id']}").status_code == 200
    assert not WebhookEndpoint.objects.filter(pk=created["id"]).exists()
    assert_error(user_api.get(f"{WEBHOOKS}/{created['id']}"), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "field_name"),
    [
        ({"url": "not a url"}, "url"),
        ({"url": "ftp://127.0.0.1/hooks"}, "url"),
        ({"url": "http://127.0.0.1:9/hooks", "events": ["job.exploded"]}, "events"),
        ({"url": "http://127.0.0.1:9/hooks", "events": []}, "events"),
        ({"url": "http://127.0.0.1:9/hooks", "events": "job.completed"}, "events"),
        ({"url": "http://127.0.0.1:9/hooks", "colour": "red"}, "colour"),
        ({"events": ["job.completed"]}, "url"),
    ],
    ids=[
        "bad-url",
        "not-http",
        "unknown-event",
        "no-events",
        "events-not-a-list",
        "unknown",
        "no-url",
    ],
)
def test_bad_input_is_a_validation_error_naming_the_field(user_api, body, field_name):
    body = assert_error(user_api.post(WEBHOOKS, body, format="json"), 400, "VALIDATION_ERROR")
    fields = {item["field"].split(".")[0].split("[")[0] for item in body["error"]["details"]}
    assert field_name in fields
    assert not WebhookEndpoint.objects.exists()


def test_a_bad_patch_changes_nothing(user_api):
    created = create_endpoint(user_api, "http://127.0.0.1:9/hooks")
    response = user_api.patch(f"{WEBHOOKS}/{created['id']}", {"events": []}, format="json")
    assert_error(response, 400, "VALIDATION_ERROR")
    assert WebhookEndpoint.objects.get(pk=created["id"]).events == ["job.*", "generation.*"]


def test_another_users_endpoint_answers_404_and_is_left_alone(user_api, other_user):
    theirs = endpoint_for(other_user, "http://127.0.0.1:9/theirs", ["job.*"])
    url = f"{WEBHOOKS}/{theirs.pk}"
    assert_error(user_api.get(url), 404, "NOT_FOUND")
    assert_error(user_api.patch(url, {"isActive": False}, format="json"), 404, "NOT_FOUND")
    assert_error(user_api.delete(url), 404, "NOT_FOUND")
    assert_error(user_api.get(f"{url}/deliveries"), 404, "NOT_FOUND")
    theirs.refresh_from_db()
    assert theirs.is_active is True


def test_the_webhooks_api_needs_a_token(api):
    assert_error(api.get(WEBHOOKS), 401, "UNAUTHORIZED")
    response = api.post(WEBHOOKS, {"url": "http://127.0.0.1:9/hooks"}, format="json")
    assert_error(response, 401, "UNAUTHORIZED")
    assert not WebhookEndpoint.objects.exists()


# --- SSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "http://localhost/hooks",
        "http://localhost:8000/hooks",
        "http://10.0.0.5/",
        "http://192.168.1.20/hooks",
        "http://169.254.169.254/latest",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://100.100.100.200/latest/meta-data",
    ],
)
def test_a_target_inside_the_platforms_network_is_refused(user_api, settings, url):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    body = assert_error(
        user_api.post(WEBHOOKS, {"url": url}, format="json"), 400, "VALIDATION_ERROR"
    )
    assert [item["field"] for item in body["error"]["details"]] == ["url"]
    assert not WebhookEndpoint.objects.exists()


def test_a_public_address_is_accepted_when_loopback_is_not(user_api, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    created = create_endpoint(user_api, "http://93.184.215.14/hooks")
    assert created["url"] == "http://93.184.215.14/hooks"


def test_moving_an_endpoint_onto_an_internal_address_is_refused(user_api, settings):
    created = create_endpoint(user_api, "http://127.0.0.1:9/hooks")
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    response = user_api.patch(
        f"{WEBHOOKS}/{created['id']}", {"url": "http://169.254.169.254/latest"}, format="json"
    )
    assert_error(response, 400, "VALIDATION_ERROR")
    assert WebhookEndpoint.objects.get(pk=created["id"]).url == "http://127.0.0.1:9/hooks"


def test_allowing_private_targets_still_refuses_loopback_and_link_local(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    webhooks.check_target("http://10.0.0.5/hooks")
    webhooks.check_target("http://192.168.1.20/hooks")
    for url in (
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://169.254.169.254/latest",
        "http://[::ffff:169.254.169.254]/latest",
    ):
        with pytest.raises(webhooks.UnsafeTarget):
            webhooks.check_target(url)


def test_a_port_out_of_range_is_a_validation_error_not_a_crash(user_api):
    response = user_api.post(WEBHOOKS, {"url": "http://127.0.0.1:99999/hooks"}, format="json")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert [item["field"] for item in body["error"]["details"]] == ["url"]


def test_a_target_that_became_unsafe_gets_nothing_and_each_try_is_logged_as_failed(
    user, submit, receiver, settings
):
    endpoint = endpoint_for(user, receiver.url, ["job.completed"])  # accepted while allowed
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    delivery = send(endpoint, submit(user))
    assert receiver.requests == []
    assert delivery.status == "failed"
    tries = list(delivery.attempts.order_by("number"))
    assert [(a.number, a.status_code) for a in tries] == [(1, None), (2, None)]
    assert all("UnsafeTarget" in a.error and "127.0.0.1" in a.error for a in tries)


# --- dispatch from job events ----------------------------------------------------------------


def test_a_completed_job_sends_job_completed_and_generation_complete(user, submit, run, receiver):
    job = submit(user, text="Maya opens the door", steps=2)
    endpoint = endpoint_for(user, receiver.url, ["job.completed", "generation.complete"])
    job = run(job)
    assert job.status == "completed"
    bodies = {r.json()["event"]: r.json() for r in receiver.requests}
    assert sorted(bodies) == ["generation.complete", "job.completed"]
    assert len(receiver.requests) == 2
    generation = bodies["generation.complete"]
    assert set(generation) == {"event", "data"}
    data = generation["data"]
    assert (data["jobId"], data["status"], data["type"]) == (job.pk, "completed", "test_steps")
    assert "clipId" in data and data["timestamp"]
    assert bodies["job.completed"]["data"]["result"] == job.result == {"total": 2, "chars": 19}
    assert all(r.method == "POST" and r.path == "/hooks" for r in receiver.requests)
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert sorted(deliveries.values_list("event", "status", "job_id")) == [
        ("generation.complete", "succeeded", job.pk),
        ("job.completed", "succeeded", job.pk),
    ]


def test_a_failed_job_sends_job_failed_and_generation_failed_with_the_error(
    user, submit, run, receiver
):
    job = submit(user, type="test_crash")
    endpoint_for(user, receiver.url, ["job.failed", "generation.failed", "job.completed"])
    job = run(job)
    assert job.status == "failed"
    bodies = {r.json()["event"]: r.json()["data"] for r in receiver.requests}
    assert sorted(bodies) == ["generation.failed", "job.failed"]
    assert bodies["generation.failed"]["jobId"] == job.pk
    assert bodies["generation.failed"]["error"] == "RuntimeError: the renderer fell over"
    assert bodies["job.failed"]["error"]["code"] == "GENERATION_FAILED"


def test_an_endpoint_gets_only_the_events_it_asked_for(user, other_user, submit, run, receiver):
    job = submit(user)
    wants_failures = endpoint_for(user, receiver.url + "/failures", ["job.failed"])
    switched_off = endpoint_for(user, receiver.url + "/off", ["job.*"])
    switched_off.is_active = False
    switched_off.save()
    someone_else = endpoint_for(other_user, receiver.url + "/theirs", ["job.*", "generation.*"])
    wants_completion = endpoint_for(user, receiver.url + "/done", ["job.completed"])
    run(job)
    assert [r.path for r in receiver.requests] == ["/hooks/done"]
    assert receiver.requests[0].json()["event"] == "job.completed"
    for endpoint in (wants_failures, switched_off, someone_else):
        assert not endpoint.deliveries.exists()
    assert wants_completion.deliveries.count() == 1


def test_job_wildcard_gets_every_job_event_and_no_generation_event(
    user, run, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(user, receiver.url, ["job.*"])
    monkeypatch.setattr(services, "enqueue", lambda job, **kwargs: None)  # run it here instead
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = services.job_submit(owner=user, type="test_steps", input={"steps": 2})
    run(job)
    events = [r.json()["event"] for r in receiver.requests]
    assert events == ["job.queued", "job.started", "job.completed"]
    assert endpoint.deliveries.filter(status="succeeded").count() == 3


def test_nothing_is_sent_before_the_jobs_transaction_commits(
    user, submit, receiver, django_capture_on_commit_callbacks
):
    job = submit(user)
    endpoint = endpoint_for(user, receiver.url, ["job.completed"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        engine.run_job(job.pk, worker="w1")
    (delivery,) = endpoint.deliveries.all()
    assert (delivery.status, delivery.attempt_count, receiver.requests) == ("pending", 0, [])
    for callback in callbacks:
        callback()
    assert [r.headers["webhook-id"] for r in receiver.requests] == [delivery.pk]


# --- signing ---------------------------------------------------------------------------------


def test_the_receiver_can_verify_the_signature_with_the_endpoint_secret(
    user, user_api, submit, run, receiver
):
    job = submit(user)
    created = create_endpoint(user_api, receiver.url, events=["job.completed"])
    run(job)
    (request,) = receiver.requests
    for header in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        assert request.headers[header]
    assert request.headers["content-type"] == "application/json"
    payload = Webhook(created["secret"]).verify(request.body, request.headers)
    assert payload["event"] == "job.completed"
    assert payload["data"]["jobId"] == job.pk
    delivery = WebhookDelivery.objects.get(endpoint_id=created["id"])
    assert request.headers["webhook-id"] == delivery.pk


def test_a_tampered_body_or_another_secret_does_not_verify(user, user_api, submit, run, receiver):
    job = submit(user)
    created = create_endpoint(user_api, receiver.url, events=["job.completed"])
    run(job)
    (request,) = receiver.requests
    tampered = request.body.replace(b'"completed"', b'"failed"')
    assert tampered != request.body
    with pytest.raises(WebhookVerificationError):
        Webhook(created["secret"]).verify(tampered, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.new_secret()).verify(request.body, request.headers)


# --- retries ---------------------------------------------------------------------------------


def test_a_500_is_retried_and_the_delivery_succeeds_on_the_second_try(user, submit, receiver):
    receiver.statuses = [500, 200]
    endpoint = endpoint_for(user, receiver.url, ["job.completed"])
    delivery = send(endpoint, submit(user))
    assert (delivery.status, delivery.attempt_count, delivery.next_attempt_at) == (
        "succeeded",
        2,
        None,
    )
    assert attempts_of(delivery) == [(1, 500), (2, 200)]
    assert all(a.latency_ms is not None and a.latency_ms >= 0 for a in delivery.attempts.all())
    assert [r.headers["webhook-id"] for r in receiver.requests] == [delivery.pk, delivery.pk]
    assert receiver.requests[0].body == receiver.requests[1].body


def test_a_receiver_that_always_fails_ends_the_delivery_failed_after_max_attempts(
    user, submit, receiver, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.statuses = [500, 503, 500, 200]
    endpoint = endpoint_for(user, receiver.url, ["job.completed"])
    delivery = send(endpoint, submit(user))
    assert len(receiver.requests) == 3
    assert (delivery.status, delivery.attempt_count, delivery.next_attempt_at) == (
        "failed",
        3,
        None,
    )
    assert attempts_of(delivery) == [(1, 500), (2, 503), (3, 500)]


def test_a_receiver_that_is_down_is_logged_as_an_error(user, submit, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    closed = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    url = f"http://127.0.0.1:{closed.server_address[1]}/hooks"
    closed.server_close()  # nothing listens there now
    delivery = send(endpoint_for(user, url, ["job.completed"]), submit(user))
    assert delivery.status == "failed"
    (only,) = delivery.attempts.all()
    assert only.status_code is None
    assert "ConnectionError" in only.error


def test_a_failed_try_sets_the_next_try_after_the_backoff(user, submit, receiver, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 2
    receiver.statuses = [500, 500]
    endpoint = endpoint_for(user, receiver.url, ["job.completed"])
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, job=submit(user), event="job.completed", payload={"event": "x"}
    )
    before = timezone.now()
    assert webhooks.attempt(delivery) is False
    assert webhooks.attempt(delivery) is False
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count) == ("pending", 2)
    wait = delivery.next_attempt_at - before
    assert timedelta(seconds=4) <= wait < timedelta(seconds=6)


def test_each_retry_of_the_task_waits_the_backoff_of_its_try(user, submit, receiver, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 2
    receiver.statuses = [500, 502, 500, 200]
    endpoint = endpoint_for(user, receiver.url, ["job.completed"])
    delivery = make_delivery(endpoint, submit(user))
    assert deliver(delivery.pk) == ("delivered", [2.0, 4.0, 8.0])
    assert len(receiver.requests) == 4


def test_backoff_grows_exponentially_and_is_capped_at_an_hour(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 2
    assert [webhooks.backoff_seconds(n) for n in range(1, 7)] == [2, 4, 8, 16, 32, 64]
    assert webhooks.backoff_seconds(12) == 3600
    assert webhooks.backoff_seconds(40) == 3600


def test_a_finished_delivery_is_not_sent_again_by_a_stray_task(user, submit, receiver):
    endpoint = endpoint_for(user, receiver.url, ["job.completed"])
    delivery = send(endpoint, submit(user))
    assert deliver(delivery.pk) == ("skipped", [])
    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 1


# --- the deliveries log and replay -----------------------------------------------------------


def test_the_deliveries_list_shows_each_delivery_with_its_tries(user, user_api, submit, receiver):
    receiver.statuses = [500, 200]
    endpoint = endpoint_for(user, receiver.url, ["job.completed"])
    job = submit(user)
    delivery = send(endpoint, job)
    response = user_api.get(f"{WEBHOOKS}/{endpoint.pk}/deliveries")
    assert response.status_code == 200
    (item,) = response.json()["data"]
    assert (item["id"], item["event"], item["jobId"], item["status"], item["attemptCount"]) == (
        delivery.pk,
        "job.completed",
        job.pk,
        "succeeded",
        2,
    )
    assert item["payload"]["data"]["jobId"] == job.pk
    assert [(a["number"], a["statusCode"]) for a in item["attempts"]] == [(1, 500), (2, 200)]
    assert all(a["attemptedAt"] and a["latencyMs"] is not None for a in item["attempts"])
    listed = user_api.get(WEBHOOKS).json()["data"][0]
    assert listed["deliveryCount"] == 1


def test_replay_sends_the_delivery_again_with_the_same_webhook_id(
    user, user_api, submit, receiver, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(user, receiver.url, ["job.completed"])
    delivery = send(endpoint, submit(user))
    url = f"{WEBHOOKS}/{endpoint.pk}/deliveries/{delivery.pk}/replay"
    with django_capture_on_commit_callbacks(execute=True):
        response = user_api.post(url)
    assert response.status_code == 202, response.content
    assert response.json()["data"]["id"] == delivery.pk
    assert len(receiver.requests) == 2
    first, again = receiver.requests
    assert again.headers["webhook-id"] == first.headers["webhook-id"] == delivery.pk
    assert again.body == first.body
    Webhook(endpoint.secret).verify(again.body, again.headers)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count) == ("succeeded", 2)
    assert attempts_of(delivery) == [(1, 200), (2, 200)]


def test_replay_of_a_failed_delivery_can_succeed(
    user, user_api, submit, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.statuses = [500]
    endpoint = endpoint_for(user, receiver.url, ["job.completed"])
    delivery = send(endpoint, submit(user))
    assert delivery.status == "failed"
    with django_capture_on_commit_callbacks(execute=True):
        user_api.post(f"{WEBHOOKS}/{endpoint.pk}/deliveries/{delivery.pk}/replay")
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert attempts_of(delivery) == [(1, 500), (2, 200)]


def test_replay_of_another_users_delivery_answers_404_and_sends_nothing(
    user, other_user, user_api, submit, receiver, django_capture_on_commit_callbacks
):
    theirs = endpoint_for(other_user, receiver.url, ["job.completed"])
    delivery = WebhookDelivery.objects.create(
        endpoint=theirs,
        job=submit(other_user),
        event="job.completed",
        payload={"event": "job.completed", "data": {}},
        status="failed",
    )
    mine = endpoint_for(user, receiver.url, ["job.completed"])
    with django_capture_on_commit_callbacks(execute=True):
        for endpoint in (theirs, mine):
            response = user_api.post(f"{WEBHOOKS}/{endpoint.pk}/deliveries/{delivery.pk}/replay")
            assert_error(response, 404, "NOT_FOUND")
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count) == ("failed", 0)
    assert not delivery.attempts.exists()
