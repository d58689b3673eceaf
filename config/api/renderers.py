"""The success envelope: `{"success": true, "data": ..., "meta"?: ..., "message"?: ...}`."""

from __future__ import annotations

from typing import Any

from djangorestframework_camel_case.render import CamelCaseJSONRenderer
from rest_framework.renderers import JSONRenderer


class EnvelopeJSONRenderer(CamelCaseJSONRenderer):
    """Wrap successful responses in the envelope and camelCase every key.

    Error responses already carry the error envelope (config.api.exceptions); responses that
    set `envelope = False` (the OpenAPI schema) are rendered as they are. Responses that set
    `camelized = True` were built with camelCase keys (the scene list's rows): the camelCase
    walk, a regex over every key of the page, is skipped for them.
    """

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code == 204:
            return b""
        if (
            response is not None
            and response.status_code < 400
            and getattr(response, "envelope", True)
        ):
            body: dict[str, Any] = {"success": True, "data": data}
            meta = getattr(response, "meta", None)
            if meta is not None:
                body["meta"] = meta
            message = getattr(response, "message", None)
            if message:
                body["message"] = message
            data = body
        if response is not None and getattr(response, "camelized", False):
            return JSONRenderer.render(self, data, accepted_media_type, renderer_context)
        return super().render(data, accepted_media_type, renderer_context)
