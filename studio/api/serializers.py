"""Request and response shapes of the AI, generation, template, clip and film endpoints."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import StrictCharField, StrictChoiceField
from config.api.serializers import StrictSerializer
from config.files import absolute_url, signed_url
from studio.models import Clip, Template


def _url(name: str) -> str | None:
    return signed_url(name)[0] if name else None


class ClipSerializer(serializers.ModelSerializer):
    """A finished video, with signed, expiring URLs of its files."""

    resolution = serializers.CharField(read_only=True)
    format = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()
    hls_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    job_id = serializers.CharField(allow_null=True, read_only=True)
    project_id = serializers.CharField(allow_null=True, read_only=True)
    template_id = serializers.CharField(allow_null=True, read_only=True)

    class Meta:
        model = Clip
        fields = [
            "id",
            "title",
            "prompt",
            "duration",
            "file_url",
            "hls_url",
            "thumbnail_url",
            "poster_url",
            "file_size",
            "resolution",
            "width",
            "height",
            "fps",
            "format",
            "job_id",
            "project_id",
            "template_id",
            "manifest",
            "created_at",
        ]

    def get_format(self, clip: Clip) -> str:
        return "mp4"

    @extend_schema_field(serializers.URLField())
    def get_file_url(self, clip: Clip) -> str | None:
        return _url(clip.video_file)

    @extend_schema_field(serializers.URLField())
    def get_hls_url(self, clip: Clip) -> str | None:
        return _url(clip.hls_playlist)

    @extend_schema_field(serializers.URLField())
    def get_thumbnail_url(self, clip: Clip) -> str | None:
        return _url(clip.thumbnail_file)

    @extend_schema_field(serializers.URLField())
    def get_poster_url(self, clip: Clip) -> str | None:
        return _url(clip.poster_file)


class TemplateSerializer(serializers.ModelSerializer):
    """A template as the AI Video System lists it, with what may be customised."""

    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Template
        fields = [
            "id",
            "name",
            "description",
            "category",
            "thumbnail_url",
            "is_public",
            "usage_count",
            "customizations",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.URLField())
    def get_thumbnail_url(self, template: Template) -> str:
        from django.urls import reverse

        return absolute_url(reverse("template-thumbnail", args=[template.pk]))


class ModelSerializer(serializers.Serializer):
    """A model of the registry, as StoryCore's GET /ai/models shows it."""

    id = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()
    description = serializers.CharField()
    version = serializers.CharField()
    backend = serializers.CharField()
    # `source` is a Field attribute of its own, so it is declared in get_fields.
    parameters = serializers.DictField()
    capabilities = serializers.ListField(child=serializers.CharField())
    performance = serializers.DictField()
    tasks = serializers.ListField(child=serializers.CharField())
    status = serializers.SerializerMethodField()
    created_at = serializers.CharField(help_text="ISO 8601: when the entry was added.")
    updated_at = serializers.CharField(help_text="ISO 8601: when the entry last changed.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["source"] = serializers.SerializerMethodField(method_name="get_model_source")
        return fields

    def get_model_source(self, spec: Any) -> str:
        return str(spec.source())

    def get_status(self, spec: Any) -> str:
        return str(spec.status())


# --- requests ------------------------------------------------------------------------------


class GenerationRequestSerializer(StrictSerializer):
    """POST /ai/text and /ai/image: a prompt, a model and its parameters (checked later)."""

    prompt = StrictCharField(allow_blank=True, trim_whitespace=False)
    model = StrictCharField(required=False, allow_blank=True)
    parameters = serializers.JSONField(required=False)
    project_id = StrictCharField(required=False)

    def get_fields(self) -> dict[str, serializers.Field]:
        # `context` is also the serializer's own attribute: declared here, not on the class.
        fields = super().get_fields()
        fields["context"] = serializers.JSONField(required=False)
        return fields


class ProcessingRequestSerializer(StrictSerializer):
    """POST /ai/video and /ai/audio: one of the caller's files and the operations to run."""

    input_path = StrictCharField()
    output_path = StrictCharField(required=False, allow_blank=True)
    model = StrictCharField(required=False, allow_blank=True)
    parameters = serializers.JSONField(required=False)
    operations = serializers.JSONField(required=False)
    project_id = StrictCharField(required=False)


class VideoGenerateSerializer(StrictSerializer):
    """POST /generate/video: the AI Video System's prompt and parameters."""

    project_id = StrictCharField(required=False)
    prompt = StrictCharField(allow_blank=True, trim_whitespace=False)
    title = StrictCharField(required=False, max_length=200)
    model = StrictCharField(required=False, allow_blank=True)
    parameters = serializers.JSONField(required=False)


class TemplateUseSerializer(StrictSerializer):
    """POST /templates/:id/use: a project and the customisations."""

    project_id = StrictCharField(required=False)
    customizations = serializers.JSONField(required=False)
    title = StrictCharField(required=False, max_length=200)


class FilmJobSerializer(StrictSerializer):
    """POST /jobs: the film job API's script and config."""

    project_id = StrictCharField(required=False)
    script = StrictCharField(allow_blank=True, trim_whitespace=False)
    config = serializers.JSONField(required=False)
    title = StrictCharField(required=False, max_length=200)
    model = StrictCharField(required=False, allow_blank=True)


class OptimizeSerializer(StrictSerializer):
    """POST /ai/models/:id/optimize."""

    task = StrictCharField()
    parameters = serializers.JSONField(required=False)
    optimization_level = StrictChoiceField(
        choices=["speed", "balanced", "quality"], required=False, default="balanced"
    )
