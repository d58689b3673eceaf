"""Job events over WebSockets: /ws (StoryForge's subscribe protocol) and /ws/jobs/<jobId>.

Every test talks to `config.asgi.application`, so the origin check, the token middleware and
the routing are part of what is tested. Jobs run in a worker thread (as Celery would run
them), and their events reach the consumers through the real channel layer: the in-memory
one, or Redis when REDIS_URL is set.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import threading
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection, connections

from accounts.models import User
from accounts.tokens import AccessToken, issue_token_pair
from config.asgi import application
from jobs import consumers, engine, registry, services
from jobs.models import Job, JobEvent

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5  # seconds to wait for a message that must come
QUIET = 0.5  # seconds of silence that show a message does not come
ORIGIN = (b"origin", b"http://localhost")
TERMINAL = {"job_complete", "job_failed", "job_cancelled"}


# --- a job type that waits for the test, so a test can act while it is half-way ------------

_gates: dict[str, threading.Event] = {}


def _wait_at_gate(ctx: engine.StageContext) -> dict[str, Any]:
    ctx.progress(0.5, "Waiting at the gate")
    if not _gates[ctx.input["gate"]].wait(timeout=3 * TIMEOUT):
        raise RuntimeError("The test never opened the gate")
    ctx.progress(1.0, "Through the gate")
    return {"gated": True}


registry.register(
    registry.JobType(name="test_gated", stages=(registry.Stage("wait", _wait_at_gate),))
)


@pytest.fixture
def gate() -> Any:
    key = uuid.uuid4().hex
    _gates[key] = threading.Event()
    yield key
    _gates.pop(key).set()


# --- fixtures and helpers ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_channel_layer(settings: Any) -> None:
    """A new channel layer per test: the in-memory one's queues belong to one event loop."""
    settings.CHANNEL_LAYERS = copy.deepcopy(settings.CHANNEL_LAYERS)


@pytest_asyncio.fixture(autouse=True)
async def _close_connections() -> AsyncIterator[None]:
    yield
    # The thread database_sync_to_async runs in keeps its connection (CONN_MAX_AGE) past the
    # test otherwise, and PostgreSQL cannot drop a test database that is still in use.
    await sync_to_async(connections.close_all)()


@pytest.fixture(autouse=True)
def _no_celery(monkeypatch: pytest.MonkeyPatch) -> None:
    """Submitted jobs stay queued; the tests run them in a worker thread themselves."""
    monkeypatch.setattr(services, "enqueue", lambda job, **kwargs: None)


@pytest.fixture
def token(user: User) -> str:
    return issue_token_pair(user).access


@pytest.fixture
def other_token(other_user: User) -> str:
    return issue_token_pair(other_user).access


@database_sync_to_async
def submit(owner: User, type: str = "test_steps", **job_input: Any) -> Job:
    job, _ = services.job_submit(owner=owner, type=type, input=job_input)
    return job


def _run_in_worker(job_id: str) -> str:
    try:
        return engine.run_job(job_id, worker="ws-test")
    finally:
        connection.close()  # this thread's connection; PostgreSQL cannot drop a database in use


async def run(job_id: str) -> None:
    """Run the job to its end in a worker thread, leaving the event loop free meanwhile."""
    outcome = await sync_to_async(_run_in_worker, thread_sensitive=False)(job_id)
    assert outcome == engine.ClaimResult.CLAIMED


@database_sync_to_async
def stored_events(*, job_id: str | None = None, owner: User | None = None) -> list[JobEvent]:
    stored = JobEvent.objects.order_by("id")
    if job_id is not None:
        stored = stored.filter(job_id=job_id)
    if owner is not None:
        stored = stored.filter(job__owner=owner)
    return list(stored)


def as_sent(event: JobEvent) -> dict[str, Any]:
    """What a subscriber receives for a stored event."""
    return {**event.payload, "eventId": event.pk}


