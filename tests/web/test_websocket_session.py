"""Browser pages follow jobs over /ws with their session cookie (Channels' session and auth
middleware in config.asgi), never a token in the page; another site cannot (origin check),
and a token, where one is sent, still decides who the client is."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.test import Client

from accounts.models import User
from config.asgi import application
from jobs.models import Job

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5
SAME_SITE = (b"origin", b"http://127.0.0.1:8000")


@pytest.fixture(autouse=True)
def _fresh_channel_layer(settings: Any) -> None:
    settings.CHANNEL_LAYERS = copy.deepcopy(settings.CHANNEL_LAYERS)


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    connections.close_all()


@sync_to_async
def session_cookie(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


@sync_to_async
def job_of(user: User) -> Job:
    return Job.objects.create(type="scene_creation", owner=user, input={}, status="queued")


async def connect(*headers: tuple[bytes, bytes]) -> WebsocketCommunicator:
    client = WebsocketCommunicator(application, "/ws", headers=list(headers))
    connected, _ = await client.connect(timeout=TIMEOUT)
    assert connected
    return client


async def test_a_signed_in_page_follows_its_own_job_with_its_session(user, other_user):
    cookie = await session_cookie(user)
    mine, theirs = await job_of(user), await job_of(other_user)
    client = await connect(SAME_SITE, (b"cookie", cookie))
    await client.send_json_to({"type": "subscribe", "channel": "job", "jobId": mine.pk})
    assert (await client.receive_json_from(TIMEOUT))["type"] == "subscribed"
    snapshot = await client.receive_json_from(TIMEOUT)
    assert (snapshot["jobId"], snapshot["status"]) == (mine.pk, "queued")
    await client.send_json_to({"type": "subscribe", "channel": "job", "jobId": theirs.pk})
    assert (await client.receive_json_from(TIMEOUT))["code"] == "NOT_FOUND"
    await client.disconnect()


async def test_without_a_session_or_token_a_socket_cannot_subscribe(user):
    job = await job_of(user)
    client = await connect(SAME_SITE)
    await client.send_json_to({"type": "subscribe", "channel": "job", "jobId": job.pk})
    assert (await client.receive_json_from(TIMEOUT))["code"] == "UNAUTHORIZED"
    await client.disconnect()


async def test_another_sites_page_cannot_open_a_socket_with_the_cookie(user):
    cookie = await session_cookie(user)
    client = WebsocketCommunicator(
        application, "/ws", headers=[(b"origin", b"https://evil.example"), (b"cookie", cookie)]
    )
    connected, _ = await client.connect(timeout=TIMEOUT)
    assert not connected


async def test_a_bad_token_does_not_fall_back_to_the_session(user):
    cookie = await session_cookie(user)
    job = await job_of(user)
    client = WebsocketCommunicator(
        application, "/ws?token=not-a-token", headers=[SAME_SITE, (b"cookie", cookie)]
    )
    assert (await client.connect(timeout=TIMEOUT))[0]
    await client.send_json_to({"type": "subscribe", "channel": "job", "jobId": job.pk})
    assert (await client.receive_json_from(TIMEOUT))["code"] == "UNAUTHORIZED"
    await client.disconnect()
