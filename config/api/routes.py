"""URL patterns whose trailing slash is optional (`/projects` and `/projects/` both answer)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, re_path

_PARAM = re.compile(r"<(?:str:)?(\w+)>")


def route(pattern: str, view: Callable[..., Any], name: str) -> URLPattern:
    """`route("users/<user_id>", view, name)`: matches with or without a trailing slash."""
    regex = _PARAM.sub(r"(?P<\1>[^/]+)", pattern.strip("/"))
    return re_path(rf"^{regex}/?$", view, name=name)
