"""Private files through signed, expiring URLs.

On S3 the bucket signs (django-storages' query-string auth). On local storage the platform
signs: `/files/<token>` carries the file name and its expiry, signed with the secret key.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils import timezone

from config.api.errors import ErrorCode
from config.api.exceptions import error_response

_SALT = "config.files"
# The request being answered, so that links made deep inside a serializer point where the
# client reached the platform (PUBLIC_BASE_URL otherwise: e-mails, workers).
_current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)


class RequestBaseMiddleware:
    """Remember the current request for the signed links made while answering it (their base
    URL is read from it only when a link is made)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def absolute_url(path: str, *, request: HttpRequest | None = None) -> str:
    """`path` on the platform as an absolute URL, from where the client reached it."""
    if request is None:
        request = _current_request.get()
    base = request.build_absolute_uri("/")[:-1] if request is not None else settings.PUBLIC_BASE_URL
    return f"{base}{path}"


def signed_url(
    name: str, *, ttl: int | None = None, request: HttpRequest | None = None
) -> tuple[str, datetime]:
    """A URL that serves the stored file `name` until the returned expiry time."""
    ttl = ttl or settings.SIGNED_URL_TTL
    expires = timezone.now().replace(microsecond=0) + timedelta(seconds=ttl)
    # A playlist is always served by the platform, which signs the URLs inside it.
    if not isinstance(default_storage, FileSystemStorage) and not name.endswith(".m3u8"):
        return default_storage.url(name, expire=ttl), expires  # type: ignore[call-arg]
    token = signing.dumps({"n": name, "e": int(expires.timestamp())}, salt=_SALT, compress=True)
    return absolute_url(reverse("signed-file", args=[token]), request=request), expires


def serve_signed(request: HttpRequest, token: str) -> HttpResponseBase:
    """GET /files/<token>: the file, while the signature is valid and not expired."""
    try:
        claim = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return error_response(ErrorCode.NOT_FOUND, "Invalid or expired link")
    if claim["e"] < timezone.now().timestamp() or not default_storage.exists(claim["n"]):
        return error_response(ErrorCode.NOT_FOUND, "Invalid or expired link")
    if claim["n"].endswith(".m3u8"):
        return _signed_playlist(request, claim["n"], claim["e"])
    content_type = mimetypes.guess_type(claim["n"])[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(claim["n"], "rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=60"
    return response


_URI_ATTRIBUTE = re.compile(r'URI="([^"]+)"')
HLS_CONTENT_TYPE = "application/vnd.apple.mpegurl"


def _signed_playlist(request: HttpRequest, name: str, expires_at: int) -> HttpResponse:
    """An HLS playlist whose every URI (variants, segments, init sections) is signed too.

    The URIs inside are relative to the playlist; each becomes a signed URL that expires with
    the playlist's own link, so a player can follow the whole stream and nothing outlives it.
    """
    ttl = max(1, expires_at - int(timezone.now().timestamp()))
    folder = posixpath.dirname(name)

    def sign(uri: str) -> str:
        if "://" in uri or uri.startswith("/"):
            return uri
        target = posixpath.normpath(posixpath.join(folder, uri))
        if not target.startswith(folder + "/") and folder:
            return uri  # never sign a path outside the playlist's folder
        return signed_url(target, ttl=ttl, request=request)[0]

    with default_storage.open(name, "rb") as handle:
        text = handle.read().decode("utf-8")
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            lines.append(sign(stripped))
        elif stripped.startswith("#"):
            lines.append(_URI_ATTRIBUTE.sub(lambda m: f'URI="{sign(m.group(1))}"', line))
        else:
            lines.append(line)
    response = HttpResponse("\n".join(lines) + "\n", content_type=HLS_CONTENT_TYPE)
    response["Cache-Control"] = "private, max-age=30"
    return response
