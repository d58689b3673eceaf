"""GET /metrics and GET /logs: shapes, filters, permissions, and numbers that really move."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.models import Job, JobStatus
from ops import services
from ops.models import LogEntry
from tests.config.test_conventions import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(admin_user, client_for):
    return client_for(admin_user)


def _job(owner, status, *, ran: float | None = None, queue: str = "cpu", age=timedelta(0)):
    now = timezone.now() - age
    job = Job.objects.create(type="text", owner=owner, status=status, queue=queue, created_at=now)
    if ran is not None:
        Job.objects.filter(pk=job.pk).update(
            started_at=now, completed_at=now + timedelta(seconds=ran)
        )
    return job


@pytest.mark.parametrize("path", ["/api/v1/metrics", "/api/v1/logs"])
def test_operators_endpoints_refuse_users_who_are_not_admins(
    path, user_api, client_for, moderator, api
):
    assert_error(user_api.get(path), 403, "FORBIDDEN")
    assert_error(client_for(moderator).get(path), 403, "FORBIDDEN")
    assert_error(api.get(path), 401, "UNAUTHORIZED")


def test_metrics_have_the_documents_shape(admin_api):
    response = admin_api.get("/api/v1/metrics")
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert {"timestamp", "system", "api", "jobs", "storage"} <= set(data)
    system = data["system"]
    assert set(system) == {"uptime", "memory", "cpu", "disk"}
    assert system["disk"]["total"] >= system["disk"]["used"] > 0
    assert system["memory"]["total"] > 64 * 2**20
    assert set(data["api"]["requests"]) == {"total", "successful", "failed", "averageResponseTime"}
    assert isinstance(data["api"]["endpoints"], dict)
    assert {"total", "completed", "failed", "averageProcessingTime", "queueLength"} <= set(
        data["jobs"]
    )
    assert set(data["storage"]) == {"total", "used", "available", "files"}


def test_metrics_count_the_requests_made_in_the_window(admin_api, user_api):
    before = admin_api.get("/api/v1/metrics?type=api").json()["data"]["api"]
    assert user_api.get("/api/v1/jobs").status_code == 200
    assert user_api.get("/api/v1/jobs/job_doesnotexist").status_code == 404
    after = admin_api.get("/api/v1/metrics?type=api").json()["data"]["api"]
    # The two requests, and the admin's first metrics request itself.
    assert after["requests"]["total"] == before["requests"]["total"] + 3
    assert after["requests"]["successful"] == before["requests"]["successful"] + 2
    assert after["requests"]["failed"] == before["requests"]["failed"] + 1
    assert after["requests"]["averageResponseTime"] > 0
    assert after["endpoints"]["/api/v1/jobs"] == before["endpoints"].get("/api/v1/jobs", 0) + 1
    # Routes, not paths: an id does not make an endpoint of its own.
    assert after["endpoints"]["/api/v1/jobs/:jobId"] == 1


def test_metrics_only_count_what_happened_in_the_time_range(admin_api):
    LogEntry.objects.create(
        message="API request processed",
        endpoint="/api/v1/old",
        status=200,
        response_time_ms=10,
        timestamp=timezone.now() - timedelta(hours=3),
    )
    day = admin_api.get("/api/v1/metrics?type=api&timeRange=24h").json()["data"]["api"]
    hour = admin_api.get("/api/v1/metrics?type=api&timeRange=1h").json()["data"]["api"]
    assert day["endpoints"]["/api/v1/old"] == 1
    assert "/api/v1/old" not in hour["endpoints"]


def test_job_metrics_follow_the_jobs(admin_api, user):
    before = admin_api.get("/api/v1/metrics?type=jobs").json()["data"]["jobs"]
    _job(user, JobStatus.COMPLETED, ran=10)
    _job(user, JobStatus.COMPLETED, ran=30)
    _job(user, JobStatus.FAILED)
    _job(user, JobStatus.QUEUED, queue="gpu")
    _job(user, JobStatus.COMPLETED, ran=500, age=timedelta(days=3))  # outside 24h
    data = admin_api.get("/api/v1/metrics?type=jobs").json()["data"]
    assert set(data) == {"timestamp", "timeRange", "jobs"}
    jobs = data["jobs"]
    assert jobs["total"] == before["total"] + 4
    assert jobs["completed"] == before["completed"] + 2
    assert jobs["failed"] == before["failed"] + 1
    assert jobs["averageProcessingTime"] == pytest.approx(20.0)
    assert jobs["queueLength"] == before["queueLength"] + 1
    assert jobs["queues"]["gpu"] == before["queues"].get("gpu", 0) + 1
    week = admin_api.get("/api/v1/metrics?type=jobs&timeRange=7d").json()["data"]["jobs"]
    assert week["completed"] == jobs["completed"] + 1


def test_storage_metrics_count_the_media_files(admin_api, settings):
    media = settings.MEDIA_ROOT
    (media / "a").mkdir(parents=True, exist_ok=True)
    for name in ("a/1.mp4", "a/2.jpg", "3.txt"):
        (media / name).write_bytes(b"x")
    storage = admin_api.get("/api/v1/metrics?type=storage").json()["data"]["storage"]
    assert storage["files"] == 3
    assert storage["total"] == storage["used"] + storage["available"] or storage["available"] > 0


@pytest.mark.parametrize(
    "query, field",
    [("type=cpu", "type"), ("timeRange=2h", "timeRange"), ("time_range=1y", "timeRange")],
)
def test_metrics_refuse_unknown_filters(admin_api, query, field):
    body = assert_error(admin_api.get(f"/api/v1/metrics?{query}"), 400, "VALIDATION_ERROR")
    assert body["error"]["details"][0]["field"] == field


def test_a_request_is_found_in_the_logs_by_its_request_id(admin_api, user_api, user):
    request_id = uuid.uuid4().hex
    response = user_api.get("/api/v1/jobs?limit=5", HTTP_X_REQUEST_ID=request_id)
    assert response["X-Request-Id"] == request_id
    logs = admin_api.get(f"/api/v1/logs?requestId={request_id}").json()
    assert logs["meta"]["total"] == 1
    entry = logs["data"][0]
    assert set(entry) == {"timestamp", "level", "service", "message", "details"}
    assert entry["level"] == "info" and entry["service"] == "api"
    details = entry["details"]
    assert details["requestId"] == request_id
    assert details["method"] == "GET"
    assert details["endpoint"] == "/api/v1/jobs"
    assert details["status"] == 200
    assert details["userId"] == user.pk
    assert details["responseTime"] > 0


def test_logs_filter_by_level_service_and_time_range(admin_api):
    now = timezone.now()
    LogEntry.objects.create(level="error", service="database", message="Database connection failed")
    LogEntry.objects.create(level="warn", service="storage", message="Bucket slow")
    LogEntry.objects.create(
        level="error", service="database", message="old", timestamp=now - timedelta(days=2)
    )
    errors = admin_api.get("/api/v1/logs?level=error&service=database").json()
    assert [e["message"] for e in errors["data"]] == ["Database connection failed"]
    week = admin_api.get("/api/v1/logs?level=error&service=database&timeRange=7d").json()
    assert [e["message"] for e in week["data"]] == ["Database connection failed", "old"]
    warnings = admin_api.get("/api/v1/logs?level=warning").json()
    assert [e["message"] for e in warnings["data"]] == ["Bucket slow"]
    assert_error(admin_api.get("/api/v1/logs?level=loud"), 400, "VALIDATION_ERROR")
    assert_error(admin_api.get("/api/v1/logs?service=mail"), 400, "VALIDATION_ERROR")


def test_logs_page_fifty_by_default_and_at_most_two_hundred(admin_api):
    LogEntry.objects.bulk_create(LogEntry(service="worker", message=f"line {i}") for i in range(60))
    page = admin_api.get("/api/v1/logs?service=worker").json()
    assert len(page["data"]) == 50
    assert page["meta"] == {
        "page": 1,
        "limit": 50,
        "total": 60,
        "totalPages": 2,
        "hasMore": True,
    }
    assert admin_api.get("/api/v1/logs?service=worker&limit=200").json()["meta"]["limit"] == 200
    assert_error(admin_api.get("/api/v1/logs?limit=201"), 400, "VALIDATION_ERROR")


def test_warnings_logged_by_the_platform_land_in_the_store_with_their_service(admin_api, caplog):
    import logging

    caplog.set_level(logging.INFO)  # whatever an earlier test's worker left the root at

    logging.getLogger("jobs.engine").warning("Worker %s is slow", "w1")
    logging.getLogger("django.db.backends").warning("not stored: SQL log")
    logging.getLogger("jobs.engine").info("not stored: below WARNING")
    entries = admin_api.get("/api/v1/logs?service=worker").json()["data"]
    assert [e["message"] for e in entries] == ["Worker w1 is slow"]
    assert entries[0]["level"] == "warn"
    assert entries[0]["details"]["logger"] == "jobs.engine"


def test_no_password_token_or_secret_reaches_the_log_store(admin_api, api, caplog):
    import logging

    caplog.set_level(logging.INFO)

    secret_password = "Hunter2-very-secret"
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlc2lnbmF0dXJl"
    api.post(
        "/api/v1/auth/login",
        {"email": "nobody@example.com", "password": secret_password},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    logger = logging.getLogger("accounts.services")
    logger.warning("login failed password=%s header=Bearer %s", secret_password, token)
    logger.warning("connecting to postgres://app:%s@db:5432/app", secret_password)
    logger.error('token in json {"api_key": "%s"}', secret_password, exc_info=False)
    services.logs_flush()
    stored = " ".join(f"{entry.message} {entry.details}" for entry in LogEntry.objects.all())
    assert LogEntry.objects.count() >= 4
    assert secret_password not in stored
    assert token not in stored
    assert "[REDACTED]" in stored


def test_the_beat_task_prunes_entries_past_the_retention(settings):
    from ops.tasks import prune_logs_task

    settings.OPS_LOG_RETENTION_DAYS = 7
    old = LogEntry.objects.create(message="old", timestamp=timezone.now() - timedelta(days=8))
    recent = LogEntry.objects.create(message="recent", timestamp=timezone.now() - timedelta(days=6))
    assert prune_logs_task.delay().get() == 1
    assert not LogEntry.objects.filter(pk=old.pk).exists()
    assert LogEntry.objects.filter(pk=recent.pk).exists()


def test_requests_wait_in_the_buffer_until_a_flush_writes_them_once(
    user_api, client_for, admin_user
):
    from ops import buffer
    from ops.tasks import flush_logs_task

    request_id = uuid.uuid4().hex
    user_api.get("/api/v1/jobs", HTTP_X_REQUEST_ID=request_id)
    assert not LogEntry.objects.filter(request_id=request_id).exists()
    assert buffer.size() >= 1
    assert flush_logs_task.delay().get() >= 1
    assert buffer.size() == 0
    assert services.logs_flush() == 0  # a second flush finds nothing to write twice
    assert LogEntry.objects.filter(request_id=request_id).count() == 1


def test_recording_a_request_runs_no_sql_inside_it(user_api, settings, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert user_api.get("/api/v1/jobs").status_code == 200
        return len(captured)

    settings.OPS_REQUEST_LOG = False
    without = queries()
    settings.OPS_REQUEST_LOG = True
    assert queries() == without
