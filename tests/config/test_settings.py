"""Settings come from the environment; a bad value stops start-up naming the variable."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User

ROOT = Path(__file__).resolve().parents[2]


def run_django(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "SECRET_KEY", "DEBUG"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *(args or ("check",))],
        cwd=ROOT,
        env={**clean, "DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"REDIS_URL": "http://localhost:6379"}, "REDIS_URL"),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT"),
        # Below the media pipeline's 8 frames a second every scene job failed at render time.
        ({"SCENE_RENDER_FPS": "6"}, "SCENE_RENDER_FPS"),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV"),
        ({"DJANGO_ENV": "production", "ALLOWED_HOSTS": "example.com"}, "SECRET_KEY"),
        ({"DJANGO_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(64)}, "ALLOWED_HOSTS"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(tmp_path, env, named):
    result = run_django(tmp_path, env)
    assert result.returncode != 0
    assert f"Environment variable {named}" in result.stderr


def test_the_embedded_secret_key_is_generated_once_and_kept(tmp_path):
    assert run_django(tmp_path, {}).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert run_django(tmp_path, {}).returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_production_settings_pass_the_deployment_checks(tmp_path):
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "api.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = run_django(tmp_path, env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_createsuperuser_noinput_makes_an_admin(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Root@Example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Very-Secret-Admin-9")
    call_command("createsuperuser", interactive=False, verbosity=0)
    admin = User.objects.get(username="root")
    assert admin.email == "root@example.com"
    assert (admin.role, admin.is_staff, admin.is_superuser) == ("admin", True, True)
    assert admin.check_password("Very-Secret-Admin-9")


def test_the_migrations_match_the_models(tmp_path):
    result = run_django(tmp_path, {}, "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