@asynccontextmanager
async def ws(
    path: str = "/ws", headers: Sequence[tuple[bytes, bytes]] = ()
) -> AsyncIterator[WebsocketCommunicator]:
    client = WebsocketCommunicator(application, path, headers=[ORIGIN, *headers])
    connected, _ = await client.connect(timeout=TIMEOUT)
    assert connected
    try:
        yield client
    finally:
        await client.disconnect()


async def receive(client: WebsocketCommunicator) -> dict[str, Any]:
    message = await client.receive_json_from(timeout=TIMEOUT)
    assert isinstance(message, dict)
    return message


async def receive_until_finished(
    client: WebsocketCommunicator, *job_ids: str
) -> list[dict[str, Any]]:
    """Every message up to and including the final event of each of the jobs."""
    waiting, received = set(job_ids), []
    while waiting:
        message = await receive(client)
        received.append(message)
        if message["type"] in TERMINAL:
            waiting.discard(message["jobId"])
    return received


async def subscribe_to_job(client: WebsocketCommunicator, job: Job, token: str) -> dict[str, Any]:
    """Subscribe to the job and return the snapshot that follows the confirmation."""
    await client.send_json_to(
        {"type": "subscribe", "channel": "job", "jobId": job.pk, "token": token}
    )
    assert await receive(client) == {"type": "subscribed", "channel": "job", "id": job.pk}
    return await receive(client)


def assert_strictly_increasing(ids: list[int]) -> None:
    assert all(a < b for a, b in itertools.pairwise(ids)), ids


# --- subscribing to a job --------------------------------------------------------------------


async def test_a_subscriber_gets_a_snapshot_then_every_event_of_the_job_in_order(user, token):
    job = await submit(user, text="Maya opens the door", steps=3)
    async with ws() as client:
        snapshot = await subscribe_to_job(client, job, token)
        queued = await stored_events(job_id=job.pk)
        assert snapshot["type"] == "job_progress"
        assert (snapshot["jobId"], snapshot["status"]) == (job.pk, "queued")
        assert snapshot["eventId"] == queued[-1].pk

        await run(job.pk)
        received = await receive_until_finished(client, job.pk)
        assert await client.receive_nothing(timeout=QUIET)

    stored = [e for e in await stored_events(job_id=job.pk) if e.pk > snapshot["eventId"]]
    assert_strictly_increasing([m["eventId"] for m in received])
    assert received == [as_sent(e) for e in stored]  # each stored event once, in order

    progress = [m for m in received if m["type"] == "job_progress"]
    for message in progress:
        assert {"type", "jobId", "status", "stage", "progress", "message", "eventId"} <= set(
            message
        )
        assert (message["jobId"], message["status"]) == (job.pk, "processing")
    assert [m["progress"] for m in progress] == sorted(m["progress"] for m in progress)
    assert {"prepare", "count", "finish"} <= {m["stage"] for m in progress}
    assert "Rendering frame 3 of 3" in {m["message"] for m in progress}

    logs = [m["message"] for m in received if m["type"] == "job_log"]
    assert {"Job started", "Prepared the input", "Stage count completed", "Job completed"} <= set(
        logs
    )

    complete = received[-1]
    assert complete["type"] == "job_complete"
    assert (complete["status"], complete["progress"]) == ("completed", 100)
    assert complete["result"] == {"total": 3, "chars": len("Maya opens the door")}


async def test_a_failing_job_ends_with_job_failed_carrying_its_code_and_issues(user, token):
    job = await submit(user, type="test_checked", text="the villain returns")
    async with ws() as client:
        snapshot = await subscribe_to_job(client, job, token)
        await run(job.pk)
        received = await receive_until_finished(client, job.pk)
        assert await client.receive_nothing(timeout=QUIET)

    stored = [e for e in await stored_events(job_id=job.pk) if e.pk > snapshot["eventId"]]
    assert received == [as_sent(e) for e in stored]
    failed = received[-1]
    assert (failed["type"], failed["jobId"], failed["status"]) == ("job_failed", job.pk, "failed")
    assert failed["stage"] == "continuity_validation"
    assert failed["error"]["code"] == "CONTINUITY_VIOLATION"
    assert failed["error"]["message"]
    assert failed["error"]["issues"][0]["type"] == "name_drift"


