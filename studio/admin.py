"""Clips, templates and tuned model defaults in the admin."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from config.files import signed_url
from studio.models import Clip, ModelTuning, Template


@admin.register(Clip)
class ClipAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "owner", "project", "duration", "resolution", "created_at")
    list_filter = ("created_at",)
    search_fields = ("id", "title", "prompt", "owner__email")
    raw_id_fields = ("owner", "project", "job", "template")
    readonly_fields = ("player", "manifest", "created_at")

    @admin.display(description="Video")
    def player(self, clip: Clip) -> str:
        if not clip.video_file:
            return "-"
        return format_html(
            '<video src="{}" poster="{}" controls preload="none" style="max-width:480px"></video>',
            signed_url(clip.video_file)[0],
            signed_url(clip.poster_file)[0] if clip.poster_file else "",
        )


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "is_public", "usage_count", "updated_at")
    list_filter = ("category", "is_public")
    search_fields = ("name", "description", "slug")
    readonly_fields = ("usage_count", "created_at", "updated_at")


@admin.register(ModelTuning)
class ModelTuningAdmin(admin.ModelAdmin):
    list_display = ("model_id", "task", "optimization_level", "owner", "updated_at")
    list_filter = ("model_id", "task", "optimization_level")
    raw_id_fields = ("owner",)
