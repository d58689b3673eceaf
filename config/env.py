"""Typed readers for environment variables.

Every setting that comes from the environment goes through one of these, so that a bad value
stops start-up with a message naming the variable instead of failing later somewhere deep.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_UNSET: Any = object()


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return value.strip() if value is not None else None


def _fail(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"Environment variable {name}={value!r} is invalid: {expected}.")


def env_str(name: str, default: str | None = _UNSET, *, choices: Sequence[str] = ()) -> str:
    """A string; required when no default is given."""
    value = _raw(name)
    if value is None or value == "":
        if default is _UNSET:
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default  # type: ignore[return-value]
    if choices and value not in choices:
        raise _fail(name, value, f"expected one of {', '.join(choices)}")
    return value


def env_optional(name: str) -> str | None:
    """A string, or None when unset or empty."""
    value = _raw(name)
    return value or None


def env_bool(name: str, default: bool) -> bool:
    """A boolean: 1/true/yes/on or 0/false/no/off."""
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _fail(name, value, "expected true or false")


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """An integer, optionally bounded."""
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise _fail(name, value, "expected an integer") from None
    if minimum is not None and number < minimum:
        raise _fail(name, value, f"expected at least {minimum}")
    if maximum is not None and number > maximum:
        raise _fail(name, value, f"expected at most {maximum}")
    return number


def env_decimal(name: str, default: str, *, minimum: Decimal | None = None) -> Decimal:
    """A decimal number (money), optionally bounded below."""
    value = _raw(name) or default
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise _fail(name, value, "expected a number") from None
    if not number.is_finite() or (minimum is not None and number < minimum):
        raise _fail(name, value, f"expected a number of at least {minimum}")
    return number


def env_list(name: str, default: Sequence[str] = ()) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """A comma-separated list of IP networks in CIDR notation (`10.0.0.0/8,fd00::/8`)."""
    import ipaddress

    networks = env_list(name)
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise _fail(name, network, "not an IP network (CIDR, e.g. 10.0.0.0/8)") from None
    return networks


def env_database(name: str, default: str) -> dict[str, Any]:
    """A database URL (postgres://, sqlite:///...) parsed into Django's DATABASES entry."""
    value = _raw(name) or default
    try:
        config = dj_database_url.parse(value, conn_max_age=0, conn_health_checks=True)
    except (ValueError, KeyError) as exc:
        raise _fail(name, value, f"not a database URL ({exc})") from None
    if not config.get("ENGINE"):
        raise _fail(name, value, "unsupported database scheme")
    return dict(config)


def env_url(name: str, *, schemes: Sequence[str]) -> str | None:
    """An optional URL whose scheme must be one of `schemes`."""
    value = env_optional(name)
    if value is None:
        return None
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in schemes:
        raise _fail(
            name, value, f"expected a URL starting with {' or '.join(s + '://' for s in schemes)}"
        )
    return value