async def test_a_job_that_finishes_while_the_subscription_is_set_up_is_snapshotted_finished(
    user, token, monkeypatch
):
    job = await submit(user, steps=1)
    own_job = consumers._own_job

    async def own_job_then_the_job_finishes(*args: Any) -> Job | None:
        found = await own_job(*args)
        await run(job.pk)  # its events go out before the subscriber has joined the job's group
        return found

    monkeypatch.setattr(consumers, "_own_job", own_job_then_the_job_finishes)
    async with ws() as client:
        snapshot = await subscribe_to_job(client, job, token)
        assert await client.receive_nothing(timeout=QUIET)

    last = (await stored_events(job_id=job.pk))[-1]
    assert (snapshot["type"], snapshot["status"]) == ("job_complete", "completed")
    assert snapshot["result"] == {"total": 1, "chars": 0}
    assert snapshot["eventId"] == last.pk


# --- authentication --------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["query string", "authorization header"])
async def test_the_job_stream_takes_the_token_from_the_query_string_or_the_header(
    user, token, where
):
    job = await submit(user, steps=2)
    if where == "query string":
        path, headers = f"/ws/jobs/{job.pk}?token={token}", []
    else:
        path, headers = f"/ws/jobs/{job.pk}", [(b"authorization", f"Bearer {token}".encode())]
    async with ws(path, headers) as client:
        assert await receive(client) == {"type": "subscribed", "channel": "job", "id": job.pk}
        snapshot = await receive(client)
        assert (snapshot["type"], snapshot["status"]) == ("job_progress", "queued")
        await run(job.pk)
        received = await receive_until_finished(client, job.pk)

    stored = [e for e in await stored_events(job_id=job.pk) if e.pk > snapshot["eventId"]]
    assert received == [as_sent(e) for e in stored]
    assert received[-1]["type"] == "job_complete"


def expired_token(user: User) -> str:
    access = AccessToken.for_user(user)
    access.set_exp(lifetime=-timedelta(minutes=5))
    return str(access)


def revoked_token(user: User) -> str:
    access = AccessToken.for_user(user)
    access.blacklist()  # what logout does
    return str(access)


@pytest.mark.parametrize("credentials", ["none", "garbage in the query", "expired in the header"])
async def test_the_job_stream_without_a_valid_token_sends_an_error_and_closes_4401(
    user, credentials
):
    job = await submit(user)
    path, headers = f"/ws/jobs/{job.pk}", []
    if credentials == "garbage in the query":
        path += "?token=not-a-jwt"
    elif credentials == "expired in the header":
        expired = await database_sync_to_async(expired_token)(user)
        headers = [(b"authorization", f"Bearer {expired}".encode())]
    async with ws(path, headers) as client:
        error = await receive(client)
        assert (error["type"], error["code"]) == ("error", "UNAUTHORIZED")
        assert await client.receive_output(timeout=TIMEOUT) == {
            "type": "websocket.close",
            "code": 4401,
        }


@pytest.mark.parametrize("make_token", [lambda user: "not-a-jwt", expired_token, revoked_token])
async def test_subscribing_with_an_invalid_token_is_unauthorized(user, token, make_token):
    job = await submit(user)
    bad = await database_sync_to_async(make_token)(user)
    async with ws() as client:
        await client.send_json_to(
            {"type": "subscribe", "channel": "job", "jobId": job.pk, "token": bad}
        )
        error = await receive(client)
        assert (error["type"], error["code"]) == ("error", "UNAUTHORIZED")
        assert await client.receive_nothing(timeout=QUIET)
        # the connection stays usable: a valid token then subscribes
        snapshot = await subscribe_to_job(client, job, token)
        assert snapshot["jobId"] == job.pk


async def test_subscribing_without_any_token_is_unauthorized(user):
    job = await submit(user)
    async with ws() as client:
        await client.send_json_to({"type": "subscribe", "channel": "job", "jobId": job.pk})
        error = await receive(client)
        assert (error["type"], error["code"]) == ("error", "UNAUTHORIZED")


