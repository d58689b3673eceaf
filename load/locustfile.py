"""The platform's real mix under load (issue 19), against the topology (load/topology.py).

Users (weights): anonymous browsers (topics, ideas, scenes, a scene's page and playlist, its
segment files from S3 through the signed URLs), members (sign up, sign in again, post ideas,
create and continue scenes with a WebSocket subscriber following each job on the `ws` server),
film makers (a project and a film job through the job API). Uploads, search and chat join the
mix when their endpoints exist (the schema is read once at start; see `_optional_paths`).

Bounded: each member submits at most LOAD_JOBS_PER_USER jobs; the run's time and users are
locust's `-t` and `-u`. Every submitted job id is appended to LOAD_JOBS_FILE, so that the
run's driver (load/run.py) can count lost and stuck jobs in the database afterwards.
Loopback only: the host must be 127.0.0.1.

    locust -f load/locustfile.py --host http://127.0.0.1:8000 --headless -u 50 -r 10 -t 60s
"""

from __future__ import annotations

import json
import os
import random
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, events, task

WS_URL = os.environ.get("TOPOLOGY_WS_URL", "ws://127.0.0.1:8001")
JOBS_FILE = os.environ.get("LOAD_JOBS_FILE", "")
JOBS_PER_USER = int(os.environ.get("LOAD_JOBS_PER_USER", "3"))
PASSWORD = "Load-Pass-123!"
SCRIPT = (
    "Captain Maya Chen stared at the flickering display. After 500 years of silence, the "
    "colony ship Aurora had finally sent a message."
)
CONTINUATIONS = [
    "Maya decoded the message slowly. It was a warning, not a plea. She called the crew.",
    "The crew gathered on the bridge. Maya read the words aloud while the lights dimmed.",
    "Nobody spoke for a long time. Then the engineer asked what they would do next.",
]
_jobs_lock = threading.Lock()
_optional: dict[str, bool] = {}


@events.test_start.add_listener
def _check_host(environment: Any, **_: Any) -> None:
    host = urlsplit(environment.host or "").hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"load runs on loopback only, not against {environment.host!r}")


def _record_job(job_id: str) -> None:
    if JOBS_FILE:
        with _jobs_lock, open(JOBS_FILE, "a") as out:
            out.write(job_id + "\n")


