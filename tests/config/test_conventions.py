"""The API conventions every endpoint shares: envelope, errors, ids, casing, paging, limits."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["requestId"] == response["X-Request-Id"]
    assert TIMESTAMP.match(body["timestamp"])
    return body


def test_unknown_api_path_answers_json_404_in_the_envelope(api):
    assert_error(api.get("/api/v1/no-such-thing"), 404, "NOT_FOUND")


def test_unknown_path_outside_the_api_is_the_sites_404_page_never_a_stack_trace():
    # Issue 16: outside /api/ the browser gets a page in the platform's look; the API keeps
    # its envelope (test above).
    response = Client().get("/no-such-page", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "Page not found" in body and "Traceback" not in body


def test_malformed_json_is_a_validation_error(api):
    response = api.post(
        "/api/v1/auth/login", data='{"email": "a@b.c", "password":', content_type="application/json"
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "Malformed" in body["error"]["message"]


def test_a_json_array_body_is_a_validation_error(api):
    response = api.post("/api/v1/auth/login", data="[1, 2]", content_type="application/json")
    assert_error(response, 400, "VALIDATION_ERROR")


def test_unsupported_content_type_is_unsupported_format(api):
    response = api.post("/api/v1/auth/login", data="<a/>", content_type="application/xml")
    assert_error(response, 415, "UNSUPPORTED_FORMAT")


def test_wrong_method_is_refused_in_the_envelope(api):
    assert_error(api.delete("/api/v1/auth/login"), 405, "METHOD_NOT_ALLOWED")


def test_request_id_is_echoed_when_the_client_sends_one(api):
    response = api.get("/api/v1/health", HTTP_X_REQUEST_ID="client-req-42")
    assert response["X-Request-Id"] == "client-req-42"


def test_request_id_is_generated_when_the_client_sends_none(api):
    first = api.get("/api/v1/no-such-thing")["X-Request-Id"]
    second = api.get("/api/v1/no-such-thing")["X-Request-Id"]
    assert first and second and first != second


def test_validation_details_name_each_field_in_camel_case(api):
    response = api.post(
        "/api/v1/auth/signup",
        {"email": "not-an-email", "password": "SecureP@ss123", "displayName": "x" * 101},
        format="json",
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    fields = {item["field"] for item in body["error"]["details"]}
    assert fields == {"email", "displayName"}


def test_unknown_request_fields_are_refused_by_name(api):
    response = api.post(
        "/api/v1/auth/signup",
        {"email": "new@example.com", "password": "SecureP@ss123", "favouriteColour": "blue"},
        format="json",
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["error"]["details"] == [{"field": "favouriteColour", "message": "Unknown field."}]


def test_snake_case_and_camel_case_requests_both_work(api):
    camel = api.post(
        "/api/v1/auth/signup",
        {"email": "camel@example.com", "password": "SecureP@ss123", "displayName": "Camel"},
        format="json",
    )
    snake = api.post(
        "/api/v1/auth/signup",
        {"email": "snake@example.com", "password": "SecureP@ss123", "display_name": "Snake"},
        format="json",
    )
    assert camel.status_code == snake.status_code == 201
    assert camel.json()["data"]["user"]["displayName"] == "Camel"
    assert snake.json()["data"]["user"]["displayName"] == "Snake"
    assert "display_name" not in snake.json()["data"]["user"]


def test_ids_are_prefixed_opaque_strings(user_api, user):
    data = user_api.get("/api/v1/auth/me").json()["data"]
    assert re.fullmatch(r"usr_[A-Za-z0-9]{20}", data["id"])
    assert data["id"] == user.pk


@pytest.mark.parametrize("path", ["/api/v1/auth/me", "/api/v1/auth/me/"])
def test_trailing_slash_is_optional(user_api, path):
    assert user_api.get(path).status_code == 200


def test_post_with_trailing_slash_is_not_redirected(api):
    response = api.post(
        "/api/v1/auth/signup/",
        {"email": "slash@example.com", "password": "SecureP@ss123"},
        format="json",
    )
    assert response.status_code == 201


def test_lists_carry_meta_with_paging(client_for, admin_user):
    UserFactory.create_batch(4)
    response = client_for(admin_user).get("/api/v1/admin/users?page=2&limit=2")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert len(body["data"]) == 2
    assert body["meta"] == {"page": 2, "limit": 2, "total": 5, "totalPages": 3, "hasMore": True}


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "page=0", "page=-1", "limit=abc"])
def test_paging_values_out_of_range_are_validation_errors(client_for, admin_user, query):
    response = client_for(admin_user).get(f"/api/v1/admin/users?{query}")
    assert_error(response, 400, "VALIDATION_ERROR")


def test_every_api_response_carries_rate_limit_headers(api, user_api):
    for response in (api.get("/api/v1/no-such-thing"), user_api.get("/api/v1/auth/me")):
        assert int(response["X-RateLimit-Limit"]) == 100
        assert int(response["X-RateLimit-Remaining"]) >= 0
        assert int(response["X-RateLimit-Reset"]) > 1_700_000_000
        assert response["X-RateLimit-Tier"] == "free"


def test_the_limit_follows_the_users_plan(client_for):
    pro = client_for(UserFactory(plan="pro"))
    response = pro.get("/api/v1/auth/me")
    assert response["X-RateLimit-Limit"] == "1000"
    assert response["X-RateLimit-Tier"] == "pro"


def test_past_the_hourly_limit_requests_get_429_with_retry_after(api):
    for _ in range(100):
        assert api.get("/api/v1/users/usr_missing").status_code == 404
    response = api.get("/api/v1/users/usr_missing")
    assert_error(response, 429, "RATE_LIMITED")
    assert int(response["Retry-After"]) >= 1
    assert response["X-RateLimit-Remaining"] == "0"


def test_each_user_has_a_count_of_their_own(client_for, user, other_user):
    mine, theirs = client_for(user), client_for(other_user)
    for _ in range(3):
        mine.get("/api/v1/auth/me")
    assert theirs.get("/api/v1/auth/me")["X-RateLimit-Remaining"] == "99"
    assert mine.get("/api/v1/auth/me")["X-RateLimit-Remaining"] == "96"


def test_rate_limit_counts_live_in_the_shared_cache(api, settings):
    """A second server process sees the same count: it is read back from the cache itself."""
    from django.core.cache import caches
    from django.core.cache.backends.base import BaseCache

    api.get("/api/v1/no-such-thing")
    api.get("/api/v1/no-such-thing")
    fresh: BaseCache = caches.create_connection("default")
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert fresh.key_prefix == prefix
    # django-ratelimit stores the window's counter under an opaque key; there is exactly one.
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        client = fresh._cache.get_client()
        # django-ratelimit's keys (`rl:`); the log store's buffer lives under the prefix too.
        keys = [k for k in client.scan_iter(f"{prefix}:*") if b":rl:" in k]
        assert len(keys) == 1
        assert int(client.get(keys[0])) == 2
    else:
        counters = [v for k, v in fresh._cache.items() if k.startswith(prefix)]
        assert len(counters) == 1


def test_health_is_not_counted(api):
    response = api.get("/api/v1/health")
    assert "X-RateLimit-Limit" not in response


def test_an_oversized_body_is_file_too_large(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api.post(
        "/api/v1/auth/login", {"email": "a@b.co", "password": "x" * 5000}, format="json"
    )
    assert_error(response, 413, "FILE_TOO_LARGE")


def test_an_unknown_host_is_refused_in_the_envelope(api):
    assert_error(api.get("/api/v1/auth/me", HTTP_HOST="evil.example.com"), 400, "VALIDATION_ERROR")


def test_an_unexpected_error_is_internal_error_without_a_stack_trace(api, monkeypatch):
    from accounts import services

    def explode(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "password_reset_request", explode)
    response = api.post("/api/v1/auth/forgot-password", {"email": "a@b.co"}, format="json")
    body = assert_error(response, 500, "INTERNAL_ERROR")
    assert "secret internals" not in response.content.decode()
    assert body["error"]["message"] == "Unexpected server error"
