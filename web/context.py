"""What every page's header needs: the navigation, built once here so that new sections
(the guided workflow, the media library) add one entry instead of editing every template."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    signed_in_only: bool = False


# The header's sections, in order. A section whose URL is not (yet) routed is left out, so
# the chat and media pages appear here by adding their line once their apps exist.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Browse", "web:browse"),
    NavItem("Ideas", "web:ideas"),
    NavItem("Scenes", "web:scenes"),
    NavItem("Guided workflow", "web:chat", signed_in_only=True),
    NavItem("Media library", "web:media", signed_in_only=True),
    NavItem("My work", "web:my-work", signed_in_only=True),
    NavItem("Studio", "studio"),
)


def _items(request: HttpRequest) -> list[dict[str, Any]]:
    signed_in = request.user.is_authenticated
    items = []
    for item in NAVIGATION:
        if item.signed_in_only and not signed_in:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        current = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"label": item.label, "url": url, "current": current})
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: `nav`, the header's links for this visitor."""
    return {"nav": _items(request)}