def _forwarded() -> str:
    """One client address per user: the per-IP limit sees them as the proxy would pass them."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


# Anonymous clients and free accounts may make 100 requests an hour (the plan's limit, which
# the run keeps on). A visitor or member of the mix makes at most this many before it leaves
# and a new one (a new address, a new account) takes its place, so the run's 429s are the ones
# a real crowd would meet, not one simulated user's hour compressed into minutes.
REQUESTS_PER_VISIT = int(os.environ.get("LOAD_REQUESTS_PER_VISIT", "45"))


def _spend(user: Any, requests: int = 1) -> None:
    user.spent = getattr(user, "spent", 0) + requests
    if user.spent >= REQUESTS_PER_VISIT:
        user.spent = 0
        user.client.headers.pop("Authorization", None)
        user.on_start()


def _optional_paths(user: HttpUser) -> dict[str, bool]:
    """Which optional parts the server has (uploads, search, chat), from its schema, once."""
    if not _optional:
        with user.client.get("/api/v1/schema?format=json", name="schema", catch_response=True) as r:
            paths = r.json().get("paths", {}) if r.status_code == 200 else {}
            r.success()
        _optional["assets"] = any(p.startswith("/api/v1/assets") for p in paths)
        _optional["search"] = any("search" in p for p in paths)
        _optional["chat"] = any(p.startswith("/api/v1/chat") for p in paths)
    return _optional


def follow_job(user: HttpUser, job_id: str, token: str) -> None:
    """Follow a job on /ws/jobs/<id> until its terminal event; report one WS 'request' whose
    time is submit-to-terminal and that fails when events come out of order or twice."""
    import websocket  # websocket-client: gevent-friendly under locust's monkey patching

    start = time.perf_counter()
    ids: list[int] = []
    error: Exception | None = None
    last: str | None = None
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and last is None:
            url = f"{WS_URL}/ws/jobs/{job_id}?token={token}"
            if ids:
                url += f"&lastEventId={ids[-1]}"
            try:
                sock = websocket.create_connection(url, timeout=30)
            except (OSError, websocket.WebSocketException):
                gevent.sleep(1)
                continue
            try:
                while time.monotonic() < deadline:
                    message = json.loads(sock.recv())
                    if message.get("eventId"):
                        ids.append(int(message["eventId"]))
                    if message.get("type") in ("job_complete", "job_failed", "job_cancelled"):
                        last = message["type"]
                        break
            except (OSError, websocket.WebSocketException, ValueError):
                pass  # dropped: reconnect with lastEventId
            finally:
                sock.close()
        if last is None:
            error = RuntimeError("no terminal event within 300 s")
        elif ids != sorted(set(ids)):
            error = RuntimeError(f"events out of order or twice: {ids}")
    except Exception as exc:
        error = exc
    events.request.fire(
        request_type="WS",
        name=f"job events ({last or 'none'})",
        response_time=(time.perf_counter() - start) * 1000,
        response_length=len(ids),
        exception=error,
        context={},
    )


class AnonymousBrowser(HttpUser):
    """Reads what anybody can: lists, a scene's page and playlist, its segment files."""

    weight = 6
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        self.client.headers["X-Forwarded-For"] = _forwarded()
        self.scenes: list[str] = []

    @task(3)
    def topics(self) -> None:
        _spend(self)
        self.client.get("/api/v1/topics", name="GET /topics")

    @task(5)
    def ideas(self) -> None:
        _spend(self)
        self.client.get(
            f"/api/v1/ideas?sort={random.choice(['trending', 'newest'])}", name="GET /ideas"
        )

    @task(5)
    def scenes_list(self) -> None:
        _spend(self)
        response = self.client.get("/api/v1/scenes", name="GET /scenes")
        if response.status_code == 200:
            self.scenes = [s["id"] for s in response.json()["data"]][:20]

    @task(4)
    def scene_page(self) -> None:
        _spend(self)
        if not self.scenes:
            return
        scene_id = random.choice(self.scenes)
        self.client.get(f"/api/v1/scenes/{scene_id}", name="GET /scenes/:id")
        playlist = self.client.get(f"/api/v1/scenes/{scene_id}/playlist", name="GET /playlist")
        if playlist.status_code != 200:
            return
        segments = playlist.json()["data"]["segments"]
        if segments:
            segment = random.choice(segments)
            # The signed S3 URL: the moto server on loopback.
            self.client.get(segment["hlsUrl"], name="GET segment file (S3)")

    @task(1)
    def scene_web_page(self) -> None:
        _spend(self)
        if self.scenes:
            self.client.get(f"/scenes/{random.choice(self.scenes)}/", name="GET scene page (html)")


