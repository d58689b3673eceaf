"""List pagination: `page` and `limit` in; `meta` = page, limit, total, totalPages, hasMore."""

from __future__ import annotations

import math
from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.request import Request

from config.api.params import bounded_int
from config.api.responses import ApiResponse

# A page's offset reaches the database as a 64-bit integer: an unbounded page number (a
# 29-digit one, say) overflowed it and answered 500. No list of the platform comes near a
# million pages; past that the page is out of range like any other bad value.
MAX_PAGE = 1_000_000


class PagePagination(BasePagination):
    """Page-number pagination with the conventions' bounds (limit 1-100, default 20)."""

    default_limit = 20
    max_limit = 100

    def read_bounds(self, request: Request) -> None:
        """`page` and `limit` from the query (400 VALIDATION_ERROR naming the bad one)."""
        self.page = bounded_int(request, "page", default=1, maximum=MAX_PAGE)
        self.limit = bounded_int(
            request, "limit", default=self.default_limit, maximum=self.max_limit
        )

    def paginate_queryset(self, queryset: QuerySet | list, request: Request, view=None) -> list:
        self.read_bounds(request)
        self.total = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        offset = (self.page - 1) * self.limit
        return list(queryset[offset : offset + self.limit])

    def meta(self) -> dict[str, Any]:
        total_pages = math.ceil(self.total / self.limit) if self.total else 0
        return {
            "page": self.page,
            "limit": self.limit,
            "total": self.total,
            "totalPages": total_pages,
            "hasMore": self.page < total_pages,
        }

    def get_paginated_response(self, data: list) -> ApiResponse:
        return ApiResponse(data, meta=self.meta())

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["success", "data", "meta"],
            "properties": {
                "success": {"type": "boolean", "description": "Always true."},
                "data": schema,
                "meta": {"$ref": "#/components/schemas/ListMeta"},
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "Page number (from 1).",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_PAGE,
                    "default": 1,
                },
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": "Items per page.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_limit,
                    "default": self.default_limit,
                },
            },
        ]


class LogPagination(PagePagination):
    """Log listings page larger: 50 by default, up to 200 (StoryCore's logs endpoints)."""

    default_limit = 50
    max_limit = 200
