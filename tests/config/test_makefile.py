"""`make test` fails when the suite fails, and when it collects nothing (pytest's exit 5).

The recipe runs with a stand-in interpreter in a virtual environment folder of the test's own
(its install stamp is up to date), which exits as pytest would: the Makefile's own handling
of the exit status is what is tested.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make_test(tmp_path: Path, pytest_exit: int) -> subprocess.CompletedProcess[str]:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\necho "pytest $*"\nexit {pytest_exit}\n')
    python.chmod(0o755)
    stamp = venv / ".installed-test"
    stamp.touch()
    later = (ROOT / "pyproject.toml").stat().st_mtime + 60
    os.utime(stamp, (later, later))
    return subprocess.run(
        ["make", "--no-print-directory", "test", f"VENV={venv}", "PYTEST_ARGS=-k nothing"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(("pytest_exit", "passes"), [(0, True), (1, False), (5, False)])
def test_make_test_fails_unless_pytest_ran_tests_and_they_passed(tmp_path, pytest_exit, passes):
    done = make_test(tmp_path, pytest_exit)
    assert "pytest -m pytest -k nothing" in done.stdout, done.stdout + done.stderr
    assert (done.returncode == 0) is passes, done.stdout + done.stderr
