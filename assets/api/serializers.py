"""The assets as both documents read them, and the input of their endpoints.

StoryCore reads an asset as `{id, name, type, size, duration, metadata, projectId, ...}`; the
AI Movie Platform reads the same row as media: `{id, filename, displayName, mediaType,
mimeType, technicalData, aiAnalysis, embedding, ...}`.
"""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assets import selectors
from assets.choices import AssetKind, AssetStatus, EmbeddingStatus
from assets.models import Asset
from config.api.fields import (
    StrictCharField,
    StrictChoiceField,
    StrictFloatField,
    StrictIntegerField,
)
from config.api.responses import iso
from config.api.serializers import StrictSerializer
from config.files import signed_url
from projects.models import Project

MEDIA_TYPE_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,49}$"
MAX_TAGS = 30
MAX_TAG = 50


def size_formatted(size: int) -> str:
    """`1.0 MB` (binary multiples, as the AI Movie Platform's example shows)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.1f} {unit}" if unit != "B" else f"{int(value)} B"
        value /= 1024
    return f"{value:.1f} TB"


def _url(name: str) -> str | None:
    return signed_url(name)[0] if name else None


def thumbnail_url(asset: Asset) -> str | None:
    """The preview image: the thumbnail or waveform the analysis made, or an image itself."""
    return _url(asset.thumbnail or (asset.file if asset.kind == AssetKind.IMAGE else ""))


# StoryCore's `metadata`: the measured values it names, then the client's own on top of them.
_METADATA_KEYS = {
    "resolution": "resolution",
    "frameRate": "frameRate",
    "codec": "codec",
    "duration": "duration",
    "bitrate": "bitrate",
    "dimensions": "dimensions",
    "colorPalette": "colorPalette",
    "pages": "pages",
    "wordCount": "wordCount",
}


def asset_metadata(asset: Asset) -> dict[str, Any]:
    measured = {
        name: asset.technical[key]
        for key, name in _METADATA_KEYS.items()
        if asset.technical.get(key) is not None
    }
    return {**measured, "tags": asset.tags, **asset.metadata}


class AssetSerializer(serializers.ModelSerializer):
    """StoryCore's asset."""

    type = serializers.CharField(source="kind", help_text="image, video, audio or document")
    duration = serializers.SerializerMethodField()
    metadata = serializers.SerializerMethodField()
    project_id = serializers.CharField(allow_null=True)
    project_name = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = [
            "id",
            "name",
            "filename",
            "type",
            "mime_type",
            "size",
            "duration",
            "metadata",
            "status",
            "project_id",
            "project_name",
            "download_url",
            "thumbnail_url",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_duration(self, asset: Asset) -> float | None:
        return asset.technical.get("duration")

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_metadata(self, asset: Asset) -> dict[str, Any]:
        return asset_metadata(asset)

    def get_project_name(self, asset: Asset) -> str | None:
        return asset.project.title if asset.project_id and asset.project else None

    def get_download_url(self, asset: Asset) -> str | None:
        return _url(asset.file)

    def get_thumbnail_url(self, asset: Asset) -> str | None:
        return thumbnail_url(asset)


class AssetSearchResultSerializer(AssetSerializer):
    relevance_score = serializers.SerializerMethodField()

    class Meta(AssetSerializer.Meta):
        fields = [*AssetSerializer.Meta.fields, "relevance_score"]

    def get_relevance_score(self, asset: Asset) -> float:
        return round(self.context["scores"][asset.pk], 4)


class MediaSerializer(serializers.ModelSerializer):
    """The AI Movie Platform's media item in a list."""

    display_name = serializers.CharField(source="name")
    size_formatted = serializers.SerializerMethodField()
    project_id = serializers.CharField(allow_null=True)
    ai_generated = serializers.SerializerMethodField()
    uploaded_at = serializers.DateTimeField(source="created_at")
    metadata = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = [
            "id",
            "filename",
            "display_name",
            "media_type",
            "mime_type",
            "size",
            "size_formatted",
            "project_id",
            "status",
            "description",
            "tags",
            "ai_generated",
            "uploaded_at",
            "metadata",
            "thumbnail_url",
        ]

    def get_size_formatted(self, asset: Asset) -> str:
        return size_formatted(asset.size)

    def get_ai_generated(self, asset: Asset) -> bool:
        return False  # uploads are the users' own files; generated media are jobs' outputs

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_metadata(self, asset: Asset) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": asset.kind,
            "embedding": {"status": asset.embedding_status},
        }
        for key in ("dimensions", "colorPalette", "duration", "resolution"):
            if asset.technical.get(key) is not None:
                data[key] = asset.technical[key]
        return data

    def get_thumbnail_url(self, asset: Asset) -> str | None:
        return thumbnail_url(asset)


