"""The published schema describes what the API answers (issue 13), checked on the schema itself.

The schemathesis run (test_schemathesis.py) checks answers against the schema; these tests pin
the shared mechanisms that make the schema right for every operation at once.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def test_every_path_template_names_the_parameters_the_operation_declares(schema):
    for path, method, operation in operations(schema):
        in_template = set(re.findall(r"{(\w+)}", path))
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert in_template == declared, (method, path, declared)


def test_every_operation_answers_the_error_envelope_for_any_status_it_does_not_list(schema):
    for path, method, operation in operations(schema):
        default = operation["responses"]["default"]
        ref = default["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorEnvelope"), (method, path)


def test_every_success_answer_is_the_success_envelope(schema):
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            if not status.startswith("2") or "content" not in response:
                continue
            if "application/json" not in response["content"]:
                # Only the Prometheus exposition, whose format is Prometheus' text format.
                assert set(response["content"]) == {"text/plain"}, (method, path, status)
                assert path.endswith("/metrics/prometheus"), (method, path, status)
                continue
            body = resolve(schema, response["content"]["application/json"]["schema"])
            assert {"success", "data"} <= set(body["properties"]), (method, path, status)


def test_the_error_envelope_lists_not_acceptable(schema):
    codes = schema["components"]["schemas"]["ErrorEnvelope"]["properties"]["error"]
    assert "NOT_ACCEPTABLE" in codes["properties"]["code"]["enum"]


@pytest.mark.parametrize(
    ("path", "item"),
    [
        ("/api/v1/moderation/warnings", "Warning"),
        ("/api/v1/ai/models", "Model"),
        ("/api/v1/templates", "Template"),
    ],
)
def test_paged_lists_are_arrays_with_meta(schema, path, item):
    response = schema["paths"][path]["get"]["responses"]["200"]
    body = resolve(schema, response["content"]["application/json"]["schema"])
    assert body["properties"]["data"]["type"] == "array"
    assert body["properties"]["data"]["items"]["$ref"].endswith(f"/{item}")
    assert body["properties"]["meta"]["$ref"].endswith("/ListMeta")


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("User", "lastLoginAt"),  # DateTimeField(source="last_login"): a NULL column
        ("User", "avatarUrl"),  # BlankAsNullCharField: no avatar is null
        ("Clip", "fileUrl"),  # a method annotated `-> str | None` under a URLField override
    ],
)
def test_read_fields_that_can_answer_null_are_nullable(schema, component, field):
    properties = schema["components"]["schemas"][component]["properties"]
    assert properties[field].get("nullable") is True


def test_fields_that_never_answer_null_stay_non_nullable(schema):
    properties = schema["components"]["schemas"]["User"]["properties"]
    assert not properties["email"].get("nullable")
    assert not properties["id"].get("nullable")


def test_a_template_thumbnail_is_an_absolute_url_as_documented(user_api):
    templates = user_api.get("/api/v1/templates").json()["data"]
    assert templates, "the platform ships its templates"
    assert templates[0]["thumbnailUrl"].startswith("http://testserver/api/v1/templates/")
