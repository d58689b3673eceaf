"""Assets: files users bring to a project (the AI Movie Platform media, StoryCore assets)."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models
from django.utils import timezone

from assets.choices import AssetKind, AssetStatus, EmbeddingStatus
from config.api.ids import PublicIdField


class Asset(models.Model):
    """One uploaded file, checked and stored, with what its analysis found and its embedding."""

    id = PublicIdField(prefix="ast")
    owner = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assets"
    )
    # The project's purge (its cleanup job) deletes the rows; its files go with the project's
    # storage prefix.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="assets"
    )
    name = models.CharField(max_length=255)  # StoryCore's name, the platform's displayName
    filename = models.CharField(max_length=255)  # the safe base name it was uploaded as
    kind = models.CharField(max_length=16, choices=AssetKind.choices, db_index=True)
    media_type = models.CharField(max_length=50, blank=True, default="")  # style_reference, ...
    mime_type = models.CharField(max_length=100)
    size = models.BigIntegerField()  # bytes stored
    checksum = models.CharField(max_length=64)  # sha256 of the stored bytes
    file = models.CharField(max_length=500)  # storage names
    thumbnail = models.CharField(max_length=500, blank=True, default="")
    description = models.TextField(max_length=5000, blank=True, default="")
    tags = models.JSONField(default=list, blank=True)
    metadata = models.JSONField(default=dict, blank=True)  # the client's own (StoryCore)
    technical = models.JSONField(default=dict, blank=True)  # what the analysis measured
    analysis = models.JSONField(default=dict, blank=True)  # description, tags, style, summary
    status = models.CharField(
        max_length=16, choices=AssetStatus.choices, default=AssetStatus.ANALYZING, db_index=True
    )
    status_reason = models.CharField(max_length=500, blank=True, default="")
    analysis_job_id = models.CharField(max_length=40, blank=True, default="")
    embedding = models.BinaryField(null=True, blank=True)  # float32 little-endian, unit length
    embedding_status = models.CharField(
        max_length=16, choices=EmbeddingStatus.choices, default=EmbeddingStatus.GENERATING
    )
    embedding_model = models.CharField(max_length=100, blank=True, default="")
    embedded_at = models.DateTimeField(null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when a moderator removes the asset: hidden from everyone but moderators until restored.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "created_at"], name="assets_owner_created"),
            models.Index(fields=["project", "created_at"], name="assets_project_created"),
            # The search index's "has anything changed" lookup (assets.search).
            models.Index(fields=["updated_at"], name="assets_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.pk})"

    @property
    def analysed(self) -> bool:
        return self.status == AssetStatus.ACTIVE
