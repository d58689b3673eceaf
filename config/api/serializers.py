"""Serializer bases shared by every app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers


class StrictFieldsMixin:
    """Refuse request fields the serializer does not know, naming each one.

    A misspelt field never fails silently. Read-only fields are known (a client may send back
    what it read) and are ignored, and so are the names in `ignored`. `field_aliases` maps
    another document's name for a field onto it (`{"name": "display_name"}`): either name
    works, and both together must agree.
    """

    ignored: tuple[str, ...] = ()
    field_aliases: dict[str, str] = {}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            known = set(self.fields) | set(self.ignored) | set(self.field_aliases)  # type: ignore[attr-defined]
            unknown = sorted(key for key in data if key not in known)
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
            data = self._resolve_aliases(data)
        return super().to_internal_value(data)  # type: ignore[misc]

    def _resolve_aliases(self, data: Mapping[str, Any]) -> dict[str, Any]:
        resolved = dict(data)
        for alias, field in self.field_aliases.items():
            if alias not in resolved:
                continue
            value = resolved.pop(alias)
            if field in resolved and resolved[field] != value:
                raise serializers.ValidationError(
                    {alias: [f"Give {alias} or {field}, not both with different values."]}
                )
            resolved[field] = value
        return resolved


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    """A plain input serializer that refuses unknown fields."""


class StrictModelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A model serializer that refuses unknown fields."""
