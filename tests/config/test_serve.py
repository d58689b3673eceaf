"""`manage.py serve` (what `make run` starts), in the embedded mode, end to end over HTTP."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(base: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        base + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def server(tmp_path):
    """The platform as `make run` serves it: fresh data directory, no PostgreSQL, no Redis."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DATA_DIR=str(tmp_path), PUBLIC_BASE_URL="http://testhost")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if call(base, "GET", "/api/v1/health")[0] in (200, 503):
                break
        except OSError:
            time.sleep(0.3)
    try:
        yield base, tmp_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_answers_http_and_runs_background_work_in_process(server):
    base, data_dir = server
    status, health = call(base, "GET", "/api/v1/health")
    assert status == 200, health
    assert health["data"]["checks"]["workers"] == "healthy"

    status, body = call(
        base,
        "POST",
        "/api/v1/auth/signup",
        {"email": "reader@example.com", "password": "SecureP@ss123"},
    )
    assert status == 201, body
    status, _ = call(base, "POST", "/api/v1/auth/forgot-password", {"email": "reader@example.com"})
    assert status == 200

    # The reset e-mail is sent by the embedded worker into the mail folder.
    mail_dir = data_dir / "emails"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (mail_dir.exists() and any(mail_dir.iterdir())):
        time.sleep(0.2)
    messages = [p.read_text() for p in mail_dir.iterdir()]
    assert len(messages) == 1
    assert "http://testhost/accounts/reset/" in messages[0]


def _first_session_block() -> str:
    """The first shell block under README's "A first session with the API"."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## A first session with the API") :]
    return section.split("```sh\n", 1)[1].split("```", 1)[0]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_readmes_first_session_pasted_into_a_shell_signs_up_and_reads_me(server):
    base, _ = server
    script = _first_session_block().replace("localhost:8000", base.removeprefix("http://"))
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    me = json.loads(done.stdout)
    assert me["success"] is True, me
    assert (me["data"]["email"], me["data"]["username"]) == ("me@example.com", "storyteller42")