class MediaDetailSerializer(MediaSerializer):
    """One media item with its technical data, analysis, embedding and signed links."""

    agent_generated = serializers.SerializerMethodField()
    status_reason = serializers.CharField()
    technical_data = serializers.SerializerMethodField()
    ai_analysis = serializers.SerializerMethodField()
    embedding = serializers.SerializerMethodField()
    usage = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    expires_at = serializers.SerializerMethodField()

    class Meta(MediaSerializer.Meta):
        fields = [
            *MediaSerializer.Meta.fields,
            "agent_generated",
            "status_reason",
            "technical_data",
            "ai_analysis",
            "embedding",
            "usage",
            "download_url",
            "expires_at",
            "version",
            "updated_at",
        ]

    def get_agent_generated(self, asset: Asset) -> bool:
        return False

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_technical_data(self, asset: Asset) -> dict[str, Any]:
        technical = {k: v for k, v in asset.technical.items() if k not in ("upload", "palette")}
        return {"mime_type": asset.mime_type, "size": asset.size, "checksum": asset.checksum,
                **technical}  # fmt: skip

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_ai_analysis(self, asset: Asset) -> dict[str, Any]:
        status = {
            AssetStatus.ANALYZING: "analyzing",
            AssetStatus.FAILED: "failed",
        }.get(asset.status, "complete")  # type: ignore[call-overload]
        return {
            "status": status,
            **asset.analysis,
            "palette": asset.technical.get("palette", []),
        }

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_embedding(self, asset: Asset) -> dict[str, Any]:
        return {
            "status": asset.embedding_status,
            "model": asset.embedding_model or None,
            "dimensions": 384 if asset.embedding_status == EmbeddingStatus.COMPLETE else None,
            "generated_at": iso(asset.embedded_at) if asset.embedded_at else None,
        }

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_usage(self, asset: Asset) -> dict[str, Any]:
        # What references the asset (chat sessions, messages) belongs to the chat app, which
        # does not exist yet: nothing references an asset until it does.
        return {"referenced_in_sessions": [], "referenced_in_messages": 0, "last_referenced": None}

    def get_download_url(self, asset: Asset) -> str | None:
        return _url(asset.file)

    def get_expires_at(self, asset: Asset) -> str | None:
        return iso(signed_url(asset.file)[1]) if asset.file else None


class MediaSearchItemSerializer(serializers.ModelSerializer):
    media_type = serializers.CharField()
    thumbnail_url = serializers.SerializerMethodField()
    type = serializers.CharField(source="kind")

    class Meta:
        model = Asset
        fields = ["id", "filename", "name", "type", "media_type", "description", "tags",
                  "project_id", "thumbnail_url"]  # fmt: skip

    def get_thumbnail_url(self, asset: Asset) -> str | None:
        return thumbnail_url(asset)


class ProjectAssetItemSerializer(serializers.ModelSerializer):
    """One line of a project detail's `assets` / `media` list (both documents' fields)."""

    type = serializers.CharField(source="kind")
    duration = serializers.SerializerMethodField()
    uploaded_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Asset
        fields = ["id", "name", "filename", "type", "media_type", "mime_type", "size",
                  "duration", "status", "created_at", "uploaded_at"]  # fmt: skip

    def get_duration(self, asset: Asset) -> float | None:
        return asset.technical.get("duration")


def project_asset_items(project: Project) -> list[dict[str, Any]]:
    """projects.counts' `assets` list of a project's detail."""
    return list(
        ProjectAssetItemSerializer(selectors.project_assets(project=project), many=True).data
    )


# --- input --------------------------------------------------------------------------------


