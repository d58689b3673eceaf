"""/api/v1/websocket: the document's protocol between a session's members, refusals, the
per-plan connection limits, and catch-up after a reconnect.

Every test talks to `config.asgi.application` (origin check, token middleware, routing), and
events reach the members through the real channel layer.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from accounts.tokens import issue_token_pair
from chat import services
from chat.consumers import CLOSE_TOO_MANY_CONNECTIONS
from chat.models import ChatSession
from config.asgi import application
from tests.catalog.factories import TopicFactory
from tests.factories import UserFactory
from tests.projects.factories import CollaboratorFactory, ProjectFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5
QUIET = 0.4
ORIGIN = (b"origin", b"http://localhost")
PATH = "/api/v1/websocket"


@pytest.fixture(autouse=True)
def _fresh_channel_layer(settings: Any) -> None:
    settings.CHANNEL_LAYERS = copy.deepcopy(settings.CHANNEL_LAYERS)
    settings.LLM_BASE_URL = ""


@pytest_asyncio.fixture(autouse=True)
async def _close_connections() -> AsyncIterator[None]:
    yield
    await sync_to_async(connections.close_all)()


@database_sync_to_async
def make_team() -> dict[str, Any]:
    owner = UserFactory()
    project = ProjectFactory(owner=owner, title="Night Courier")
    TopicFactory(name="Action")
    collaborator = CollaboratorFactory(project=project, role="collaborator").user
    viewer = CollaboratorFactory(project=project, role="viewer").user
    stranger = UserFactory()
    session = services.session_start(
        project=project, user=owner, text="A courier races across a flooded city"
    ).session
    people = {"owner": owner, "collaborator": collaborator, "viewer": viewer, "stranger": stranger}
    return {
        "session": session,
        "project": project,
        **people,
        "tokens": {role: issue_token_pair(user).access for role, user in people.items()},
    }


@pytest_asyncio.fixture
async def team() -> dict[str, Any]:
    return await make_team()


@asynccontextmanager
async def ws(token: str | None, *, header: bool = False) -> AsyncIterator[WebsocketCommunicator]:
    path, headers = PATH, [ORIGIN]
    if token and header:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    elif token:
        path = f"{PATH}?token={token}"
    client = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await client.connect(timeout=TIMEOUT)
    assert connected
    try:
        yield client
    finally:
        await client.disconnect()


async def receive(client: WebsocketCommunicator) -> dict[str, Any]:
    return await client.receive_json_from(timeout=TIMEOUT)


async def receive_types(client: WebsocketCommunicator, *types: str) -> dict[str, dict]:
    """Read until one event of each type came (others in between are kept too)."""
    got: dict[str, dict] = {}
    while not set(types) <= set(got):
        event = await receive(client)
        got.setdefault(event["type"], event)
    return got


async def join(client: WebsocketCommunicator, session_id: str, **extra: Any) -> dict[str, Any]:
    await client.send_json_to({"type": "join-session", "sessionId": session_id, **extra})
    return await receive(client)


async def test_a_bad_token_or_none_is_refused_at_the_handshake(team):
    for path in (PATH, f"{PATH}?token=not-a-token"):
        client = WebsocketCommunicator(application, path, headers=[ORIGIN])
        connected, _ = await client.connect(timeout=TIMEOUT)
        assert not connected
        await client.disconnect()


async def test_a_stranger_cannot_join_and_hears_nothing_of_the_session(team):
    session_id = team["session"].pk
    async with ws(team["tokens"]["stranger"]) as stranger, ws(team["tokens"]["owner"]) as owner:
        refused = await join(stranger, session_id, userId=team["owner"].pk)
        assert refused["type"] == "error" and refused["code"] == "NOT_FOUND"
        assert (await join(owner, session_id))["type"] == "session-joined"
        await owner.send_json_to({"type": "chat-message", "sessionId": session_id, "message": "hi"})
        await receive_types(owner, "message-received", "ai-response")
        await stranger.send_json_to(
            {"type": "chat-message", "sessionId": session_id, "message": "let me in"}
        )
        assert (await receive(stranger))["code"] == "NOT_FOUND"
        assert await stranger.receive_nothing(timeout=QUIET)


async def test_members_hear_each_others_messages_answers_and_progress(team):
    session_id, project_id = team["session"].pk, team["project"].pk
    async with (
        ws(team["tokens"]["owner"]) as owner,
        ws(team["tokens"]["collaborator"], header=True) as collaborator,
    ):
        assert (await join(owner, session_id))["role"] == "owner"
        assert (await join(collaborator, session_id))["role"] == "collaborator"

        await collaborator.send_json_to(
            {"type": "chat-message", "sessionId": session_id, "message": "Make it faster"}
        )
        for client in (owner, collaborator):
            got = await receive_types(client, "message-received", "ai-response")
            assert got["message-received"]["sender"]["id"] == team["collaborator"].pk
            assert got["message-received"]["content"] == "Make it faster"
            assert got["message-received"]["messageId"].startswith("msg_")
            assert 2 <= len(got["ai-response"]["choices"]) <= 4
            assert isinstance(got["ai-response"]["processingTime"], int)

        # The server goes by the token: a userId in the message changes nothing.
        await owner.send_json_to(
            {
                "type": "choice-selected",
                "sessionId": session_id,
                "choiceId": "choice-1",
                "userId": team["collaborator"].pk,
            }
        )
        for client in (owner, collaborator):
            got = await receive_types(client, "message-received", "ai-response", "progress-update")
            assert got["message-received"]["sender"]["id"] == team["owner"].pk
            progress = got["progress-update"]
            assert progress["projectId"] == project_id
            assert progress["progress"]["percentage"] == 10
            assert progress["progress"]["stepCompleted"] == "concept-development"
            assert progress["progress"]["nextStep"] == "genre-selection"
            assert got["ai-response"]["currentStep"] == "genre-selection"


async def test_typing_reaches_the_other_members_with_the_tokens_user(team):
    session_id = team["session"].pk
    async with ws(team["tokens"]["owner"]) as owner, ws(team["tokens"]["viewer"]) as viewer:
        await join(owner, session_id)
        await join(viewer, session_id)
        await owner.send_json_to(
            {"type": "typing", "sessionId": session_id, "userId": "usr_fake", "isTyping": True}
        )
        typing = await receive(viewer)
        assert typing == {
            "type": "user-typing",
            "sessionId": session_id,
            "user": {"id": team["owner"].pk, "name": typing["user"]["name"]},
            "isTyping": True,
        }
        assert await owner.receive_nothing(timeout=QUIET)  # not echoed to the typist


async def test_a_viewer_reads_but_cannot_speak_or_choose(team):
    session_id = team["session"].pk
    async with ws(team["tokens"]["viewer"]) as viewer:
        assert (await join(viewer, session_id))["role"] == "viewer"
        for message in (
            {"type": "chat-message", "sessionId": session_id, "message": "hi"},
            {"type": "choice-selected", "sessionId": session_id, "choiceId": "choice-1"},
        ):
            await viewer.send_json_to(message)
            assert (await receive(viewer))["code"] == "FORBIDDEN"
    session = await database_sync_to_async(ChatSession.objects.get)(pk=session_id)
    assert session.message_count == 2 and session.current_step == "concept-development"


async def test_bad_frames_get_error_events_and_keep_the_connection(team):
    session_id = team["session"].pk
    async with ws(team["tokens"]["owner"]) as owner:
        await owner.send_to(text_data="not json")
        assert (await receive(owner))["code"] == "VALIDATION_ERROR"
        await owner.send_json_to({"type": "dance"})
        assert (await receive(owner))["code"] == "VALIDATION_ERROR"
        await owner.send_json_to({"type": "join-session"})
        assert (await receive(owner))["code"] == "VALIDATION_ERROR"
        await owner.send_json_to(
            {"type": "choice-selected", "sessionId": session_id, "choiceId": "choice-9"}
        )
        error = await receive(owner)
        assert error["code"] == "VALIDATION_ERROR" and error["details"][0]["field"] == "choiceId"
        await owner.send_json_to({"type": "ping"})
        assert (await receive(owner)) == {"type": "pong"}


async def test_a_member_who_reconnects_catches_up_on_what_was_said(team):
    session_id = team["session"].pk
    async with ws(team["tokens"]["collaborator"]) as collaborator:
        await join(collaborator, session_id)
        await collaborator.send_json_to(
            {"type": "chat-message", "sessionId": session_id, "message": "First"}
        )
        got = await receive_types(collaborator, "message-received", "ai-response")
        last_seen = got["ai-response"]["messageId"]
    # Meanwhile the owner talks and chooses over the API.
    await database_sync_to_async(services.message_post)(
        session=team["session"], user=team["owner"], text="Second"
    )
    await database_sync_to_async(services.choice_select)(
        session=team["session"], user=team["owner"], choice_id="choice-1"
    )
    async with ws(team["tokens"]["collaborator"]) as collaborator:
        assert (await join(collaborator, session_id, lastMessageId=last_seen))["type"] == (
            "session-joined"
        )
        missed = [await receive(collaborator) for _ in range(4)]
        assert [m["type"] for m in missed] == [
            "message-received",
            "ai-response",
            "message-received",
            "ai-response",
        ]
        assert missed[0]["content"] == "Second" and missed[0]["replayed"] is True
        positions = [m["position"] for m in missed]
        assert positions == sorted(positions)
        assert missed[3]["currentStep"] == "genre-selection"
        assert await collaborator.receive_nothing(timeout=QUIET)


@pytest.mark.parametrize(("plan", "limit"), [("free", 5), ("pro", 20)])
async def test_the_connection_over_the_plans_limit_is_closed_with_4429(plan, limit):
    user = await database_sync_to_async(UserFactory)(plan=plan)
    token = await database_sync_to_async(lambda: issue_token_pair(user).access)()
    clients = []
    for _ in range(limit):
        client = WebsocketCommunicator(application, f"{PATH}?token={token}", headers=[ORIGIN])
        assert (await client.connect(timeout=TIMEOUT))[0]
        clients.append(client)
    extra = WebsocketCommunicator(application, f"{PATH}?token={token}", headers=[ORIGIN])
    assert (await extra.connect(timeout=TIMEOUT))[0]
    error = await extra.receive_json_from(timeout=TIMEOUT)
    assert error["code"] == "WEBSOCKET_ERROR" and error["limit"] == limit
    closed = await extra.receive_output(timeout=TIMEOUT)
    assert closed == {"type": "websocket.close", "code": CLOSE_TOO_MANY_CONNECTIONS}
    await extra.wait()
    # One closes: a new connection fits again.
    await clients.pop().disconnect()
    again = WebsocketCommunicator(application, f"{PATH}?token={token}", headers=[ORIGIN])
    assert (await again.connect(timeout=TIMEOUT))[0]
    await again.send_json_to({"type": "ping"})
    assert await again.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
    clients.append(again)
    for client in clients:
        await client.disconnect()


async def test_enterprise_connections_are_unlimited():
    user = await database_sync_to_async(UserFactory)(plan="enterprise")
    token = await database_sync_to_async(lambda: issue_token_pair(user).access)()
    clients = []
    for _ in range(25):
        client = WebsocketCommunicator(application, f"{PATH}?token={token}", headers=[ORIGIN])
        assert (await client.connect(timeout=TIMEOUT))[0]
        clients.append(client)
    await clients[-1].send_json_to({"type": "ping"})
    assert await clients[-1].receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
    await asyncio.gather(*(c.disconnect() for c in clients))