# --- who may follow what ---------------------------------------------------------------------


async def test_subscribing_to_another_users_job_is_not_found_and_delivers_nothing(
    user, other_user, token, other_token
):
    job = await submit(other_user, steps=2)
    async with ws() as intruder, ws() as owner:
        await intruder.send_json_to(
            {"type": "subscribe", "channel": "job", "jobId": job.pk, "token": token}
        )
        error = await receive(intruder)
        assert (error["type"], error["code"], error["jobId"]) == ("error", "NOT_FOUND", job.pk)
        await subscribe_to_job(owner, job, other_token)

        await run(job.pk)
        assert (await receive_until_finished(owner, job.pk))[-1]["type"] == "job_complete"
        assert await intruder.receive_nothing(timeout=QUIET)


async def test_following_another_users_stream_is_forbidden(user, other_user, token, other_token):
    job = await submit(other_user, steps=1)
    async with ws() as intruder, ws() as owner:
        await intruder.send_json_to(
            {"type": "subscribe", "channel": "user", "userId": other_user.pk, "token": token}
        )
        error = await receive(intruder)
        assert (error["type"], error["code"]) == ("error", "FORBIDDEN")
        await owner.send_json_to(
            {"type": "subscribe", "channel": "user", "userId": other_user.pk, "token": other_token}
        )
        assert (await receive(owner))["type"] == "subscribed"

        await run(job.pk)
        assert (await receive_until_finished(owner, job.pk))[-1]["jobId"] == job.pk
        assert await intruder.receive_nothing(timeout=QUIET)


async def test_following_your_own_stream_delivers_the_events_of_all_your_jobs(
    user, other_user, token
):
    async with ws() as client:
        await client.send_json_to(
            {"type": "subscribe", "channel": "user", "userId": user.pk, "token": token}
        )
        assert await receive(client) == {"type": "subscribed", "channel": "user", "id": user.pk}
        assert await client.receive_nothing(timeout=QUIET)  # no snapshot for a user's stream

        first, second = await submit(user, steps=1), await submit(user, steps=2)
        someone_elses = await submit(other_user, steps=1)
        for job in (first, someone_elses, second):
            await run(job.pk)
        received = await receive_until_finished(client, first.pk, second.pk)
        assert await client.receive_nothing(timeout=QUIET)

    assert received == [as_sent(e) for e in await stored_events(owner=user)]
    assert {m["jobId"] for m in received} == {first.pk, second.pk}
    assert_strictly_increasing([m["eventId"] for m in received])
    finished = [m["jobId"] for m in received if m["type"] == "job_complete"]
    assert finished == [first.pk, second.pk]


# --- the rest of the protocol ----------------------------------------------------------------


async def test_unsubscribing_stops_the_events_of_the_job(user, token):
    job = await submit(user, steps=2)
    async with ws() as leaving, ws() as staying:
        await subscribe_to_job(leaving, job, token)
        await subscribe_to_job(staying, job, token)
        await leaving.send_json_to({"type": "unsubscribe", "channel": "job", "jobId": job.pk})
        assert await receive(leaving) == {"type": "unsubscribed", "channel": "job", "id": job.pk}

        await run(job.pk)
        assert (await receive_until_finished(staying, job.pk))[-1]["type"] == "job_complete"
        assert await leaving.receive_nothing(timeout=QUIET)


async def test_a_ping_is_answered_with_a_pong():
    async with ws() as client:
        await client.send_json_to({"type": "ping"})
        assert await receive(client) == {"type": "pong"}


@pytest.mark.parametrize(
    "frame",
    [
        {"text_data": "{not json"},
        {"text_data": "[1, 2, 3]"},
        {"text_data": '{"type": "dance"}'},
        {"text_data": '{"channel": "job"}'},
        {"bytes_data": b'{"type": "ping"}'},
    ],
    ids=["not json", "not an object", "unknown type", "no type", "binary frame"],
)
async def test_a_malformed_message_gets_an_error_and_the_connection_stays_open(frame):
    async with ws() as client:
        await client.send_to(**frame)
        error = await receive(client)
        assert (error["type"], error["code"]) == ("error", "VALIDATION_ERROR")
        assert error["message"]
        await client.send_json_to({"type": "ping"})
        assert await receive(client) == {"type": "pong"}


