"""A finished scene job's result, as StoryForge documents it, the same everywhere a client
reads it: GET /jobs/:id, the `job_complete` event on /ws and on /ws/jobs/<id>, a replay and a
webhook; every file a URL that serves it, no storage key; progress messages that follow the
work."""

from __future__ import annotations

import copy
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connections
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import issue_token_pair
from jobs import services as job_services
from jobs.models import Job, JobEvent, JobStatus, WebhookDelivery, WebhookEndpoint
from tests.jobs.test_websocket import TERMINAL, receive, run, subscribe_to_job, ws
from tests.studio.conftest import body_bytes, fetch

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

SCRIPT = (
    "Captain Maya Chen stared at the flickering display. After 500 years of silence, the "
    "colony ship Aurora had finally sent a message."
)
DOCUMENTED = {"segmentId", "videoUrl", "thumbnailUrl", "duration", "bibleVersion"}
URL_KEYS = {"videoUrl", "hlsUrl", "mp4Url", "fileUrl", "thumbnailUrl", "posterUrl"}


@pytest.fixture(autouse=True)
def _setup(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.CHANNEL_LAYERS = copy.deepcopy(settings.CHANNEL_LAYERS)
    settings.PUBLIC_BASE_URL = "http://media.example.test"
    # Submitted jobs stay queued: the test subscribes first, then runs them in a worker thread.
    monkeypatch.setattr(job_services, "enqueue", lambda job, **kwargs: None)


@pytest_asyncio.fixture(autouse=True)
async def _close_connections() -> AsyncIterator[None]:
    yield
    # The thread database_sync_to_async runs in keeps its connection past the test otherwise,
    # and PostgreSQL cannot drop a test database that is still in use.
    await sync_to_async(connections.close_all)()


async def receive_until_finished(client: Any, job_id: str) -> list[dict[str, Any]]:
    """Every message up to the job's final event; a render on a busy machine may pause a
    while between events, so each may take longer to come than the WebSocket tests allow."""
    received = []
    while True:
        message = await client.receive_json_from(timeout=60)
        received.append(message)
        if message.get("type") in TERMINAL and message.get("jobId") == job_id:
            return received


def client(user: User) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token_pair(user).access}")
    return api


@database_sync_to_async
def create_scene(user: User) -> str:
    call_command("load_demo_catalog", verbosity=0)
    WebhookEndpoint.objects.create(
        owner=user, url="https://hooks.example.com/in", events=["job.completed"], secret="whsec"
    )
    created = client(user).post(
        "/api/v1/scenes",
        {"ideaId": "idea_last_starship", "title": "The Signal", "initialScript": SCRIPT},
        format="json",
    )
    assert created.status_code == 201, created.content
    return created.json()["data"]["job"]["id"]


def storage_keys(value: Any) -> list[str]:
    """Every string in a JSON value that names a stored file (or looks like a storage key)."""
    if isinstance(value, dict):
        return [key for item in value.values() for key in storage_keys(item)]
    if isinstance(value, list):
        return [key for item in value for key in storage_keys(item)]
    if isinstance(value, str) and (
        value.startswith("users/") or (len(value) < 500 and default_storage.exists(value))
    ):
        return [value]
    return []


def fetched(api: APIClient, url: str) -> bytes:
    return body_bytes(fetch(api, url))


def unsigned(body: bytes) -> bytes:
    """A fetched file with the signed tokens of the links inside it (playlists) taken out."""
    return re.sub(rb"/files/[^/\s]+/", b"/files/<signed>/", body)