class Member(HttpUser):
    """Signs up, signs in again, posts ideas, creates and continues scenes, following each
    job on the WebSocket server."""

    weight = 3
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.headers["X-Forwarded-For"] = _forwarded()
        self.email = f"load-{secrets.token_hex(6)}@example.com"
        self.jobs = 0
        self.scene_ids: list[str] = []
        self.token = ""
        signup = self.client.post(
            "/api/v1/auth/signup",
            json={"email": self.email, "password": PASSWORD, "displayName": "Load"},
            name="POST /auth/signup",
        )
        if signup.status_code == 201:
            self._use(signup.json()["data"]["accessToken"])

    def _use(self, token: str) -> None:
        self.token = token
        self.client.headers["Authorization"] = f"Bearer {token}"

    @task(2)
    def sign_in(self) -> None:
        _spend(self)
        response = self.client.post(
            "/api/v1/auth/login",
            json={"email": self.email, "password": PASSWORD},
            name="POST /auth/login",
        )
        if response.status_code == 200:
            self._use(response.json()["data"]["accessToken"])

    @task(4)
    def browse_ideas(self) -> None:
        _spend(self)
        self.client.get("/api/v1/ideas", name="GET /ideas")

    @task(2)
    def post_idea(self) -> None:
        _spend(self)
        self.client.post(
            "/api/v1/ideas",
            json={
                "title": f"A lighthouse keeper's {secrets.token_hex(3)} secret",
                "prompt": "A lighthouse keeper finds a message in a bottle that is addressed "
                "to her, written in her own hand, dated forty years from now.",
                "topicId": "top_scifi",
            },
            name="POST /ideas",
        )

    @task(1)
    def create_or_continue_scene(self) -> None:
        _spend(self)
        if not self.token or self.jobs >= JOBS_PER_USER:
            return
        if not self.scene_ids:
            response = self.client.post(
                "/api/v1/scenes",
                json={"ideaId": "idea_last_starship", "title": "Load", "initialScript": SCRIPT},
                name="POST /scenes",
            )
            if response.status_code != 201:
                return
            data = response.json()["data"]
            self.scene_ids.append(data["scene"]["id"])
            job_id = data["job"]["id"]
        else:
            scene_id = self.scene_ids[-1]
            scene = self.client.get(f"/api/v1/scenes/{scene_id}", name="GET /scenes/:id")
            if scene.status_code != 200:
                return
            with self.client.post(
                f"/api/v1/scenes/{scene_id}/continue",
                json={
                    "continuationText": random.choice(CONTINUATIONS),
                    "bibleVersion": scene.json()["data"]["bibleVersion"],
                },
                name="POST /scenes/:id/continue",
                catch_response=True,
            ) as response:
                if response.status_code == 409:  # the previous continuation still runs: fine
                    response.success()
                    return
                if response.status_code != 202:
                    return
                job_id = response.json()["data"]["job"]["id"]
        self.jobs += 1
        _record_job(job_id)
        gevent.spawn(follow_job, self, job_id, self.token)

    @task(1)
    def optional_parts(self) -> None:
        _spend(self, 2)
        parts = _optional_paths(self)
        if parts.get("assets") and self.token:
            self.client.post(
                "/api/v1/assets/upload",
                files={"file": ("notes.txt", b"A lighthouse keeper's notes on the storm.")},
                name="POST /assets/upload",
            )
            self.client.get("/api/v1/assets/search?q=lighthouse", name="GET /assets/search")


class FilmMaker(HttpUser):
    """A project and a film job through the job API, followed until it ends."""

    weight = 1
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.client.headers["X-Forwarded-For"] = _forwarded()
        self.jobs = 0
        self.project_id = ""
        signup = self.client.post(
            "/api/v1/auth/signup",
            json={"email": f"film-{secrets.token_hex(6)}@example.com", "password": PASSWORD},
            name="POST /auth/signup",
        )
        if signup.status_code != 201:
            return
        self.token = signup.json()["data"]["accessToken"]
        self.client.headers["Authorization"] = f"Bearer {self.token}"
        project = self.client.post(
            "/api/v1/projects", json={"title": "Load film"}, name="POST /projects"
        )
        if project.status_code == 201:
            self.project_id = project.json()["data"]["id"]

    @task(3)
    def list_jobs(self) -> None:
        _spend(self)
        if self.project_id:
            self.client.get("/api/v1/jobs", name="GET /jobs")

    @task(1)
    def film_job(self) -> None:
        _spend(self)
        if not self.project_id or self.jobs >= JOBS_PER_USER:
            return
        response = self.client.post(
            "/api/v1/jobs",
            json={
                "projectId": self.project_id,
                "script": "A sunrise over mountains\nBirds over a lake",
                "config": {
                    "numImages": 2,
                    "videoDuration": 2,
                    "includeVoice": False,
                    "includeMusic": False,
                    "fps": 8,
                    "quality": "low",
                },
            },
            name="POST /jobs (film)",
        )
        if response.status_code in (201, 202):
            job_id = response.json()["data"]["id"]
            self.jobs += 1
            _record_job(job_id)
            gevent.spawn(follow_job, self, job_id, self.token)