class JsonStringField(serializers.Field):
    """A JSON value sent as a string in a multipart form (or as JSON itself in a JSON body)."""

    def __init__(self, *, expect: type, **kwargs: Any) -> None:
        self.expect = expect
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else self.expect()
            except ValueError:
                raise serializers.ValidationError("Must be valid JSON.") from None
        if not isinstance(data, self.expect):
            raise serializers.ValidationError(f"Must be a JSON {self.expect.__name__}.")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class TagsField(JsonStringField):
    """`tags`: a JSON array of strings (a string in a form), or comma-separated words."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(expect=list, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and data.strip() and not data.strip().startswith("["):
            data = [part for part in data.split(",")]
        tags = super().to_internal_value(data)
        clean: list[str] = []
        for tag in tags:
            if not isinstance(tag, str) or not tag.strip() or len(tag.strip()) > MAX_TAG:
                raise serializers.ValidationError(
                    f"Each tag is a string of 1 to {MAX_TAG} characters."
                )
            if tag.strip().lower() not in clean:
                clean.append(tag.strip().lower())
        if len(clean) > MAX_TAGS:
            raise serializers.ValidationError(f"At most {MAX_TAGS} tags.")
        return clean


@extend_schema_field({"type": "object", "additionalProperties": True})
class MetadataField(JsonStringField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(expect=dict, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if len(json.dumps(value)) > 10_000:
            raise serializers.ValidationError("At most 10,000 characters of JSON.")
        return value


class AssetUploadSerializer(StrictSerializer):
    """POST /assets/upload and POST /projects/:id/assets (StoryCore): one `file`."""

    file = serializers.FileField(allow_empty_file=True)
    name = StrictCharField(required=False, max_length=255)
    type = StrictChoiceField(choices=AssetKind.choices, required=False)
    project_id = StrictCharField(required=False, max_length=40)
    media_type = serializers.RegexField(MEDIA_TYPE_PATTERN, required=False)
    description = StrictCharField(required=False, allow_blank=True, max_length=5000)
    tags = TagsField(required=False)
    metadata = MetadataField(required=False)


class MediaUploadSerializer(StrictSerializer):
    """POST /media/upload (AI Movie Platform): one or more `files`."""

    files = serializers.ListField(child=serializers.FileField(allow_empty_file=True))
    project_id = StrictCharField(required=False, max_length=40)
    media_type = serializers.RegexField(MEDIA_TYPE_PATTERN, required=False)
    description = StrictCharField(required=False, allow_blank=True, max_length=5000)
    tags = TagsField(required=False)


class AssetUpdateSerializer(StrictSerializer):
    """PUT /assets/:id: the name, the words it is found by, metadata (merged)."""

    field_aliases = {"display_name": "name"}

    name = StrictCharField(required=False, max_length=255)
    media_type = serializers.RegexField(MEDIA_TYPE_PATTERN, required=False)
    description = StrictCharField(required=False, allow_blank=True, max_length=5000)
    tags = TagsField(required=False)
    metadata = MetadataField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # StoryCore puts tags inside metadata; they are the asset's tags either way.
        metadata = attrs.get("metadata")
        if metadata and "tags" in metadata:
            attrs["tags"] = TagsField().to_internal_value(metadata.pop("tags"))
        if not attrs:
            raise serializers.ValidationError("Give at least one field to change.")
        return attrs


class MediaSearchSerializer(StrictSerializer):
    """POST /media/search."""

    query = StrictCharField(max_length=1000)
    project_id = StrictCharField(required=False, max_length=40)
    media_types = serializers.ListField(
        child=serializers.RegexField(MEDIA_TYPE_PATTERN), required=False, max_length=20
    )
    types = serializers.ListField(
        child=StrictChoiceField(choices=AssetKind.choices), required=False, max_length=4
    )
    limit = StrictIntegerField(required=False, min_value=1, max_value=100, default=10)
    threshold = StrictFloatField(required=False, min_value=0.0, max_value=1.0, default=0.2)


class MediaSearchResultSerializer(serializers.Serializer):
    media = MediaSearchItemSerializer()
    similarity = serializers.FloatField()
    matching_elements = serializers.ListField(child=serializers.CharField())


class QueryEmbeddingSerializer(serializers.Serializer):
    model = serializers.CharField()
    processing_time = serializers.FloatField(help_text="Milliseconds, query embedding included.")


class MediaSearchResponseSerializer(serializers.Serializer):
    results = MediaSearchResultSerializer(many=True)
    total = serializers.IntegerField()
    query_embedding = QueryEmbeddingSerializer()


class UploadedItemSerializer(serializers.Serializer):
    media_id = serializers.CharField()
    id = serializers.CharField()
    filename = serializers.CharField()
    size = serializers.IntegerField()
    mime_type = serializers.CharField()
    media_type = serializers.CharField()
    type = serializers.CharField()
    status = serializers.CharField()
    ai_analysis = serializers.DictField()
    embedding = serializers.DictField()


class RejectedItemSerializer(serializers.Serializer):
    filename = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.JSONField(required=False)


class MediaUploadResponseSerializer(serializers.Serializer):
    uploads = UploadedItemSerializer(many=True)
    rejected = RejectedItemSerializer(many=True)


class DeleteResultSerializer(serializers.Serializer):
    id = serializers.CharField()
    message = serializers.CharField()
    storage_freed = serializers.IntegerField()
