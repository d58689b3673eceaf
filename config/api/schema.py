"""OpenAPI generation that documents the real envelope, headers and error responses.

drf-spectacular describes each view's serializer; this schema class wraps that in the success
envelope, documents list `meta`, the `X-Request-Id` and `X-RateLimit-*` headers, and adds the
error responses (in the error envelope) that the view can give.
"""

from __future__ import annotations

import re
import typing
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from djangorestframework_camel_case.util import camelize_re, underscore_to_camel
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated

from config.api.errors import ErrorCode
from config.api.fields import BlankAsNullCharField

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["success", "error", "requestId", "timestamp"],
    "properties": {
        "success": {"type": "boolean", "description": "Always false."},
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "enum": [code.value for code in ErrorCode]},
                "message": {"type": "string"},
                "details": {
                    "description": "For VALIDATION_ERROR a list of {field, message}; "
                    "otherwise an object with the error's particulars, or null.",
                    "oneOf": [
                        {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "field": {"type": "string", "nullable": True},
                                    "message": {"type": "string"},
                                },
                            },
                        },
                        {"type": "object", "additionalProperties": True},
                    ],
                    "nullable": True,
                },
            },
        },
        "requestId": {"type": "string"},
        "timestamp": {"type": "string", "format": "date-time"},
    },
}

META_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["page", "limit", "total", "totalPages", "hasMore"],
    "properties": {
        "page": {"type": "integer"},
        "limit": {"type": "integer"},
        "total": {"type": "integer"},
        "totalPages": {"type": "integer"},
        "hasMore": {"type": "boolean"},
    },
}

