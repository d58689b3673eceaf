"""The production topology on loopback, started from docker-compose.yml's own commands.

What `docker compose up` runs, on this machine, every process on 127.0.0.1:

- PostgreSQL and Redis: the machine's own (or any loopback server), given by URL; the
  database is created if missing and migrated with the compose `migrate` command;
- S3: a local S3-compatible server (moto's server mode, `moto_server`) on a free port, the
  bucket created, reached through django-storages exactly as production reaches MinIO or S3;
- `web`: gunicorn, the compose command with the address replaced;
- `ws`: uvicorn, the compose command (bench/jobs_events.py's `ws_service_command`);
- `worker`: N Celery workers on the `cpu` queue, the compose command;
- `beat`: Celery beat, the compose command with its schedule in the run's folder.

    python load/topology.py up                 # start, print the addresses, wait for Ctrl-C
    python load/topology.py up -- make-something  # start, run a command against it, stop

Each process is started in its own session, logs to the run's folder, and `stop()` ends each
one by its own id (SIGTERM, then SIGKILL of its group), also when start-up fails half-way.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python load/topology.py` puts load/ first, not the root
    sys.path.insert(0, str(ROOT))

from bench.jobs_events import (  # noqa: E402 (after the path fix above)
    Stack,
    database_url_for,
    free_port,
    process_tree,
    require_loopback,
    ws_service_command,
)

COMPOSE_FILE = ROOT / "docker-compose.yml"
STATIC_ROOT = ROOT / "var" / "topology-static"
LOCK_KEY = "sp-topology:owner"
LOCK_SECONDS = 30
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sp_topo"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/11"
BUCKET = "storyplatform"
S3_KEY, S3_SECRET = "storyplatform", "change-me-minio-secret"

_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


def compose_services() -> dict[str, Any]:
    """docker-compose.yml's services, as the file has them."""
    import yaml

    return dict(yaml.safe_load(COMPOSE_FILE.read_text())["services"])


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose's `${NAME:-default}` / `${NAME-default}` / `${NAME}`, from `env`."""

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        current = env.get(name)
        if current:
            return current
        return default if default is not None else ""

    return _INTERPOLATION.sub(replace, value)


def compose_command(
    service: str,
    env: Mapping[str, str],
    *,
    replace: Mapping[str, str] | None = None,
    add: list[str] | None = None,
) -> list[str]:
    """The compose `command` of `service`, interpolated from `env`, run with this interpreter
    (`python`, `gunicorn`, `celery`, `uvicorn` become `sys.executable [-m module]`); the value
    after each option in `replace` is replaced (the option is added when absent)."""
    command = [interpolate(str(part), env) for part in compose_services()[service]["command"]]
    replace = dict(replace or {})
    for index, part in enumerate(command[:-1]):
        if part in replace:
            command[index + 1] = replace.pop(part)
    for option, value in replace.items():
        command += [option, value]
    command += add or []
    program = command[0]
    if program == "python":
        return [sys.executable, *command[1:]]
    if program in {"gunicorn", "celery", "uvicorn"}:
        return [sys.executable, "-m", program, *command[1:]]
    raise RuntimeError(f"docker-compose.yml's {service} runs {program!r}, which this cannot start")


