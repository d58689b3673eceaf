"""`sort` + `order` query parameters, the way the documents spell them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request

from config.api.errors import ValidationFailed


class SortOrderFilter(BaseFilterBackend):
    """`?sort=created_at&order=asc`: a view lists its `sort_fields` (name → ORM field).

    `default_sort` applies when `sort` is absent; `order` defaults to `desc`. Any other
    value is a 400 naming the parameter.
    """

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        fields: dict[str, str] = getattr(view, "sort_fields", {})
        if not fields:
            return queryset
        sort = request.query_params.get("sort") or getattr(view, "default_sort", None)
        order = request.query_params.get("order", "desc")
        if sort not in fields:
            raise ValidationFailed.for_field("sort", f"Must be one of: {', '.join(fields)}.")
        if order not in ("asc", "desc"):
            raise ValidationFailed.for_field("order", "Must be asc or desc.")
        field = fields[sort]
        prefix = "-" if order == "desc" else ""
        return queryset.order_by(f"{prefix}{field}", f"{prefix}pk")

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = list(getattr(view, "sort_fields", {}))
        if not fields:
            return []
        return [
            {
                "name": "sort",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": fields},
            },
            {
                "name": "order",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["asc", "desc"], "default": "desc"},
            },
        ]
