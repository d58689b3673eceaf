"""Assets in the admin: a list with small previews, and each asset's file, palette and
analysis on its page. Files change only through the API (uploads are checked there), so the
admin edits words and moderators remove through the moderation console."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from assets.choices import AssetKind
from assets.models import Asset
from assets.moderation import preview
from config.files import signed_url


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ("thumb", "id", "name", "kind", "size", "status", "owner", "project",
                    "created_at", "removed_at")  # fmt: skip
    list_filter = ("kind", "status", "created_at")
    search_fields = ("id", "name", "filename", "description", "owner__email")
    raw_id_fields = ("owner", "project")
    fields = ("content", "id", "name", "filename", "description", "tags", "media_type", "kind",
              "mime_type", "size", "checksum", "owner", "project", "status", "status_reason",
              "technical", "analysis", "metadata", "embedding_status", "embedding_model",
              "embedded_at", "analysis_job_id", "version", "created_at", "updated_at",
              "removed_at")  # fmt: skip
    readonly_fields = ("content", "id", "filename", "kind", "mime_type", "size", "checksum",
                       "owner", "status", "status_reason", "technical", "analysis",
                       "embedding_status", "embedding_model", "embedded_at", "analysis_job_id",
                       "version", "created_at", "updated_at", "removed_at")  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # uploads go through the API's checks

    @admin.display(description="Preview")
    def thumb(self, asset: Asset) -> str:
        name = asset.thumbnail or (asset.file if asset.kind == AssetKind.IMAGE else "")
        if not name:
            return format_html("<span>{}</span>", asset.kind)
        return format_html(
            '<img src="{}" alt="" style="max-width:80px;max-height:60px">', signed_url(name)[0]
        )

    @admin.display(description="Content")
    def content(self, asset: Asset) -> Any:
        return preview(asset)