def wait_until(check: Any, timeout: float, what: str, stack: Stack | None = None) -> Any:
    """Call `check` until it returns a true value; raise TimeoutError after `timeout` s."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        if stack is not None:
            stack.check_alive()
        try:
            value = check()
        except Exception as exc:
            last, value = exc, None
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError(f"{what} not ready within {timeout:.0f} s (last error: {last!r})")


def ensure_database(database_url: str) -> None:
    """Create the database of `database_url` if it does not exist (never drops one)."""
    import psycopg
    from psycopg import sql

    name = database_url.rsplit("/", 1)[1].split("?")[0]
    maintenance = database_url_for(database_url, "postgres").replace(
        "postgres://", "postgresql://", 1
    )
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@dataclass
class Topology:
    """The processes of docker-compose.yml on loopback; a context manager that stops them."""

    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str = DEFAULT_REDIS_URL
    workers: int = 2
    worker_concurrency: int = 2
    web_workers: int = 2
    ws_workers: int = 1
    collectstatic: bool = False
    demo_catalog: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    log_dir: Path | None = None
    keep_logs: bool = False

    stack: Stack = field(init=False)
    env: dict[str, str] = field(init=False, default_factory=dict)
    web_port: int = field(init=False, default=0)
    ws_port: int = field(init=False, default=0)
    s3_port: int = field(init=False, default=0)
    worker_names: list[str] = field(init=False, default_factory=list)

    # --- addresses ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}"

    @property
    def s3_url(self) -> str:
        return f"http://127.0.0.1:{self.s3_port}"

    # --- life cycle -----------------------------------------------------------------------

    def __enter__(self) -> Topology:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        require_loopback(self.database_url, "the database URL")
        require_loopback(self.redis_url, "the Redis URL")
        if self.log_dir is None:
            self.log_dir = Path(tempfile.mkdtemp(prefix="sp-topology-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.stack = Stack(self.log_dir)
        self.web_port, self.ws_port, self.s3_port = free_port(), free_port(), free_port()
        self.env = self._environment()
        try:
            self._start()
        except BaseException:
            print(self.diagnostics(), file=sys.stderr)
            self.stop()
            raise

    def _environment(self) -> dict[str, str]:
        assert self.log_dir is not None
        data = self.log_dir / "data"  # compose's /data volume
        data.mkdir(parents=True, exist_ok=True)
        STATIC_ROOT.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            # What docker-compose.yml's x-app environment sets, on loopback.
            "DJANGO_ENV": "production",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "CACHE_KEY_PREFIX": f"sptopo{os.getpid()}",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.web_port}",
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{self.s3_port}",
            "AWS_ACCESS_KEY_ID": S3_KEY,
            "AWS_SECRET_ACCESS_KEY": S3_SECRET,
            "AWS_S3_REGION_NAME": "us-east-1",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(data / "emails"),
            "SECURE_SSL_REDIRECT": "false",
            "MEDIA_VIDEO_BACKEND": "animatic",
            "MEDIA_IMAGE_BACKEND": "animatic",
            "LLM_BASE_URL": "",
            "LOG_LEVEL": "WARNING",
            # The compose file's volume and image paths, in the run's folder.
            "DATA_DIR": str(data),
            # Collected once and kept (var/, ignored by git): compressing every file takes
            # minutes on 2 cores. The manifest WhiteNoise serves from is rebuilt when absent.
            "STATIC_ROOT": str(STATIC_ROOT),
            "WEB_CONCURRENCY": str(self.web_workers),
            "WS_WORKERS": str(self.ws_workers),
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
            ),
            # The clients of a load run are many addresses behind one proxy (this machine).
            "RATELIMIT_IP_HEADER": "X-Forwarded-For",
        }
        env.update(self.extra_env)
        return env

    def _run_once(self, name: str, argv: list[str], timeout: float = 600) -> None:
        assert self.log_dir is not None
        log = self.log_dir / f"{name}.log"
        with log.open("wb") as out:
            done = subprocess.run(
                argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout
            )
        if done.returncode != 0:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
            raise RuntimeError(f"{name} failed ({done.returncode}):\n{tail}")

    def _claim_redis(self) -> None:
        """Refuse to share the Redis database with another running topology: the compose
        commands name the queue (`-Q cpu`), so two topologies on one database would take each
        other's task messages (a job then waits for the sweep's re-send: a false 'stuck')."""
        import redis

        client = redis.Redis.from_url(self.redis_url)
        owner = f"{os.getpid()}:{self.log_dir}"
        if not client.set(LOCK_KEY, owner, nx=True, ex=LOCK_SECONDS):
            other = client.get(LOCK_KEY)
            raise RuntimeError(
                f"another topology runs on {self.redis_url} ({other!r}): give this one "
                "another Redis database (--redis-url)"
            )
        self._lock_owner = owner
        self._lock_stop = threading.Event()

        def renew() -> None:
            while not self._lock_stop.wait(LOCK_SECONDS / 3):
                with contextlib.suppress(Exception):  # Redis may be down in a fault run
                    if client.get(LOCK_KEY) in (None, owner.encode()):
                        client.set(LOCK_KEY, owner, ex=LOCK_SECONDS)

        threading.Thread(target=renew, daemon=True).start()

    def _release_redis(self) -> None:
        import redis

        if getattr(self, "_lock_owner", None) is None:
            return
        self._lock_stop.set()
        with contextlib.suppress(Exception):
            client = redis.Redis.from_url(self.redis_url)
            if client.get(LOCK_KEY) == self._lock_owner.encode():
                client.delete(LOCK_KEY)
        self._lock_owner = None

    def _start(self) -> None:
        self._claim_redis()
        self.start_s3()
        ensure_database(self.database_url)
        self._run_once("migrate", compose_command("migrate", self.env))
        if self.demo_catalog:  # as `make run` does: topics and ideas to browse and build on
            self._run_once("demo", [sys.executable, "manage.py", "load_demo_catalog"])
        if self.collectstatic and not (STATIC_ROOT / "staticfiles.json").exists():
            self._run_once(
                "collectstatic", [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
            )
        web = compose_command(
            "web",
            self.env,
            replace={"--bind": f"127.0.0.1:{self.web_port}", "--workers": str(self.web_workers)},
            add=["--log-level", "warning"],
        )
        self.stack.start("web", web, self.env)
        ws_argv = ws_service_command(self.ws_workers, self.ws_port)
        self.stack.start("ws", [sys.executable, *ws_argv], self.env)
        for index in range(self.workers):
            self.start_worker(index)
        schedule = str(Path(self.env["DATA_DIR"]) / "celerybeat-schedule")
        beat = compose_command(
            "beat", self.env, replace={"--schedule": schedule}, add=["--loglevel", "WARNING"]
        )
        self.stack.start("beat", beat, self.env)
        self.wait_healthy()

    def start_s3(self) -> None:
        """moto's S3 server on the S3 port, and the bucket (as compose's `createbucket`)."""
        import boto3

        self.stack.start(
            "s3",
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.s3_port)],
            self.env,
        )
        client = boto3.client(
            "s3",
            endpoint_url=self.s3_url,
            aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_SECRET,
            region_name="us-east-1",
        )
        wait_until(lambda: client.list_buckets() is not None, 60, "the S3 server", self.stack)
        with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
            client.create_bucket(Bucket=BUCKET)

    def worker_name(self, index: int) -> str:
        return f"worker{index}"

    def start_worker(self, index: int) -> subprocess.Popen[bytes]:
        """Celery worker `index` on the `cpu` queue, docker-compose.yml's `worker` command."""
        name = self.worker_name(index)
        argv = compose_command(
            "worker",
            self.env,
            replace={"--concurrency": str(self.worker_concurrency)},
            add=["--loglevel", "WARNING", "--hostname", f"{name}-{os.getpid()}@localhost"],
        )
        if name not in self.worker_names:
            self.worker_names.append(name)
        return self.stack.start(name, argv, self.env)

    def kill_worker(self, index: int) -> list[int]:
        """SIGKILL worker `index`: its main process and its pool children, all at once, as
        the kernel's OOM killer or a lost machine would. Returns the ids killed."""
        process = self.stack.processes[self.worker_name(index)]
        pids = process_tree(process.pid)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)
        return pids

    def restart_worker(self, index: int) -> subprocess.Popen[bytes]:
        del self.stack.processes[self.worker_name(index)]
        return self.start_worker(index)

    def stop_process(self, name: str) -> None:
        """SIGTERM one process (its group), SIGKILL after 20 s; forget it."""
        process = self.stack.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def health(self) -> tuple[int, dict[str, Any]]:
        import json

        request = urllib.request.Request(f"{self.base_url}/api/v1/health")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def wait_healthy(self, timeout: float = 120) -> dict[str, Any]:
        """Until GET /api/v1/health is 200: database, cache, broker, S3 and a worker answer."""

        def healthy() -> dict[str, Any] | None:
            status, body = self.health()
            return body if status == 200 else None

        return dict(wait_until(healthy, timeout, "GET /api/v1/health", self.stack))

    def diagnostics(self) -> str:
        if not hasattr(self, "stack"):
            return ""
        parts = [f"logs in {self.log_dir}"]
        for name in self.stack.processes:
            parts.append(f"--- {name} (last lines)\n{self.stack.tail(name, 25)}")
        return "\n".join(parts)

    def stop(self) -> None:
        if hasattr(self, "stack"):
            self.stack.stop()
        self._release_redis()
        if self.log_dir is not None and not self.keep_logs:
            shutil.rmtree(self.log_dir / "data", ignore_errors=True)


