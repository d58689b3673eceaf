"""A test run keeps its data in a folder of its own, never in the checkout's var/.

`make run` serves from DATA_DIR (var/ by default): its database, its broker folder, its files.
A `make test` run from the same checkout at the same time must not share any of them (the
worker tests in tests/jobs/test_worker.py would send their tasks to the server's broker).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SERVED = ROOT / "var"


def test_the_suite_keeps_its_database_broker_and_files_outside_the_served_data_folder():
    data = Path(settings.DATA_DIR)
    assert not data.is_relative_to(SERVED)
    assert not data.is_relative_to(ROOT)
    assert data.is_dir()
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            assert Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key]).is_relative_to(data)
    if connection.vendor == "sqlite":
        assert Path(connection.settings_dict["NAME"]).is_relative_to(data)


PROBE = """
import json, os
from django.conf import settings
import django
django.setup()
print(json.dumps({"data": str(settings.DATA_DIR), "broker": settings.CELERY_BROKER_URL}))
"""


def _run_settings(env: dict[str, str]) -> tuple[dict[str, str], str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_a_new_run_makes_a_fresh_folder_even_when_the_shell_names_the_served_one(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "STORYPLATFORM_TEST_DATA_DIR"}
    env["DATA_DIR"] = str(tmp_path / "served")  # what `make run` was started with
    env.pop("REDIS_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    seen, _ = _run_settings(env)
    folder = Path(seen["data"])
    assert folder != tmp_path / "served" and not folder.is_relative_to(ROOT)
    assert not folder.exists()  # removed when the run ended
    assert not (tmp_path / "served").exists()


def test_processes_the_run_starts_keep_the_data_folder_they_are_given(tmp_path):
    env = {**os.environ, "DATA_DIR": str(tmp_path / "given")}
    env.setdefault("STORYPLATFORM_TEST_DATA_DIR", str(settings.DATA_DIR))
    seen, _ = _run_settings(env)
    assert Path(seen["data"]) == (tmp_path / "given").resolve()
