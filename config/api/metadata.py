"""What `OPTIONS` answers: the view's name, media types and the fields its writes accept.

DRF's SimpleMetadata assumes every generic view is a queryset-backed CRUD view: for `PUT` it
loads the object (`get_object()`, which asserts a `queryset`) and for `PUT`/`POST` it builds the
view's serializer (which asserts a `serializer_class`). Views that act on the caller
(`/users/me`), on a setting or on a relation (`/scenes/:id/like`) have neither, and `OPTIONS`
answered 500 there. This metadata never loads an object (the write itself checks object
permissions) and describes a write's fields only where the view declares a serializer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework import exceptions
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request, clone_request

if TYPE_CHECKING:
    from rest_framework.views import APIView


def _declares_serializer(view: APIView) -> bool:
    # Imported here: rest_framework.views loads this module while it is being imported.
    from rest_framework.generics import GenericAPIView

    if not isinstance(view, GenericAPIView):
        return False
    overridden = type(view).get_serializer_class is not GenericAPIView.get_serializer_class
    return overridden or getattr(view, "serializer_class", None) is not None


class EnvelopeMetadata(SimpleMetadata):
    """SimpleMetadata without object loading, for every kind of view."""

    def determine_actions(self, request: Request, view: APIView) -> dict[str, Any]:
        actions: dict[str, Any] = {}
        if not _declares_serializer(view):
            return actions
        for method in sorted({"PUT", "POST"} & set(view.allowed_methods)):
            view.request = clone_request(request, method)
            try:
                view.check_permissions(view.request)
            except exceptions.APIException:
                continue
            else:
                serializer = view.get_serializer()  # type: ignore[attr-defined]
                actions[method] = self.get_serializer_info(serializer)
            finally:
                view.request = request
        return actions
