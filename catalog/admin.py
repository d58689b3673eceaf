"""The catalog in the Django admin: curate topics and categories, review suggestions and
ideas, look at likes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from catalog import services
from catalog.models import Category, Idea, IdeaTag, Like, Topic, TopicStatus
from config.admin import ReadOnlyAdmin
from config.api.errors import ApiError
from moderation.choices import ModerationStatus


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ["name", "slug", "description", "position"]
    prepopulated_fields = {"slug": ("name",)}


class AwaitingReviewFilter(admin.SimpleListFilter):
    """Suggestions a moderator still has to decide on, flagged ones first in mind."""

    title = "review"
    parameter_name = "review"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("pending", "Awaiting review"), ("flagged", "Flagged by screening")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Topic]) -> QuerySet[Topic]:
        if self.value() == "pending":
            return queryset.filter(status=TopicStatus.PENDING)
        if self.value() == "flagged":
            return queryset.filter(
                status=TopicStatus.PENDING, moderation_status=ModerationStatus.FLAGGED
            )
        return queryset


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "status",
        "moderation_status",
        "is_curated",
        "suggested_by",
        "position",
        "created_at",
    ]
    list_filter = [AwaitingReviewFilter, "status", "moderation_status", "is_curated"]
    search_fields = ["name", "slug", "description", "id", "suggested_by__email"]
    list_select_related = ["suggested_by"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["suggested_by"]
    readonly_fields = [
        "id",
        "moderation_status",
        "moderation_details",
        "reviewed_by",
        "reviewed_at",
        "created_at",
        "updated_at",
    ]
    fields = [
        "id",
        "name",
        "slug",
        "description",
        "icon_url",
        "is_curated",
        "position",
        "status",
        "suggested_by",
        "moderation_status",
        "moderation_details",
        "reviewed_by",
        "reviewed_at",
        "created_at",
        "updated_at",
    ]
    inlines = [CategoryInline]
    actions = ["approve", "reject"]

    @admin.action(description="Approve the selected topics (publish them)")
    def approve(self, request: HttpRequest, queryset: QuerySet[Topic]) -> None:
        done, refused = 0, []
        for topic in queryset:
            try:
                done += services.topic_approve(topic=topic, moderator=request.user)  # type: ignore[arg-type]
            except ApiError:
                refused.append(topic.name)
        self.message_user(request, f"Approved {done} topics.", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                f"Another live topic already has the name of: {', '.join(refused)}.",
                messages.WARNING,
            )

    @admin.action(description="Reject the selected topics (hide them)")
    def reject(self, request: HttpRequest, queryset: QuerySet[Topic]) -> None:
        done = sum(
            services.topic_reject(topic=topic, moderator=request.user)  # type: ignore[arg-type]
            for topic in queryset
        )
        self.message_user(request, f"Rejected {done} topics.", messages.SUCCESS)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "topic", "slug", "position"]
    list_filter = ["topic"]
    search_fields = ["name", "slug", "topic__name", "id"]
    list_select_related = ["topic"]
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ["id", "created_at"]


class IdeaTagInline(admin.TabularInline):
    model = IdeaTag
    extra = 0
    fields = ["name", "position"]


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "author",
        "topic",
        "category",
        "moderation_status",
        "like_count",
        "view_count",
        "created_at",
    ]
    list_filter = ["moderation_status", "topic", "created_at"]
    search_fields = ["title", "prompt", "id", "author__email", "author__username", "tag_rows__name"]
    list_select_related = ["author", "topic", "category"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["author", "topic", "category"]
    readonly_fields = [
        "id",
        "moderation_details",
        "like_count",
        "view_count",
        "created_at",
        "updated_at",
    ]
    inlines = [IdeaTagInline]
    actions = ["approve", "reject"]

    def _moderate(self, request: HttpRequest, queryset: QuerySet[Idea], status: str) -> int:
        return sum(
            services.idea_moderate(idea=idea, status=status, moderator=request.user)  # type: ignore[arg-type]
            for idea in queryset
        )

    @admin.action(description="Approve the selected ideas (publish them)")
    def approve(self, request: HttpRequest, queryset: QuerySet[Idea]) -> None:
        done = self._moderate(request, queryset, ModerationStatus.APPROVED)
        self.message_user(request, f"Approved {done} ideas.", messages.SUCCESS)

    @admin.action(description="Reject the selected ideas (hide them)")
    def reject(self, request: HttpRequest, queryset: QuerySet[Idea]) -> None:
        done = self._moderate(request, queryset, ModerationStatus.REJECTED)
        self.message_user(request, f"Rejected {done} ideas.", messages.SUCCESS)


@admin.register(Like)
class LikeAdmin(ReadOnlyAdmin):
    """Read-only: likes change through the API, which keeps the counters right."""

    list_display = ["user", "target_type", "target_id", "created_at"]
    list_filter = ["target_type", "created_at"]
    search_fields = ["target_id", "user__email", "user__username"]
    list_select_related = ["user"]
