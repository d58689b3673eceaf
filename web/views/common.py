"""What the page views share: paging, the viewer's key for view counts, a signed-in guard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from config.api.ratelimit import client_ip

PAGE_SIZE = 20


@dataclass(frozen=True)
class Listing:
    """One page of a list and the query string that keeps its filters across pages."""

    page: Page
    query: str


def paginate(
    request: HttpRequest, items: QuerySet[Any] | list[Any], size: int = PAGE_SIZE
) -> Listing:
    """The requested page (a bad or too-high page number shows the nearest one)."""
    paginator = Paginator(items, size)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return Listing(page=page, query=params.urlencode())


def viewer_key(request: HttpRequest) -> str:
    """Who looks, for view counts: the user, or the client's address (as the API counts)."""
    return str(request.user.pk) if request.user.is_authenticated else client_ip(request)
