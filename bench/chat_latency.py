"""Benchmark: the guided chat's choice → ai-response latency with the offline writer, and
WebSocket delivery to a session's members (issue 15; goal: p95 ≤ 300 ms).

Builds a throw-away test database (the configured engine: SQLite by default, PostgreSQL with
DATABASE_URL), a project whose owner and `--members - 1` collaborators take part, and a
project asset analysed as an uploaded reference image would be (so the choices read a
palette and a description). Then, on the real consumer and channel layer (in memory by
default, Redis with REDIS_URL) in this process, through `config.asgi.application` with
Channels' in-process ASGI client (no network stack; the socket path of a real server is not
in these numbers):

(a) `api`: POST /api/v1/chat/choice through Django's test client, `--rounds` times: request to
    response (the response carries the next aiResponse), the offline rule writer;
(b) `ws_choice`: the owner sends `choice-selected` over the WebSocket and times the arrival of
    its own `ai-response` (screening, the lock, the writer, the commit, the channel layer);
(c) `ws_members`: for the same rounds, each other member's `ai-response` arrival, measured
    from the owner's send.

A session has nine advancing choices (concept to storyboard): a new session is started,
untimed, every nine rounds; three untimed choices warm the process first. Prints p50/p95/max
in milliseconds as JSON.

    .venv/bin/python bench/chat_latency.py [--rounds 90 --members 5] [--out /tmp/chat.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

ADVANCING = 9  # concept-development … storyboard


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

    return {
        "n": len(ordered),
        "p50": round(statistics.median(ordered), 1),
        "p95": pct(0.95),
        "max": round(ordered[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=90)
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.RATELIMIT_ENABLE = False
    settings.DEBUG = False
    settings.LLM_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["*"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        result = run(args)
        text = json.dumps(result, indent=2)
        print(text)
        if args.out:
            args.out.write_text(text)
    finally:
        if connection.vendor == "postgresql":
            # Connections left by the ASGI side's threads would keep the database in use.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        connection.creation.destroy_test_db(old_name, verbosity=0)


def setup(members: int) -> dict[str, Any]:
    from accounts.models import User
    from accounts.tokens import issue_token_pair
    from assets.models import Asset
    from catalog.models import Topic
    from projects.models import Collaborator, Project

    Topic.objects.create(name="Action", slug="action", status="approved")
    users = [
        User.objects.create_user(f"c{n}@example.com", None, username=f"chat{n}", plan="pro")
        for n in range(members)
    ]
    project = Project.objects.create(title="Bench film", owner=users[0])
    for user in users[1:]:
        Collaborator.objects.create(project=project, user=user, role="collaborator")
    Asset.objects.create(
        owner=users[0],
        project=project,
        name="hero.png",
        filename="hero.png",
        kind="image",
        media_type="character_reference",
        mime_type="image/png",
        size=1000,
        checksum="0" * 64,
        file="bench/hero.png",
        status="active",
        technical={"palette": [{"hex": "#c81e28", "name": "red", "rgb": [200, 30, 40]}]},
        analysis={
            "description": "A dark, warm-toned portrait image dominated by red.",
            "tags": ["portrait", "dark", "warm", "red"],
            "styleAnalysis": {"colorTone": "warm", "brightnessLevel": "dark"},
        },
    )
    return {
        "users": users,
        "project": project,
        "tokens": [issue_token_pair(u).access for u in users],
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from rest_framework.test import APIClient

    from chat import services

    world = setup(args.members)
    owner, project = world["users"][0], world["project"]

    def new_session() -> str:
        return services.session_start(
            project=project, user=owner, text="A courier races across a flooded city at night"
        ).session.pk

    # (a) the HTTP API
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world['tokens'][0]}")
    api_ms: list[float] = []
    warm = new_session()  # untimed: the first request loads the screener's lexicon and more
    for _ in range(3):
        client.post(
            "/api/v1/chat/choice", {"sessionId": warm, "choiceId": "choice-1"}, format="json"
        )
    session_id = new_session()
    for index in tqdm(range(args.rounds), desc="api choices", unit="choice"):
        if index and index % ADVANCING == 0:
            session_id = new_session()
        started = time.perf_counter()
        response = client.post(
            "/api/v1/chat/choice",
            {"sessionId": session_id, "choiceId": "choice-1"},
            format="json",
        )
        api_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content

    ws_choice, ws_members = asyncio.run(websocket_rounds(args, world, new_session))
    return {
        "rounds": args.rounds,
        "members": args.members,
        "database": connection_vendor(),
        "channel_layer": "redis" if os.environ.get("REDIS_URL") else "in-memory",
        "api_choice_ms": summary(api_ms),
        "ws_choice_to_own_ai_response_ms": summary(ws_choice),
        "ws_delivery_to_other_members_ms": summary(ws_members),
    }


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


async def websocket_rounds(
    args: argparse.Namespace, world: dict[str, Any], new_session: Any
) -> tuple[list[float], list[float]]:
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    clients = []
    for token in world["tokens"]:
        client = WebsocketCommunicator(
            application, f"/api/v1/websocket?token={token}", headers=[(b"origin", b"http://x")]
        )
        connected, _ = await client.connect(timeout=10)
        assert connected
        clients.append(client)
    owner, others = clients[0], clients[1:]

    async def join_all(session_id: str) -> None:
        for client in clients:
            await client.send_json_to({"type": "join-session", "sessionId": session_id})
            while (await client.receive_json_from(timeout=10))["type"] != "session-joined":
                pass  # a late event of the previous session

    async def until_ai(client: WebsocketCommunicator) -> float:
        while True:
            event = await client.receive_json_from(timeout=30)
            if event["type"] == "ai-response":
                return time.perf_counter()
            if event["type"] == "error":
                raise RuntimeError(event)

    own: list[float] = []
    members: list[float] = []
    session_id = ""
    for index in tqdm(range(args.rounds), desc="websocket choices", unit="choice"):
        if index % ADVANCING == 0:
            if session_id:
                for client in clients:
                    await client.send_json_to({"type": "leave-session", "sessionId": session_id})
            session_id = await database_sync_to_async(new_session)()
            await join_all(session_id)
        started = time.perf_counter()
        await owner.send_json_to(
            {"type": "choice-selected", "sessionId": session_id, "choiceId": "choice-1"}
        )
        arrivals = await asyncio.gather(until_ai(owner), *(until_ai(c) for c in others))
        own.append((arrivals[0] - started) * 1000)
        members.extend((t - started) * 1000 for t in arrivals[1:])
        for client in clients:  # the progress-update that follows each choice
            while (await client.receive_json_from(timeout=30))["type"] != "progress-update":
                pass
    for client in clients:
        await client.disconnect()
    # The database thread's connection, or PostgreSQL cannot drop the test database.
    from django.db import connections

    await database_sync_to_async(connections.close_all)()
    return own, members


if __name__ == "__main__":
    main()