@contextlib.contextmanager
def running(**options: Any) -> Iterator[Topology]:
    topology = Topology(**options)
    with topology:
        yield topology


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("up",))
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--workers", type=int, default=2, help="Celery workers on `cpu`")
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn --workers")
    parser.add_argument("--ws-workers", type=int, default=1, help="uvicorn --workers")
    parser.add_argument("--collectstatic", action="store_true", help="for the browser pages")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for every process")
    parser.add_argument("--log-dir", type=Path)
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    extra = dict(item.partition("=")[::2] for item in args.env)
    topology = Topology(
        database_url=args.database_url,
        redis_url=args.redis_url,
        workers=args.workers,
        worker_concurrency=args.worker_concurrency,
        web_workers=args.web_workers,
        ws_workers=args.ws_workers,
        collectstatic=args.collectstatic,
        extra_env=extra,
        log_dir=args.log_dir,
        keep_logs=True,
    )
    # SIGTERM (e.g. `timeout`) stops the topology as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with topology:
        addresses = {
            "TOPOLOGY_WEB_URL": topology.base_url,
            "TOPOLOGY_WS_URL": topology.ws_url,
            "TOPOLOGY_S3_URL": topology.s3_url,
            "TOPOLOGY_LOG_DIR": str(topology.log_dir),
            "DATABASE_URL": topology.database_url,
        }
        for name, value in addresses.items():
            print(f"{name}={value}", flush=True)
        if command:
            env = {**topology.env, **addresses}
            return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
        print("running; Ctrl-C stops everything", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                topology.stack.check_alive()
                time.sleep(1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
