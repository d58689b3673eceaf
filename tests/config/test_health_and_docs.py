"""Health, the OpenAPI schema and its documentation pages."""

from __future__ import annotations

import pytest
from django.conf import settings

from config import health
from tests.config.test_conventions import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def running_worker():
    """A real worker: the embedded one, or a worker thread on the Redis broker."""
    if settings.EMBEDDED_WORKER:
        from config.worker import start_embedded_worker, stop_embedded_worker

        start_embedded_worker()
        yield
        stop_embedded_worker()  # or it would go on taking tasks meant for later tests' workers
        return
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.worker_enable_remote_control = True
    with start_worker(app, perform_ping_check=False, queues=["cpu"], pool="solo"):
        yield


# A starting worker closes the process's database connections: no test transaction survives it.
@pytest.mark.django_db(transaction=True)
def test_health_is_200_when_every_dependency_answers(api, running_worker):
    response = api.get("/api/v1/health")
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert data["status"] == "healthy"
    assert data["checks"] == {
        "database": "healthy",
        "cache": "healthy",
        "broker": "healthy",
        "storage": "healthy",
        "workers": "healthy",
    }
    assert data["version"] == settings.VERSION
    assert data["memory"]["total"] > 0 and data["cpu"]["cores"] >= 1


def test_health_is_503_when_a_dependency_fails(api, monkeypatch):
    def broken() -> None:
        raise ConnectionError("database is down")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    monkeypatch.setitem(health.CHECKS, "workers", lambda: None)
    response = api.get("/api/v1/health")
    body = assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert body["error"]["details"]["database"] == "unhealthy"
    assert body["error"]["details"]["cache"] == "healthy"
    assert body["data"]["status"] == "unhealthy"


def test_health_reports_missing_workers(api, monkeypatch):
    monkeypatch.setattr("config.health.embedded_worker_alive", lambda: False)
    if not settings.EMBEDDED_WORKER:
        from config.celery import app

        monkeypatch.setattr(app.control, "ping", lambda **kwargs: [])
    body = assert_error(api.get("/api/v1/health"), 503, "SERVICE_UNAVAILABLE")
    assert body["error"]["details"]["workers"] == "unhealthy"


def test_the_openapi_schema_documents_every_account_endpoint_with_its_envelopes(api):
    response = api.get("/api/v1/schema")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    schema = response.json()
    paths = schema["paths"]
    for path in (
        "/api/v1/auth/signup",
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/refresh",
        "/api/v1/auth/me",
        "/api/v1/auth/password",
        "/api/v1/auth/forgot-password",
        "/api/v1/auth/reset-password",
        "/api/v1/users/profile",
        "/api/v1/users/settings",
        "/api/v1/users/organizations",
        "/api/v1/users/{userId}",
        "/api/v1/users/me",
        "/api/v1/admin/users",
        "/api/v1/admin/users/{userId}",
        "/api/v1/health",
    ):
        assert path in paths, path
    login = paths["/api/v1/auth/login"]["post"]
    ok = login["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(ok["properties"]) >= {"success", "data"}
    assert login["responses"]["401"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorEnvelope"
    )
    assert "X-RateLimit-Remaining" in login["responses"]["200"]["headers"]
    listing = paths["/api/v1/admin/users"]["get"]["responses"]["200"]
    paginated = listing["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][paginated]["properties"]) == {
        "success",
        "data",
        "meta",
    }
    assert paths["/api/v1/admin/users"]["get"]["security"] == [{"jwtAuth": []}]
    # camelCase field names, as the API speaks them.
    assert "displayName" in schema["components"]["schemas"]["RegisterRequest"]["properties"]


@pytest.mark.parametrize("path", ["/api/docs", "/api/docs/", "/api/redoc", "/api/redoc/"])
def test_the_documentation_pages_load(api, path):
    response = api.get(path)
    assert response.status_code == 200
    assert b"<html" in response.content.lower()