HEADERS: dict[str, Any] = {
    "X-Request-Id": {"schema": {"type": "string"}, "description": "The request's id (echoed)."},
    "X-RateLimit-Limit": {"schema": {"type": "integer"}, "description": "Requests per hour."},
    "X-RateLimit-Remaining": {"schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"schema": {"type": "integer"}, "description": "Epoch seconds."},
    "X-RateLimit-Tier": {"schema": {"type": "string", "enum": ["free", "pro", "enterprise"]}},
}

ERROR_DESCRIPTIONS = {
    400: "VALIDATION_ERROR: invalid input (details lists each field)",
    401: "UNAUTHORIZED (no, bad, expired or revoked token) or INVALID_CREDENTIALS",
    402: "SUBSCRIPTION_LIMIT or COST_LIMIT",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "Conflict: EMAIL_EXISTS, USERNAME_EXISTS, CONFLICT or another 409 code",
    413: "FILE_TOO_LARGE",
    415: "UNSUPPORTED_FORMAT",
    422: "CONTINUITY_VIOLATION",
    429: "RATE_LIMITED (see Retry-After)",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}
DEFAULT_ERROR_DESCRIPTION = (
    "Any other error (405 METHOD_NOT_ALLOWED, 406 NOT_ACCEPTABLE, 413, 415, ...), in the "
    "error envelope"
)


def _model_field_is_nullable(model: type[models.Model] | None, source_attrs: list[str]) -> bool:
    """Whether following `source_attrs` from `model` can meet a NULL column or relation."""
    for attr in source_attrs:
        if model is None:
            return False
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return False
        if getattr(model_field, "null", False):
            return True
        model = getattr(model_field, "related_model", None)
    return False


def _method_may_return_none(field: serializers.SerializerMethodField) -> bool:
    """Whether a `get_<field>` method is annotated `-> X | None` (an `extend_schema_field`
    override of its type would otherwise hide that it can answer null)."""
    method = getattr(field.parent, field.method_name, None)
    if method is None:
        return False
    try:
        hint = typing.get_type_hints(method).get("return")
    except Exception:  # an annotation that does not resolve: read it as written
        return "None" in str(getattr(method, "__annotations__", {}).get("return", ""))
    return hint is not None and type(None) in typing.get_args(hint)


def answers_null(field: serializers.Field) -> bool:
    """Whether a read field can answer null though it does not say `allow_null`.

    DRF renders a field whose attribute is None as null without asking the field, so an
    explicitly declared field over a nullable column (`DateTimeField(source="last_login")`)
    answers null; so does a field that shows an empty value as null.
    """
    if isinstance(field, BlankAsNullCharField):
        return True
    if isinstance(field, serializers.SerializerMethodField):
        return _method_may_return_none(field)
    if getattr(field, "source", None) == "*":
        return False
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    source_attrs = getattr(field, "source_attrs", None) or [field.field_name]
    return _model_field_is_nullable(model, source_attrs)


def message_only(name: str) -> serializers.Serializer:
    """A response whose data is just `{message}`."""
    return inline_serializer(name=name, fields={"message": serializers.CharField()})


class EnvelopeAutoSchema(AutoSchema):
    """AutoSchema that documents the platform's envelopes and error responses."""

    def _register(self, name: str, schema: dict[str, Any]) -> dict[str, str]:
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _get_serializer_field_meta(self, field: Any, direction: str) -> dict[str, Any]:
        meta = super()._get_serializer_field_meta(field, direction)
        response = direction == "response" and isinstance(field, serializers.Field)
        if response and answers_null(field):
            meta["nullable"] = True
        return meta

    def _get_response_for_code(
        self, serializer, status_code, media_types=None, direction="response"
    ):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        if not str(status_code).startswith("2"):
            return response
        self._register("ListMeta", META_SCHEMA)
        for media in response.get("content", {}).values():
            schema = media.get("schema", {})
            if self._is_envelope(schema):
                continue
            media["schema"] = {
                "type": "object",
                "required": ["success", "data"],
                "properties": {
                    "success": {"type": "boolean", "description": "Always true."},
                    "data": schema,
                    "message": {"type": "string"},
                },
            }
        response["headers"] = {**HEADERS, **response.get("headers", {})}
        return response

    def _is_envelope(self, schema: dict[str, Any]) -> bool:
        ref = schema.get("$ref", "")
        if ref:
            component = self.registry._components.get(
                (ref.rsplit("/", 1)[-1], ResolvedComponent.SCHEMA)
            )
            schema = component.schema if component is not None else {}
        return "success" in schema.get("properties", {})

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        error_ref = self._register("ErrorEnvelope", ERROR_SCHEMA)
        responses = operation.setdefault("responses", {})
        # Every status the operation does not list answers the error envelope.
        responses.setdefault(
            "default",
            {
                "description": DEFAULT_ERROR_DESCRIPTION,
                "content": {"application/json": {"schema": error_ref}},
                "headers": {"X-Request-Id": HEADERS["X-Request-Id"]},
            },
        )
        for code in sorted(self._error_statuses()):
            responses.setdefault(
                str(code),
                {
                    "description": ERROR_DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": error_ref}},
                    "headers": {"X-Request-Id": HEADERS["X-Request-Id"]},
                },
            )
        return operation

    def _error_statuses(self) -> set[int]:
        statuses = {429, 500}
        permissions = self.view.get_permissions()
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view():
            statuses.add(400)
        if not any(isinstance(p, AllowAny) for p in permissions):
            statuses.add(401)
            if any(not isinstance(p, (IsAuthenticated, AllowAny)) for p in permissions):
                statuses.add(403)
        if "{" in self.path:
            statuses.add(404)
        # Further statuses a view declares, e.g. `schema_errors = (409,)`.
        statuses.update(getattr(self.view, "schema_errors", ()))
        return statuses


class JWTAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents the bearer JWT of `accounts.authentication.JWTAuthentication`."""

    target_class = "accounts.authentication.JWTAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


_PATH_PARAMETER = re.compile(r"{(\w+)}")


def _camel_path(path: str) -> str:
    """`/users/{user_id}` as `/users/{userId}`: the name its camelCased parameter has."""
    return _PATH_PARAMETER.sub(
        lambda match: "{" + re.sub(camelize_re, underscore_to_camel, match.group(1)) + "}", path
    )


def strip_trailing_slashes(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Document `/api/v1/projects`, not `/api/v1/projects/` (both answer).

    Runs after drf-spectacular's camelCase hook, which renames every parameter, path
    parameters included (`user_id` -> `userId`): the path's template is renamed to match, or
    no parameter would fill it and the schema would be invalid.
    """
    result["paths"] = {
        _camel_path(path.rstrip("/") or "/"): item for path, item in result.get("paths", {}).items()
    }
    return result
