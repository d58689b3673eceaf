"""GET /api/v1/health: StoryCore's shape, 503 when a required part is down."""

from __future__ import annotations

import pytest
from django.conf import settings

from ops import health
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
    with start_worker(app, perform_ping_check=False, queues=["cpu", "gpu"], pool="solo"):
        yield


# A starting worker closes the process's database connections: no test transaction survives it.
@pytest.mark.django_db(transaction=True)
def test_health_is_200_in_the_documents_shape_when_every_part_answers(api, running_worker):
    response = api.get("/api/v1/health")
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert set(data) == {"status", "timestamp", "version", "checks", "uptime", "memory", "cpu"}
    assert data["status"] == "healthy"
    redis = "healthy" if settings.REDIS_URL else "not_configured"
    assert data["checks"] == {
        "database": "healthy",
        "redis": redis,
        "storage": "healthy",
        "gpuWorkers": "healthy",
        "workers": "healthy",
    }
    assert data["version"] == settings.VERSION
    assert isinstance(data["uptime"], int) and data["uptime"] >= 0
    memory = data["memory"]
    # Bytes, not megabytes: a machine that runs the tests has more than 64 MiB.
    assert memory["total"] > 64 * 2**20 and 0 < memory["used"] <= memory["total"]
    assert memory["percentage"] == pytest.approx(memory["used"] * 100 / memory["total"], abs=0.1)
    assert data["cpu"]["cores"] >= 1 and 0 <= data["cpu"]["usage"] <= 100


def test_health_is_503_when_the_database_is_down(api, monkeypatch):
    def broken() -> None:
        raise ConnectionError("database is down")

    monkeypatch.setitem(health.CHECKS, "database", health.Check(broken))
    monkeypatch.setattr(health, "served_queues", lambda: {"cpu", "gpu"})
    response = api.get("/api/v1/health")
    body = assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert body["error"]["details"]["database"] == "unhealthy"
    assert body["error"]["details"]["storage"] == "healthy"
    assert body["data"]["status"] == "unhealthy"
    assert "database" in body["error"]["message"]


def test_health_reports_missing_workers(api, monkeypatch):
    monkeypatch.setattr(health, "served_queues", lambda: set())
    body = assert_error(api.get("/api/v1/health"), 503, "SERVICE_UNAVAILABLE")
    assert body["error"]["details"]["workers"] == "unhealthy"


def test_a_missing_gpu_pool_is_not_configured_without_a_gpu_backend(api, monkeypatch, settings):
    settings.MEDIA_VIDEO_BACKEND = settings.MEDIA_IMAGE_BACKEND = "animatic"
    settings.MEDIA_BACKENDS = {}
    monkeypatch.setattr(health, "served_queues", lambda: {"cpu"})
    response = api.get("/api/v1/health")
    assert response.status_code == 200, response.json()
    assert response.json()["data"]["checks"]["gpuWorkers"] == "not_configured"


def test_a_missing_gpu_pool_is_503_when_a_diffusers_backend_needs_it(api, monkeypatch, settings):
    settings.MEDIA_VIDEO_BACKEND = "diffusers"
    monkeypatch.setattr(health, "served_queues", lambda: {"cpu"})
    body = assert_error(api.get("/api/v1/health"), 503, "SERVICE_UNAVAILABLE")
    assert body["error"]["details"]["gpuWorkers"] == "unhealthy"


def test_the_worker_pools_answer_is_cached_between_probes(monkeypatch, settings):
    settings.EMBEDDED_WORKER = False
    calls = []

    class Inspect:
        def active_queues(self):
            calls.append(1)
            return {"w1@host": [{"name": "cpu"}], "w2@host": [{"name": "gpu"}]}

    monkeypatch.setattr(health.celery_app.control, "inspect", lambda timeout: Inspect())
    assert health.served_queues() == {"cpu", "gpu"}
    assert health.served_queues() == {"cpu", "gpu"}
    assert len(calls) == 1


def test_health_is_not_rate_limited_nor_logged(api):
    from ops import services
    from ops.models import LogEntry

    for _ in range(3):
        response = api.get("/api/v1/health")
        assert "X-RateLimit-Limit" not in response
    services.logs_flush()
    assert not LogEntry.objects.filter(endpoint="/api/v1/health").exists()
