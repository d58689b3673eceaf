"""One exception handler: every error, from DRF, Django or a service, leaves as the envelope.

`{"success": false, "error": {"code", "message", "details"}, "requestId", "timestamp"}`
(API_CONVENTIONS.md). Django's own 400/403/404/500 handlers use the same builder, so no request
gets an HTML error page or a stack trace.
"""

from __future__ import annotations

import logging
import math
import re
import sys
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django_guid import get_guid
from djangorestframework_camel_case.util import camelize_re, underscore_to_camel
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from config.api.errors import STATUS_FOR_CODE, ApiError, ErrorCode, code_for_status
from config.api.responses import iso

logger = logging.getLogger(__name__)


def camel(name: str) -> str:
    return re.sub(camelize_re, underscore_to_camel, name)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The error envelope, with the request id and the time of the error."""
    return {
        "success": False,
        "error": {"code": str(code), "message": message, "details": details},
        "requestId": get_guid(),
        "timestamp": iso(timezone.now()),
    }


def flatten_validation_errors(detail: Any, prefix: str = "") -> list[dict[str, Any]]:
    """Turn DRF's nested error structure into `[{field, message}]` with camelCase paths."""
    items: list[dict[str, Any]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else camel(str(key))
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            items.extend(flatten_validation_errors(value, path))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            items.extend({"field": prefix or None, "message": str(item)} for item in detail)
        else:
            for index, value in enumerate(detail):
                if value:
                    items.extend(flatten_validation_errors(value, f"{prefix}[{index}]"))
    else:
        items.append({"field": prefix or None, "message": str(detail)})
    return items


def _validation_message(details: list[dict[str, Any]]) -> str:
    if len(details) == 1:
        field, message = details[0]["field"], details[0]["message"]
        return f"{field}: {message}" if field else message
    return "Invalid input data"


# Seconds a client is told to wait when a backing service is down.
OUTAGE_RETRY_AFTER = 5


def outage_message(exc: BaseException) -> str | None:
    """What is down when `exc` says a backing service cannot be reached, else None.

    The database (connection refused or lost, a server restarting: Django's OperationalError
    and InterfaceError) and Redis (the cache and rate-limit counters: redis-py's
    ConnectionError and TimeoutError). Such a request is the outage's, not a bug: 503.
    """
    if isinstance(exc, (DatabaseOperationalError, DatabaseInterfaceError)):
        return "The database is unavailable; try again shortly"
    redis_exceptions = sys.modules.get("redis.exceptions")
    if redis_exceptions is not None and isinstance(
        exc, (redis_exceptions.ConnectionError, redis_exceptions.TimeoutError)
    ):
        return "The cache is unavailable; try again shortly"
    return None


def _describe(exc: Exception) -> tuple[int, str, str, Any, dict[str, str]]:
    """Status, code, message, details and headers for any exception a view can raise."""
    outage = outage_message(exc)
    if outage is not None:
        headers = {"Retry-After": str(OUTAGE_RETRY_AFTER)}
        return 503, ErrorCode.SERVICE_UNAVAILABLE, outage, None, headers
    if isinstance(exc, ApiError):
        return exc.status_code, str(exc.code), exc.message, exc.details, exc.headers
    if isinstance(exc, RequestDataTooBig):
        return 413, ErrorCode.FILE_TOO_LARGE, "Request body too large", None, {}
    if isinstance(exc, SuspiciousOperation):
        return 400, ErrorCode.VALIDATION_ERROR, "Bad request", None, {}
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    if isinstance(exc, drf.ValidationError):
        details = flatten_validation_errors(exc.detail)
        return 400, ErrorCode.VALIDATION_ERROR, _validation_message(details), details, {}
    if isinstance(exc, drf.ParseError):
        return 400, ErrorCode.VALIDATION_ERROR, f"Malformed request body: {exc.detail}", [], {}
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        message = _auth_message(exc)
        return 401, ErrorCode.UNAUTHORIZED, message, None, {}
    if isinstance(exc, drf.PermissionDenied):
        return 403, ErrorCode.FORBIDDEN, str(exc.detail), None, {}
    if isinstance(exc, drf.NotFound):
        return 404, ErrorCode.NOT_FOUND, "Resource not found", None, {}
    if isinstance(exc, drf.MethodNotAllowed):
        return 405, ErrorCode.METHOD_NOT_ALLOWED, str(exc.detail), None, {}
    if isinstance(exc, drf.UnsupportedMediaType):
        return 415, ErrorCode.UNSUPPORTED_FORMAT, str(exc.detail), None, {}
    if isinstance(exc, drf.Throttled):
        wait = math.ceil(getattr(exc, "wait", None) or 1)
        return 429, ErrorCode.RATE_LIMITED, "Too many requests", None, {"Retry-After": str(wait)}
    if isinstance(exc, drf.APIException):
        # NotAcceptable (406) and any other status DRF raises: the status's own code.
        return exc.status_code, code_for_status(exc.status_code), str(exc.detail), None, {}
    return 500, ErrorCode.INTERNAL_ERROR, "Unexpected server error", None, {}


def _auth_message(exc: drf.APIException) -> str:
    if isinstance(exc, drf.NotAuthenticated):
        return "Authentication required: send 'Authorization: Bearer <token>'"
    detail: Any = exc.detail
    if isinstance(detail, dict):  # simplejwt: {"detail": ..., "code": ..., "messages": [...]}
        return str(detail.get("detail") or "Invalid or expired token")
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER: every exception becomes the error envelope."""
    status_code, code, message, details, headers = _describe(exc)
    if status_code == 503:
        logger.warning("%s in %s: %s", message, context.get("view"), exc)
    elif status_code >= 500:
        logger.exception("Unhandled error in %s", context.get("view"), exc_info=exc)
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers = {**headers, "WWW-Authenticate": auth_header}
    set_rollback()
    return Response(error_body(code, message, details), status=status_code, headers=headers)


def error_response(code: ErrorCode, message: str, details: Any = None) -> JsonResponse:
    """A plain Django JSON response in the error envelope (outside DRF views)."""
    return JsonResponse(error_body(code, message, details), status=STATUS_FOR_CODE[code])


def _handler(code: ErrorCode, message: str):
    def view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        return error_response(code, message)

    return view


bad_request = _handler(ErrorCode.VALIDATION_ERROR, "Bad request")
permission_denied = _handler(ErrorCode.FORBIDDEN, "Forbidden")
page_not_found = _handler(ErrorCode.NOT_FOUND, "Resource not found")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an exception outside the API views (a middleware, a page). Django calls it
    while handling the exception, so `sys.exc_info()` has it: an outage of the database or
    Redis is 503 SERVICE_UNAVAILABLE here too, anything else 500."""
    exc = sys.exc_info()[1]
    outage = outage_message(exc) if exc is not None else None
    if outage is not None:
        response = error_response(ErrorCode.SERVICE_UNAVAILABLE, outage)
        response["Retry-After"] = str(OUTAGE_RETRY_AFTER)
        return response
    return error_response(ErrorCode.INTERNAL_ERROR, "Unexpected server error")
