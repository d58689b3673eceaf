"""JSON-strict serializer fields: a value of the wrong JSON type is refused, not coerced.

DRF's own fields accept `123` for a string and `"yes"` for a boolean; a JSON API should tell
the client it sent the wrong type instead.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class _StrictType:
    accepted_types: tuple[type, ...] = (str,)
    type_name = "a string"

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) and bool not in self.accepted_types:
            raise serializers.ValidationError(f"Must be {self.type_name}.")
        if not isinstance(data, self.accepted_types):
            raise serializers.ValidationError(f"Must be {self.type_name}.")
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictCharField(_StrictType, serializers.CharField):
    pass


class StrictEmailField(_StrictType, serializers.EmailField):
    pass


class StrictURLField(_StrictType, serializers.URLField):
    pass


class StrictRegexField(_StrictType, serializers.RegexField):
    pass


class StrictChoiceField(_StrictType, serializers.ChoiceField):
    pass


class StrictBooleanField(_StrictType, serializers.BooleanField):
    accepted_types = (bool,)
    type_name = "true or false"


class StrictIntegerField(_StrictType, serializers.IntegerField):
    accepted_types = (int,)
    type_name = "an integer"


class StrictFloatField(_StrictType, serializers.FloatField):
    accepted_types = (int, float)
    type_name = "a number"


class BlankAsNullCharField(serializers.CharField):
    """Shows an empty string as null (`avatarUrl: null` when there is none)."""

    def to_representation(self, value: Any) -> Any:
        return str(value) if value else None
