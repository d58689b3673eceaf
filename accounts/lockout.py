"""What django-axes answers once an account is locked after repeated failed sign-ins."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The API already answered 429 RATE_LIMITED in its envelope; the admin gets a page."""
    if request.path.startswith("/api/") and original_response is not None:
        return original_response
    return TemplateResponse(request, "accounts/lockout.html", status=429)
