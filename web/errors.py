"""Error pages in the platform's look for the browser, the JSON envelope for the API.

Django routes every 400/403/404/500 of the site through one handler each; a request under
/api/ (or for /files/) keeps getting the envelope of API_CONVENTIONS.md, everything else a
page. Neither ever shows a stack trace.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader

from config.api import exceptions as api

_API_PREFIXES = ("/api/", "/files/", "/ws")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(_API_PREFIXES) or request.path in ("/api", "/api/v1")


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    body: str
    try:
        body = loader.render_to_string(
            "web/error.html",
            {"status": status, "title": title, "message": message},
            request=request if status != 500 else None,
        )
    except Exception:  # a broken template must not turn an error page into a second error
        body = f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{message}</p>"
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return api.bad_request(request, exception)
    return _page(request, 400, "Bad request", "The page could not understand that request.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return api.permission_denied(request, exception)
    return _page(request, 403, "Not allowed", "You do not have permission to see this page.")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return api.page_not_found(request, exception)
    return _page(
        request, 404, "Page not found", "There is nothing here. It may have moved or been removed."
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return api.server_error(request)
    # No request context: the failure may lie in what the context processors read.
    return _page(
        request,
        500,
        "Something went wrong",
        "The error was logged and we will look into it. Please try again in a moment.",
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without (or with a stale) CSRF token."""
    if _is_api(request):
        return api.permission_denied(request)
    return _page(
        request,
        403,
        "Form expired",
        "This form was open too long or came from another site. Go back, reload the page and "
        "send it again.",
    )