@pytest.mark.parametrize(
    "subscription",
    [{"channel": "planet", "jobId": "job_x"}, {"channel": "job"}, {"channel": "job", "jobId": 7}],
    ids=["unknown channel", "no id", "id not a string"],
)
async def test_a_subscription_without_a_valid_target_is_a_validation_error(token, subscription):
    async with ws() as client:
        await client.send_json_to({"type": "subscribe", "token": token, **subscription})
        error = await receive(client)
        assert (error["type"], error["code"]) == ("error", "VALIDATION_ERROR")
        await client.send_json_to({"type": "ping"})
        assert await receive(client) == {"type": "pong"}


# --- reconnecting ----------------------------------------------------------------------------


@database_sync_to_async
def _has_event(job_id: str, message: str) -> bool:
    return JobEvent.objects.filter(job_id=job_id, payload__message=message).exists()


async def wait_for_event(job_id: str, message: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while not await _has_event(job_id, message):
        assert loop.time() < deadline, f"no event with message {message!r}"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("how", ["subscribe message", "job stream query"])
async def test_a_reconnecting_client_gets_the_missed_events_then_live_ones_each_once(
    user, token, gate, how
):
    job = await submit(user, type="test_gated", gate=gate)
    async with ws() as first:
        last_seen = (await subscribe_to_job(first, job, token))["eventId"]

    # While nobody listens, the job starts and stops half-way, at the gate.
    worker = asyncio.ensure_future(run(job.pk))
    try:
        await wait_for_event(job.pk, "Waiting at the gate")
        missed = [e for e in await stored_events(job_id=job.pk) if e.pk > last_seen]
        assert missed

        path = f"/ws/jobs/{job.pk}?token={token}&lastEventId={last_seen}"
        async with ws("/ws" if how == "subscribe message" else path) as second:
            if how == "subscribe message":
                await second.send_json_to(
                    {
                        "type": "subscribe",
                        "channel": "job",
                        "jobId": job.pk,
                        "token": token,
                        "lastEventId": last_seen,
                    }
                )
            assert (await receive(second))["type"] == "subscribed"
            replayed = [await receive(second) for _ in missed]
            assert replayed == [as_sent(e) for e in missed]
            assert await second.receive_nothing(timeout=QUIET)

            _gates[gate].set()
            await worker
            live = await receive_until_finished(second, job.pk)
            assert await second.receive_nothing(timeout=QUIET)
    finally:
        _gates[gate].set()
        await worker

    stored = [e for e in await stored_events(job_id=job.pk) if e.pk > last_seen]
    assert replayed + live == [as_sent(e) for e in stored]
    assert live
    assert live[0]["message"] == "Through the gate"
    assert live[-1]["type"] == "job_complete"


# --- origin ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [(b"http://localhost", True), (b"https://evil.example", False)],
)
async def test_a_connection_from_an_origin_outside_allowed_hosts_is_refused(origin, accepted):
    client = WebsocketCommunicator(application, "/ws", headers=[(b"origin", origin)])
    connected, _ = await client.connect(timeout=TIMEOUT)
    assert connected is accepted
    if connected:
        await client.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_client_without_an_origin_header_reaches_the_token_check():
    """Scripts and mobile apps send no Origin: they are let through to authentication."""
    communicator = WebsocketCommunicator(application, "/ws")
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_live_events_arriving_out_of_id_order_are_all_delivered_once(user, token):
    """Two processes (a worker, the API) may publish a job's events out of id order."""
    from channels.layers import get_channel_layer

    from jobs import events

    job = await submit(user)
    async with ws() as client:
        snapshot = await subscribe_to_job(client, job, token)
        base = snapshot["eventId"]
        layer = get_channel_layer()
        for event_id in (base + 20, base + 10, base + 20):  # late arrival, then a duplicate
            message = {**snapshot, "type": "job_log", "eventId": event_id, "message": str(event_id)}
            group = events.job_group(job.pk)
            await layer.group_send(group, {"type": "job.event", "group": group, "event": message})
        received = [await receive(client), await receive(client)]
        assert [m["eventId"] for m in received] == [base + 20, base + 10]
        assert await client.receive_nothing(timeout=0.5)


