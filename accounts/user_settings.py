"""A user's settings (StoryCore's nested settings): defaults, validation and merging."""

from __future__ import annotations

import copy
import zoneinfo
from typing import Any

from rest_framework import serializers

from config.api.fields import (
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictRegexField,
)
from config.api.serializers import StrictSerializer

DEFAULT_SETTINGS: dict[str, dict[str, Any]] = {
    "notifications": {"email": True, "push": False, "sms": False},
    "preferences": {"theme": "system", "language": "en", "timezone": "UTC"},
    "privacy": {"profile_visibility": "public", "data_retention": "forever"},
    "security": {"two_factor_auth": False, "login_notifications": False},
}

_TIMEZONES = frozenset(zoneinfo.available_timezones())


class TimezoneField(serializers.CharField):
    """An IANA time zone name (over 500 of them: checked, not listed as choices)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a string.")
        if data not in _TIMEZONES:
            raise serializers.ValidationError(
                f"'{data}' is not an IANA time zone (e.g. 'Europe/Paris')."
            )
        return data


class NotificationSettingsSerializer(StrictSerializer):
    email = StrictBooleanField(required=False, help_text="E-mail notifications.")
    push = StrictBooleanField(required=False, help_text="Push notifications.")
    sms = StrictBooleanField(required=False, help_text="SMS notifications.")


class PreferenceSettingsSerializer(StrictSerializer):
    theme = StrictChoiceField(choices=["light", "dark", "system"], required=False)
    language = StrictRegexField(
        r"^[a-z]{2}(-[A-Z]{2})?$",
        required=False,
        help_text="A language code such as `en` or `pt-BR`.",
        error_messages={"invalid": "Must be a language code such as 'en' or 'pt-BR'."},
    )
    timezone = TimezoneField(required=False, help_text="An IANA time zone, e.g. `Europe/Paris`.")


class PrivacySettingsSerializer(StrictSerializer):
    profile_visibility = StrictChoiceField(choices=["public", "private"], required=False)
    data_retention = StrictChoiceField(
        choices=["30d", "90d", "180d", "365d", "forever"], required=False
    )


class SecuritySettingsSerializer(StrictSerializer):
    two_factor_auth = StrictBooleanField(
        required=False,
        help_text=(
            "Two-factor sign-in with TOTP codes. Turning it on answers, once, "
            "`security.twoFactorSetup`; turning it off needs `currentPassword`."
        ),
    )
    login_notifications = StrictBooleanField(
        required=False, help_text="E-mail the user at every new sign-in."
    )


class UserSettingsSerializer(StrictSerializer):
    """The whole settings document; every section and key is optional in an update."""

    notifications = NotificationSettingsSerializer(required=False)
    preferences = PreferenceSettingsSerializer(required=False)
    privacy = PrivacySettingsSerializer(required=False)
    security = SecuritySettingsSerializer(required=False)
    current_password = StrictCharField(
        required=False,
        write_only=True,
        max_length=128,
        trim_whitespace=False,
        help_text="The password: needed (only) to turn two-factor sign-in off.",
    )


class TwoFactorSetupSerializer(serializers.Serializer):
    """Shown once, when two-factor sign-in is turned on: what an authenticator app needs."""

    secret = serializers.CharField(help_text="The TOTP secret (base32), to type in by hand.")
    otpauth_uri = serializers.CharField(help_text="The `otpauth://totp/...` URI (RFC 6238).")
    qr_code = serializers.CharField(help_text="The URI as a QR code: a PNG data URL.")
    recovery_codes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Ten single-use codes that stand in for a TOTP code; kept only hashed.",
    )


class SecuritySettingsResultSerializer(serializers.Serializer):
    two_factor_auth = serializers.BooleanField()
    login_notifications = serializers.BooleanField()
    two_factor_setup = TwoFactorSetupSerializer(
        required=False, help_text="Only in the answer that turned two-factor sign-in on."
    )


class UserSettingsResultSerializer(serializers.Serializer):
    """The settings as GET and PUT /users/settings answer them."""

    notifications = NotificationSettingsSerializer()
    preferences = PreferenceSettingsSerializer()
    privacy = PrivacySettingsSerializer()
    security = SecuritySettingsResultSerializer()


def effective_settings(stored: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The defaults with the user's stored choices laid over them."""
    return merge_settings(copy.deepcopy(DEFAULT_SETTINGS), stored or {})


def merge_settings(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Lay validated `changes` over `base`, section by section."""
    merged = copy.deepcopy(base)
    for section, values in changes.items():
        merged.setdefault(section, {}).update(values)
    return merged
