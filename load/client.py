"""A small API client for the topology's smoke and fault scripts: JSON over HTTP (urllib), a
WebSocket follower of one job (websockets' sync client) that checks its events' order."""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

PASSWORD = "Topology-Pass-123!"
TERMINAL = {"completed", "failed", "cancelled", "moderation_failed"}


@dataclass
class Response:
    status: int
    body: Any
    raw: bytes = b""

    @property
    def data(self) -> Any:
        return self.body.get("data") if isinstance(self.body, dict) else None


class Api:
    """JSON requests to the web server, as one user (a bearer token once signed in)."""

    def __init__(self, base_url: str, *, forwarded_for: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token: str | None = None
        # One client address per simulated user (the per-IP limit counts them apart).
        self.forwarded_for = forwarded_for or ".".join(
            str(part) for part in (10, secrets.randbelow(250), secrets.randbelow(250), 1)
        )

    def request(self, method: str, path: str, body: Any = None, timeout: float = 30) -> Response:
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        headers = {"Accept": "application/json", "X-Forwarded-For": self.forwarded_for}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token and url.startswith(self.base_url):
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return Response(status, parsed, raw)

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Response:
        return self.request("POST", path, body if body is not None else {}, **kwargs)

    def upload(self, path: str, filename: str, content: bytes, field: str = "file") -> Response:
        """A multipart POST of one file, as a browser's form sends it."""
        boundary = secrets.token_hex(16)
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {
            "Accept": "application/json",
            "X-Forwarded-For": self.forwarded_for,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            f"{self.base_url}{path}", data=body, method="POST", headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw, status = response.read(), response.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return Response(status, parsed, raw)

    def sign_up(self, email: str | None = None) -> Response:
        email = email or f"topo-{secrets.token_hex(6)}@example.com"
        response = self.post(
            "/api/v1/auth/signup", {"email": email, "password": PASSWORD, "displayName": "Topo"}
        )
        if response.status in (200, 201):
            self.token = response.data["accessToken"]
        return response

    def job(self, job_id: str) -> dict[str, Any]:
        response = self.get(f"/api/v1/jobs/{job_id}")
        assert response.status == 200, (response.status, response.body)
        return dict(response.data)

    def wait_job(self, job_id: str, timeout: float, done: set[str] = TERMINAL) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        job: dict[str, Any] = {}
        pause = 0.5
        while time.monotonic() < deadline:
            job = self.job(job_id)
            if job["status"] in done:
                return job
            time.sleep(pause)  # backing off: a free account has 100 requests an hour
            pause = min(pause * 1.5, 5.0)
        raise AssertionError(f"job {job_id} still {job.get('status')} after {timeout:.0f} s: {job}")


@dataclass
class JobFollower:
    """Follows one job on `/ws/jobs/<id>` in a thread until its terminal event; reconnects
    with `lastEventId` when the connection drops, as a browser client does."""

    ws_url: str
    job_id: str
    token: str
    events: list[dict[str, Any]] = field(default_factory=list)
    reconnects: int = 0
    error: BaseException | None = None
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> JobFollower:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _url(self) -> str:
        last = self.events[-1].get("eventId") if self.events else None
        url = f"{self.ws_url}/ws/jobs/{self.job_id}?token={self.token}"
        return f"{url}&lastEventId={last}" if last else url

    def _run(self) -> None:
        from websockets.exceptions import ConnectionClosed
        from websockets.sync.client import connect

        while not self._stop.is_set():
            try:
                with connect(self._url(), open_timeout=15, close_timeout=2) as socket:
                    while not self._stop.is_set():
                        try:
                            message = json.loads(socket.recv(timeout=1))
                        except TimeoutError:
                            continue
                        if message.get("type") in ("subscribed", "pong"):
                            continue
                        self.events.append(message)
                        if message.get("type") in ("job_complete", "job_failed", "job_cancelled"):
                            return
            except (ConnectionClosed, OSError) as exc:
                self.reconnects += 1
                if self.reconnects > 30:
                    self.error = exc
                    return
                time.sleep(0.5)
            except BaseException as exc:
                self.error = exc
                return

    def wait_for(self, predicate: Any, timeout: float) -> dict[str, Any] | None:
        """The first event that satisfies `predicate`, waiting up to `timeout` s; None when
        the job ended (or the time ran out) without one."""
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            while seen < len(self.events):
                event = self.events[seen]
                seen += 1
                if predicate(event):
                    return event
                if event.get("type") in ("job_complete", "job_failed", "job_cancelled"):
                    return None
            if self.error is not None or (self._thread and not self._thread.is_alive()):
                return None
            time.sleep(0.05)
        return None

    def wait(self, timeout: float) -> list[dict[str, Any]]:
        assert self._thread is not None
        self._thread.join(timeout)
        self._stop.set()
        if self.error is not None:
            raise AssertionError(f"WebSocket follower of {self.job_id} failed: {self.error!r}")
        return self.events

    def check_order(self) -> None:
        """Event ids strictly increase: nothing twice, nothing out of order."""
        ids = [e.get("eventId") for e in self.events if e.get("eventId")]
        assert ids == sorted(set(ids)), f"events of {self.job_id} out of order or twice: {ids}"
