"""Private files through signed, expiring URLs.

On S3 the bucket signs (django-storages' query-string auth). On local storage the platform
signs: `/files/<token>` carries the file name and its expiry, signed with the secret key.
"""

from __future__ import annotations

import mimetypes
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils import timezone

from config.api.errors import ErrorCode
from config.api.exceptions import error_response

_SALT = "config.files"


def signed_url(
    name: str, *, ttl: int | None = None, request: HttpRequest | None = None
) -> tuple[str, datetime]:
    """A URL that serves the stored file `name` until the returned expiry time."""
    ttl = ttl or settings.SIGNED_URL_TTL
    expires = timezone.now().replace(microsecond=0) + timedelta(seconds=ttl)
    if not isinstance(default_storage, FileSystemStorage):
        return default_storage.url(name, expire=ttl), expires  # type: ignore[call-arg]
    token = signing.dumps({"n": name, "e": int(expires.timestamp())}, salt=_SALT, compress=True)
    path = reverse("signed-file", args=[token])
    base = request.build_absolute_uri("/")[:-1] if request else settings.PUBLIC_BASE_URL
    return f"{base}{path}", expires


def serve_signed(request: HttpRequest, token: str) -> HttpResponseBase:
    """GET /files/<token>: the file, while the signature is valid and not expired."""
    try:
        claim = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return error_response(ErrorCode.NOT_FOUND, "Invalid or expired link")
    if claim["e"] < timezone.now().timestamp() or not default_storage.exists(claim["n"]):
        return error_response(ErrorCode.NOT_FOUND, "Invalid or expired link")
    content_type = mimetypes.guess_type(claim["n"])[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(claim["n"], "rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=60"
    return response
