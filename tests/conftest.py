"""Shared fixtures: users, authenticated API clients, an isolated cache per test."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.conf import settings as django_settings
from django.core import cache as django_cache
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import issue_token_pair
from config.celery import app as celery_app
from tests.factories import UserFactory

# Tasks run in the test's own process, at once; tests of the worker start a real one.
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True

PASSWORD = "SecureP@ss123"


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """A fresh key prefix per test: rate-limit counters never leak between tests."""
    caches = {name: dict(conf) for name, conf in django_settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches
    yield
    # Each test's settings make new cache objects, and a Redis cache opens a connection pool
    # of its own that nothing closes: over the suite they held a thousand sockets, and
    # select() refuses descriptors past 1024. Close this test's pools.
    for cache in django_cache.caches.all(initialized_only=True):
        for pool in getattr(getattr(cache, "_cache", None), "_pools", {}).values():
            pool.disconnect()


@pytest.fixture(autouse=True)
def _job_settings(settings, tmp_path):
    """Jobs get scratch and storage folders of the test's own, and every progress step is an
    event. A running job's heartbeat writes from a thread of its own, whose connection cannot
    see the rows of a test's open transaction: after JOB_HEARTBEAT_SECONDS it would take a
    slow job (a render on a busy machine) for a lost one and stop it, so it does not beat here.
    The worker tests in tests/jobs/test_worker.py run the heartbeat for real, on committed rows.
    """
    settings.JOB_WORKDIR = tmp_path / "jobs"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOB_PROGRESS_EVENT_INTERVAL = 0.0
    settings.JOB_HEARTBEAT_SECONDS = 3600


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, request):
    """Argon2 is slow on purpose; tests that check hashing itself opt out."""
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db) -> User:
    return UserFactory()


@pytest.fixture
def other_user(db) -> User:
    return UserFactory()


@pytest.fixture
def admin_user(db) -> User:
    return UserFactory(role="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def moderator(db) -> User:
    return UserFactory(role="moderator", is_staff=True)


@pytest.fixture
def client_for() -> Callable[[User], APIClient]:
    """An API client signed in as the given user with a fresh token pair."""

    def make(user: User) -> APIClient:
        client = APIClient()
        tokens = issue_token_pair(user)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.access}")
        client.tokens = tokens  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def user_api(user, client_for) -> APIClient:
    return client_for(user)
