"""Malformed input answers a 4xx in the error envelope, never a 500 (issue 13)."""

from __future__ import annotations

import pytest

from config.api import parsers
from tests.config.test_conventions import assert_error

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000

WRITES = [
    ("post", "/api/v1/auth/signup"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/ideas"),
    ("post", "/api/v1/scenes"),
    ("post", "/api/v1/report"),
    ("put", "/api/v1/users/settings"),
    ("post", "/api/v1/users/organizations"),
    ("post", "/api/v1/projects"),
    ("patch", "/api/v1/users/me"),
]


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_a_body_nested_a_thousand_arrays_deep_is_a_validation_error(user_api, method, path):
    response = getattr(user_api, method)(path, data=DEEP, content_type="application/json")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "nested deeper than 64" in body["error"]["message"]


def test_the_depth_is_decided_before_the_json_decoder_runs(user_api, monkeypatch):
    class NoDecoder:
        @staticmethod
        def loads(text: str):
            raise AssertionError("the decoder must not see a body nested this deep")

    monkeypatch.setattr(parsers, "json", NoDecoder)
    response = user_api.post("/api/v1/ideas", data=DEEP, content_type="application/json")
    assert_error(response, 400, "VALIDATION_ERROR")


def test_a_body_at_the_depth_limit_is_parsed_and_judged_by_the_view(user_api):
    nested = "[" * parsers.MAX_JSON_DEPTH + "]" * parsers.MAX_JSON_DEPTH
    body = '{"title": "A title", "extra": ' + nested[2:-2] + "}"
    response = user_api.post("/api/v1/ideas", data=body, content_type="application/json")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "nested deeper" not in body["error"]["message"]


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = '{"a": "[[[[[[[[", "b": "\\"[[[[", "c": [[1]]}'
    assert parsers.json_depth(text, 64) == 3


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/users/me",
        "/api/v1/auth/me",
        "/api/v1/auth/password",
        "/api/v1/users/profile",
        "/api/v1/users/settings",
        "/api/v1/scenes/scn_missing/like",
        "/api/v1/webhooks/whk_missing",
        "/api/v1/projects/prj_missing",
        "/api/v1/ideas",
    ],
)
def test_options_answers_200_on_every_kind_of_view(user_api, path):
    response = user_api.options(path)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    assert body["data"]["name"]


def test_options_describes_the_fields_a_write_accepts(user_api):
    data = user_api.options("/api/v1/ideas").json()["data"]
    assert "title" in data["actions"]["POST"]


@pytest.mark.parametrize("path", ["/api/v1/webhooks", "/api/v1/ideas", "/api/v1/scenes"])
@pytest.mark.parametrize(
    "query", ["page=10000000000000000000000000000", "limit=10000000000000000000000000000"]
)
def test_a_huge_page_or_limit_is_a_validation_error(user_api, path, query):
    response = user_api.get(f"{path}?{query}")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["error"]["details"][0]["field"] == query.split("=")[0]


def test_login_with_a_digit_for_email_and_password_is_refused_in_the_envelope(api, user):
    response = api.post("/api/v1/auth/login", {"email": "0", "password": "0"}, format="json")
    assert_error(response, 401, "INVALID_CREDENTIALS")


def test_the_schema_answers_json_to_a_client_asking_for_json(api):
    response = api.get("/api/v1/schema?format=json", HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["openapi"].startswith("3.")


def test_the_schema_still_answers_yaml_when_asked(api):
    response = api.get("/api/v1/schema", HTTP_ACCEPT="application/yaml")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3.")


def test_an_unsatisfiable_accept_header_is_not_acceptable(user_api):
    response = user_api.get("/api/v1/ideas", HTTP_ACCEPT="text/html")
    assert_error(response, 406, "NOT_ACCEPTABLE")
