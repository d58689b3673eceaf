"""Query parameters read one way: named in camelCase, as the API documents them and errors
name them, whatever form the camelCase middleware hands them to the view in."""

from __future__ import annotations

import re

from rest_framework.request import Request

from config.api.errors import ValidationFailed


def _snake(name: str) -> str:
    """The query parameter as the camelCase middleware hands it to the view."""
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _raw(request: Request, name: str) -> str | None:
    raw = request.query_params.get(_snake(name))
    return None if raw is None or raw == "" else raw


# The largest integer a query parameter may carry when its reader names no bound: what every
# integer column holds, so no value of a query reaches the database as an overflow (a 500).
INT_MAX = 2**31 - 1


def bounded_int(request: Request, name: str, *, default: int, maximum: int | None = None) -> int:
    """`name` (camelCase) as an integer from 1 to `maximum` (`INT_MAX` when None);
    `default` when absent; 400 VALIDATION_ERROR naming `name` otherwise."""
    raw = _raw(request, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed.for_field(name, "Must be an integer.") from None
    upper = INT_MAX if maximum is None else maximum
    if not 1 <= value <= upper:
        raise ValidationFailed.for_field(name, f"Must be between 1 and {upper}.")
    return value


def boolean(request: Request, name: str, *, default: bool) -> bool:
    """`name` (camelCase) as true/false (or 1/0); `default` when absent; 400 naming it else."""
    raw = _raw(request, name)
    if raw is None:
        return default
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise ValidationFailed.for_field(name, "Must be true or false.")