async def test_job_complete_carries_the_documented_result_as_get_jobs_shows_it(user, webhooks):
    job_id = await create_scene(user)
    token = (await database_sync_to_async(issue_token_pair)(user)).access
    job = await database_sync_to_async(Job.objects.get)(pk=job_id)

    async with ws() as shared, ws(f"/ws/jobs/{job_id}?token={token}") as stream:
        await subscribe_to_job(shared, job, token)
        assert (await receive(stream))["type"] == "subscribed"
        assert (await receive(stream))["jobId"] == job_id  # the snapshot
        await run(job_id)
        on_ws = await receive_until_finished(shared, job_id)
        on_stream = await receive_until_finished(stream, job_id)

    api = await sync_to_async(client)(user)
    shown = (await sync_to_async(api.get)(f"/api/v1/jobs/{job_id}")).json()["data"]
    assert shown["status"] == "completed"
    result = shown["result"]
    assert set(result) >= DOCUMENTED
    assert result["segmentId"].startswith("seg_") and result["bibleVersion"] == 1
    assert result["duration"] > 0
    assert await sync_to_async(storage_keys)(result) == []

    for received in (on_ws, on_stream):
        complete = received[-1]
        assert complete["type"] == "job_complete" and complete["status"] == "completed"
        event_result = complete["result"]
        assert set(event_result) == set(result)
        # The same values; links are signed anew each time, so they are compared by content.
        assert {k: v for k, v in event_result.items() if k not in URL_KEYS} == {
            k: v for k, v in result.items() if k not in URL_KEYS
        }
        assert await sync_to_async(storage_keys)(complete) == []
        for key in URL_KEYS & set(result):
            # Built outside any request: on the configured base (GET's, on the request's host).
            assert event_result[key].startswith("http://media.example.test/files/")
            assert result[key].startswith("http://testserver/files/")
            # A playlist's own links are signed anew on each fetch (their expiry can differ
            # by a second): the files are compared with the signatures taken out.
            assert unsigned(await sync_to_async(fetched)(api, event_result[key])) == unsigned(
                await sync_to_async(fetched)(api, result[key])
            )

    # videoUrl is the HLS master, mp4Url the MP4, thumbnailUrl and posterUrl JPEGs.
    master = (await sync_to_async(fetched)(api, result["videoUrl"])).decode()
    assert master.startswith("#EXTM3U") and "#EXT-X-STREAM-INF" in master
    assert result["hlsUrl"] == result["videoUrl"]
    assert (await sync_to_async(fetched)(api, result["mp4Url"]))[4:8] == b"ftyp"
    for key in ("thumbnailUrl", "posterUrl"):
        assert (await sync_to_async(fetched)(api, result[key]))[:2] == b"\xff\xd8"

    # A client that reconnects with lastEventId gets the same result, freshly signed.
    stored = await database_sync_to_async(list)(JobEvent.objects.filter(job_id=job_id))
    before_complete = [e for e in stored if e.type != "job_complete"][-1].pk
    async with ws(f"/ws/jobs/{job_id}?token={token}&lastEventId={before_complete}") as again:
        replayed = await receive_until_finished(again, job_id)
    assert set(replayed[-1]["result"]) == set(result)
    assert await sync_to_async(storage_keys)(replayed[-1]) == []

    # The webhook carries it too.
    delivery = await database_sync_to_async(WebhookDelivery.objects.get)(
        job_id=job_id, event="job.completed"
    )
    assert set(delivery.payload["data"]["result"]) == set(result)
    assert await sync_to_async(storage_keys)(delivery.payload) == []

    # Messages follow the work: what is rendered while rendering, what was made at the end.
    rendering = [
        m["message"]
        for m in on_stream
        if m["type"] == "job_progress" and m["stage"] == "video_generation"
    ]
    assert rendering and all(not m.startswith("Continuity") for m in rendering), rendering
    assert any(m.startswith("Rendering the video: ") and "frames at" in m for m in rendering)
    assert any(m.startswith("Rendering frame ") for m in rendering), rendering
    assert shown["message"].startswith("Segment 1 created successfully")
    assert on_stream[-1]["message"] == shown["message"]


@pytest.fixture
def webhooks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deliveries are recorded, not sent (no network in tests)."""
    from jobs import webhooks as hooks

    monkeypatch.setattr(hooks, "schedule", lambda delivery, **kwargs: None)


async def test_a_cancelled_scene_job_says_it_was_cancelled(user):
    job_id = await create_scene(user)
    token = (await database_sync_to_async(issue_token_pair)(user)).access
    job = await database_sync_to_async(Job.objects.get)(pk=job_id)
    async with ws() as shared:
        await subscribe_to_job(shared, job, token)
        await database_sync_to_async(job_services.job_cancel)(job=job)
        cancelled = await receive_until_finished(shared, job_id)
    assert (cancelled[-1]["type"], cancelled[-1]["message"]) == ("job_cancelled", "Job cancelled")
    job = await database_sync_to_async(Job.objects.get)(pk=job_id)
    assert (job.status, job.message) == (JobStatus.CANCELLED, "Job cancelled")
