"""What the browser tests share: the platform served as `make run` serves it (uvicorn, HTTP
and WebSockets, the embedded worker, SQLite in a fresh folder), Debian's Chromium driven by
Playwright, axe-core for accessibility, and screenshots saved as CI artefacts."""

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
WIDTHS = {"390": {"width": 390, "height": 844}, "1440": {"width": 1440, "height": 900}}
PASSWORD = "SecureP@ss123"


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


def screenshots_dir() -> Path:
    base = os.environ.get("ARTIFACTS_DIR")
    folder = Path(base) / "screenshots" if base else ROOT / "var" / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    base: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return done.stdout

    def api(
        self, method: str, path: str, body: dict[str, Any] | None = None, token: str = ""
    ) -> tuple[int, dict[str, Any]]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.base + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def signup(self, name: str) -> str:
        status, body = self.api(
            "POST",
            "/api/v1/auth/signup",
            {"email": f"{name}@example.com", "password": PASSWORD, "username": name},
        )
        assert status == 201, body
        return body["data"]["token"]

    def wait_job(self, job_id: str, token: str, timeout: float = 180) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _, body = self.api("GET", f"/api/v1/jobs/{job_id}", token=token)
            job = body["data"]
            if job["status"] in ("completed", "failed", "cancelled", "moderation_failed"):
                return job
            time.sleep(0.5)
        raise AssertionError(f"job {job_id} did not finish in {timeout} s")


def start_server(data_dir: Path) -> Server:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    port = free_port()
    env.update(
        DATA_DIR=str(data_dir),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        SCENE_RENDER_WIDTH="320",
        SCENE_RENDER_HEIGHT="180",
        SCENE_RENDER_FPS="12",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        LOG_LEVEL="WARNING",
    )
    for args in (("migrate", "--noinput"), ("load_demo_catalog",)):
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    log = open(data_dir / "server.log", "wb")  # noqa: SIM115 (lives as long as the server)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(base=f"http://127.0.0.1:{port}", env=env, process=process)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((data_dir / "server.log").read_text())
        try:
            if server.api("GET", "/api/v1/health")[0] in (200, 503):
                return server
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not answer in 90 s")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def copy_log(server: Server, name: str) -> None:
    """Keep the server's log next to the screenshots (CI artefact)."""
    log = Path(server.env["DATA_DIR"]) / "server.log"
    if log.exists():
        shutil.copy(log, screenshots_dir().parent / name)
