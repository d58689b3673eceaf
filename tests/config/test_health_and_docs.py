"""The OpenAPI schema and its documentation pages (health: tests/ops/test_health.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


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
