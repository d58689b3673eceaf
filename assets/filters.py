"""Filters of GET /assets (StoryCore: type, projectId) and GET /media (AI Movie Platform:
projectId, mediaType, search, tags, status); each list accepts both documents' filters."""

from __future__ import annotations

import django_filters
from django.db import connection
from django.db.models import Q, QuerySet

from assets.choices import STATUS_ALIASES, AssetKind, AssetStatus
from assets.models import Asset
from config.api.errors import ValidationFailed


class AssetFilter(django_filters.FilterSet):
    type = django_filters.CharFilter(
        method="filter_type", help_text="image, video, audio or document"
    )
    project_id = django_filters.CharFilter(help_text="Only this project's assets.")
    media_type = django_filters.CharFilter(help_text="style_reference, character_design, ...")
    status = django_filters.CharFilter(
        method="filter_status", help_text="analyzing (also: processing), active, failed, archived"
    )
    tags = django_filters.CharFilter(
        method="filter_tags", help_text="Comma-separated; an asset has every one of them."
    )
    search = django_filters.CharFilter(
        method="filter_search", help_text="Words in the name, file name or description."
    )

    class Meta:
        model = Asset
        fields = ["type", "project_id", "media_type", "status", "tags", "search"]

    def filter_type(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        if value not in AssetKind.values:
            raise ValidationFailed.for_field(
                "type", f"Must be one of: {', '.join(AssetKind.values)}."
            )
        return queryset.filter(kind=value)

    def filter_status(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        status = STATUS_ALIASES.get(value, value)
        if status not in AssetStatus.values:
            raise ValidationFailed.for_field(
                "status", f"Must be one of: {', '.join([*AssetStatus.values, 'processing'])}."
            )
        return queryset.filter(status=status)

    def filter_tags(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        tags = [t.strip().lower() for t in value.split(",") if t.strip()]
        if len(tags) > 20:
            raise ValidationFailed.for_field("tags", "At most 20 tags.")
        if connection.vendor == "postgresql":
            return queryset.filter(tags__contains=tags)
        # SQLite has no JSON containment: match over the caller's rows (already narrowed to
        # what they may see).
        ids = [
            pk
            for pk, row_tags in queryset.values_list("pk", "tags")
            if set(tags) <= {str(t).lower() for t in row_tags or []}
        ]
        return queryset.filter(pk__in=ids)

    def filter_search(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        value = value.strip()
        if len(value) > 200:
            raise ValidationFailed.for_field("search", "Must be at most 200 characters.")
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(filename__icontains=value)
            | Q(description__icontains=value)
        )
