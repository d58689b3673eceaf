"""Scenes in the Django admin: each scene with its segments (playable) and bible versions."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from config.files import signed_url
from scenes import selectors
from scenes.models import BibleVersion, Scene, Segment


def _player(segment: Segment) -> str:
    if not segment.video_file:
        return "-"
    return format_html(
        '<video src="{}" poster="{}" controls preload="none" style="max-width:320px"></video>',
        signed_url(segment.video_file)[0],
        signed_url(segment.poster_file)[0] if segment.poster_file else "",
    )


def _pretty(data: Any) -> str:
    return format_html(
        '<pre style="white-space:pre-wrap;max-width:900px">{}</pre>',
        json.dumps(data, indent=2, ensure_ascii=False),
    )


class SegmentInline(admin.TabularInline):
    model = Segment
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["sequence", "contributor", "duration", "bible_version", "moderation_status", "video"]
    readonly_fields = ["sequence", "contributor", "duration", "bible_version", "video"]
    ordering = ["sequence"]

    @admin.display(description="video")
    def video(self, segment: Segment) -> str:
        return _player(segment)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # segments come from finished jobs


class BibleVersionInline(admin.TabularInline):
    model = BibleVersion
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["version", "segment", "created_by", "created_at"]
    readonly_fields = ["version", "segment", "created_by", "created_at"]
    ordering = ["-version"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Scene)
class SceneAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "id",
        "topic",
        "creator",
        "bible_version",
        "segment_count",
        "total_duration",
        "like_count",
        "status",
        "moderation_status",
        "created_at",
    ]
    list_filter = ["status", "moderation_status", "topic"]
    search_fields = ["id", "title", "description", "creator__email", "creator__username"]
    list_select_related = ["topic", "creator"]
    autocomplete_fields = ["creator"]
    raw_id_fields = ["idea"]
    readonly_fields = [
        "id",
        "topic",
        "bible_version",
        "held_by_job",
        "held_at",
        "segment_count",
        "total_duration",
        "contributor_count",
        "thumbnail_file",
        "last_segment_at",
        "like_count",
        "view_count",
        "created_at",
        "updated_at",
        "current_bible",
    ]
    inlines = [SegmentInline, BibleVersionInline]

    @admin.display(description="bible (current version)")
    def current_bible(self, scene: Scene) -> str:
        row = selectors.bible_get(scene=scene)
        return _pretty(row.content) if row else "-"


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "scene",
        "sequence",
        "contributor",
        "duration",
        "bible_version",
        "moderation_status",
        "created_at",
    ]
    list_filter = ["moderation_status"]
    search_fields = ["id", "scene__id", "scene__title", "contributor__email", "text"]
    list_select_related = ["scene", "contributor"]
    readonly_fields = [
        "id",
        "scene",
        "sequence",
        "contributor",
        "job_id",
        "text",
        "bible_version",
        "duration",
        "width",
        "height",
        "video_file",
        "hls_file",
        "thumbnail_file",
        "poster_file",
        "created_at",
        "video",
        "shot_list",
        "warnings",
    ]
    exclude = ["shots", "continuity_warnings"]

    @admin.display(description="video")
    def video(self, segment: Segment) -> str:
        return _player(segment)

    @admin.display(description="shots")
    def shot_list(self, segment: Segment) -> str:
        return _pretty(segment.shots)

    @admin.display(description="continuity warnings")
    def warnings(self, segment: Segment) -> str:
        return _pretty(segment.continuity_warnings)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(BibleVersion)
class BibleVersionAdmin(admin.ModelAdmin):
    list_display = ["scene", "version", "segment", "created_by", "created_at"]
    search_fields = ["scene__id", "scene__title"]
    list_select_related = ["scene", "segment", "created_by"]
    fields = ["scene", "version", "segment", "created_by", "created_at", "bible"]
    readonly_fields = ["scene", "version", "segment", "created_by", "created_at", "bible"]

    @admin.display(description="bible")
    def bible(self, row: BibleVersion) -> str:
        return _pretty(row.content)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # every version is kept
