"""Filters of `GET /ideas` (topicId, categoryId, userId, tags) and `GET /categories`
(topicId). Query parameters arrive snake_cased (CamelCaseMiddleWare): `topicId` is
`topic_id`."""

from __future__ import annotations

import django_filters
from django.db.models import Count, QuerySet

from catalog.models import Category, Idea, IdeaTag
from catalog.services import MAX_TAGS, normalize_tags
from config.api.errors import ValidationFailed


class IdeaFilter(django_filters.FilterSet):
    topic_id = django_filters.CharFilter(field_name="topic_id", help_text="Only this topic.")
    category_id = django_filters.CharFilter(
        field_name="category_id", help_text="Only this category."
    )
    user_id = django_filters.CharFilter(field_name="author_id", help_text="Only this author.")
    tags = django_filters.CharFilter(
        method="filter_tags",
        help_text="Comma-separated tags: ideas that carry every one of them (any case).",
    )

    class Meta:
        model = Idea
        fields = ["topic_id", "category_id", "user_id", "tags"]

    def filter_tags(self, queryset: QuerySet[Idea], name: str, value: str) -> QuerySet[Idea]:
        tags = normalize_tags(value.split(","))
        if not tags:
            return queryset
        if len(tags) > MAX_TAGS:
            raise ValidationFailed.for_field("tags", f"At most {MAX_TAGS} tags.")
        # Ideas with all the tags: those whose matching tag rows number as many as the tags.
        tagged = (
            IdeaTag.objects.filter(name__in=tags)
            .values("idea_id")
            .annotate(matched=Count("name"))
            .filter(matched=len(tags))
            .values("idea_id")
        )
        return queryset.filter(pk__in=tagged)


class CategoryFilter(django_filters.FilterSet):
    topic_id = django_filters.CharFilter(field_name="topic_id", help_text="Only this topic.")

    class Meta:
        model = Category
        fields = ["topic_id"]