# --- a client that stops reading -------------------------------------------------------------


def _publish_logs(job_id: str, count: int) -> None:
    from jobs import events

    try:
        job = Job.objects.get(pk=job_id)
        for index in range(count):
            events.publish(job, "job_log", message=f"line {index}", level="info")
    finally:
        connection.close()


async def test_a_client_that_stops_reading_delays_nobody_and_is_closed_to_catch_up(
    user, token, monkeypatch
):
    monkeypatch.setattr(consumers, "OUTBOX_LIMIT", 3)
    job = await submit(user)
    stalled, resume = False, asyncio.Event()

    async def stalling_app(scope: Any, receive: Any, send: Any) -> None:
        async def send_when_read(message: dict[str, Any]) -> None:
            if stalled and message["type"] == "websocket.send":
                await resume.wait()  # as a socket whose client stopped reading
            await send(message)

        await application(scope, receive, send_when_read)

    slow = WebsocketCommunicator(stalling_app, "/ws", headers=[ORIGIN])
    assert (await slow.connect(timeout=TIMEOUT))[0]
    try:
        async with ws() as fast:
            last_seen = (await subscribe_to_job(slow, job, token))["eventId"]
            await subscribe_to_job(fast, job, token)
            stalled = True

            await sync_to_async(_publish_logs, thread_sensitive=False)(job.pk, 5)
            live = [await receive(fast) for _ in range(5)]
            assert [m["message"] for m in live] == [f"line {i}" for i in range(5)]

            # More than OUTBOX_LIMIT events behind: closed, not buffered without bound.
            assert await slow.receive_output(timeout=TIMEOUT) == {
                "type": "websocket.close",
                "code": consumers.CLOSE_TOO_SLOW,
            }
    finally:
        resume.set()
        await slow.disconnect()

    async with ws() as again:  # the client reconnects from the last event it got
        await again.send_json_to(
            {
                "type": "subscribe",
                "channel": "job",
                "jobId": job.pk,
                "token": token,
                "lastEventId": last_seen,
            }
        )
        assert (await receive(again))["type"] == "subscribed"
        replayed = [await receive(again) for _ in range(5)]
    assert replayed == live


# --- a ban ends the user's open sockets -------------------------------------------------------


async def test_a_banned_users_open_sockets_are_closed_at_once(user, token, moderator):
    from moderation.services import user_ban

    job = await submit(user, text="Maya opens the door", steps=3)
    async with ws() as client, ws(f"/ws/jobs/{job.pk}?token={token}") as stream:
        await subscribe_to_job(client, job, token)
        assert (await receive(stream))["type"] == "subscribed"
        await receive(stream)  # the snapshot
        await database_sync_to_async(user_ban)(user=user, moderator=moderator, notes="spam")
        for socket in (client, stream):
            while True:  # the cancellation of the job may come first; then the close
                output = await socket.receive_output(timeout=TIMEOUT)
                if output["type"] == "websocket.close":
                    assert output["code"] == consumers.CLOSE_REVOKED
                    break


async def test_a_ban_closes_only_that_users_sockets(
    user, token, other_user, other_token, moderator
):
    from moderation.services import user_ban

    mine = await submit(user, text="Maya opens the door", steps=3)
    theirs = await submit(other_user, text="Kai waits", steps=3)
    async with ws() as client, ws() as other:
        await subscribe_to_job(client, mine, token)
        await subscribe_to_job(other, theirs, other_token)
        await database_sync_to_async(user_ban)(user=user, moderator=moderator, notes="spam")
        while (await client.receive_output(timeout=TIMEOUT))["type"] != "websocket.close":
            pass
        assert await other.receive_nothing(timeout=QUIET)
