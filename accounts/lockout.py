"""What django-axes answers once an account is locked after repeated failed sign-ins."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The API already answered 429 RATE_LIMITED in its envelope, and the browser's sign-in
    pages already show the lockout on their form: their answer stands. Anything else (the
    admin's login) gets a page, rendered here because the middleware outside this one reads
    its content."""
    if original_response is not None and (
        request.path.startswith("/api/")
        or (getattr(request, "resolver_match", None) and request.resolver_match.namespace == "web")  # type: ignore[union-attr]
    ):
        return original_response
    return TemplateResponse(request, "accounts/lockout.html", status=429).render()
