"""Request and response shapes of the scene endpoints (StoryForge section 5).

A scene is built by hand from a `.values()` row (`scene_data`; the serializer's fields still
describe the schema): model instances and DRF's per-field machinery cost more than the query
for a page of 50, and the list has a throughput goal (docs/benchmarks.md, "Scenes list").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import UserSummarySerializer
from catalog.api.serializers import one_of
from config.api.fields import StrictCharField, StrictIntegerField
from config.api.responses import iso
from config.api.serializers import StrictSerializer
from jobs.api.serializers import JobSerializer
from moderation.choices import ModerationStatus
from scenes.models import BibleVersion, Scene, SceneStatus, Segment
from scenes.selectors import LIST_FIELDS, PlaylistEntry, sign


def _when(moment: Any) -> str | None:
    return iso(moment) if moment is not None else None


class RefSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()


class TopicRefSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class IdeaRefSerializer(RefSerializer):
    prompt = serializers.CharField(required=False, help_text="In the scene's detail only.")


class SceneSerializer(serializers.Serializer):
    """A scene as lists show it."""

    id = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    idea = RefSerializer()
    topic = TopicRefSerializer()
    creator = UserSummarySerializer()
    status = serializers.SerializerMethodField()
    moderation_status = serializers.SerializerMethodField()
    bible_version = serializers.IntegerField()
    is_locked = serializers.BooleanField(
        help_text="A continuation is being processed: others are refused until it ends."
    )
    segment_count = serializers.IntegerField()
    total_duration = serializers.FloatField(help_text="Seconds.")
    contributor_count = serializers.IntegerField()
    thumbnail_url = serializers.CharField(allow_null=True)
    like_count = serializers.IntegerField()
    view_count = serializers.IntegerField()
    is_liked = serializers.BooleanField()
    last_segment_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    @extend_schema_field(one_of(SceneStatus.values, "An archived scene is read-only."))
    def get_status(self, scene: Scene) -> str:
        return scene.status

    @extend_schema_field(one_of(ModerationStatus.values, "Removed: moderators only."))
    def get_moderation_status(self, scene: Scene) -> str:
        return scene.moderation_status

    def to_representation(self, scene: Scene) -> dict[str, Any]:
        return scene_data(scene_values(scene), self.context.get("request"))


def scene_values(scene: Scene) -> dict[str, Any]:
    """A scene instance as the row `.values(*LIST_FIELDS, "is_liked")` reads."""
    row: dict[str, Any] = {}
    for name in LIST_FIELDS:
        value: Any = scene
        for part in name.split("__"):
            value = getattr(value, "pk" if part == "id" else part)
        row[name] = value
    row["is_liked"] = getattr(scene, "is_liked", False)
    return row


def scene_data(row: Mapping[str, Any], request: HttpRequest | None = None) -> dict[str, Any]:
    """A scene as every endpoint shows it, from a `.values()` row, with camelCase keys
    already (the list's response is `camelized`: config.api.renderers does not walk it again)."""
    return {
        "id": row["id"],
        "title": row["title"],
        "description": row["description"],
        "idea": {"id": row["idea__id"], "title": row["idea__title"]},
        "topic": {"id": row["topic__id"], "name": row["topic__name"]},
        "creator": {
            "id": row["creator__id"],
            "username": row["creator__username"],
            "displayName": row["creator__display_name"],
            "avatarUrl": row["creator__avatar_url"] or None,
        },
        "status": row["status"],
        "moderationStatus": row["moderation_status"],
        "bibleVersion": row["bible_version"],
        "isLocked": bool(row["held_by_job"]),
        "segmentCount": row["segment_count"],
        "totalDuration": row["total_duration"],
        "contributorCount": row["contributor_count"],
        "thumbnailUrl": sign(row["thumbnail_file"], request),
        "likeCount": row["like_count"],
        "viewCount": row["view_count"],
        "isLiked": bool(row.get("is_liked", False)),
        "lastSegmentAt": _when(row["last_segment_at"]),
        "createdAt": _when(row["created_at"]),
    }


class SegmentSerializer(serializers.ModelSerializer):
    """A segment in the scene's detail."""

    contributor = UserSummarySerializer()
    thumbnail_url = serializers.SerializerMethodField()
    hls_url = serializers.SerializerMethodField()
    continuity_warnings = serializers.JSONField()
    moderation_status = serializers.SerializerMethodField()

    class Meta:
        model = Segment
        fields = [
            "id",
            "sequence",
            "thumbnail_url",
            "hls_url",
            "duration",
            "bible_version",
            "contributor",
            "continuity_warnings",
            "moderation_status",
            "created_at",
        ]

    def get_thumbnail_url(self, segment: Segment) -> str | None:
        return sign(segment.thumbnail_file, self.context.get("request"))

    def get_hls_url(self, segment: Segment) -> str | None:
        return sign(segment.hls_file, self.context.get("request"))

    @extend_schema_field(one_of(ModerationStatus.values, "Removed: moderators only."))
    def get_moderation_status(self, segment: Segment) -> str:
        return segment.moderation_status


class SceneDetailSerializer(SceneSerializer):
    """A scene with its idea's prompt and (unless `includeSegments=false`) its segments."""

    idea = IdeaRefSerializer()
    segments = SegmentSerializer(many=True, required=False)

    def to_representation(self, scene: Scene) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(scene)
        data["idea"]["prompt"] = scene.idea.prompt
        segments = self.context.get("segments")
        if segments is not None:
            data["segments"] = SegmentSerializer(segments, many=True, context=self.context).data
        return data


class SceneCreatedSerializer(serializers.Serializer):
    """What `POST /scenes` answers: the scene (at bible version 1) and the job making
    segment 1."""

    scene = SceneDetailSerializer()
    job = JobSerializer()


class ContinuationAcceptedSerializer(serializers.Serializer):
    job = JobSerializer()
    scene_id = serializers.CharField()
    bible_version = serializers.IntegerField()


class PlaylistSegmentSerializer(serializers.Serializer):
    id = serializers.CharField()
    sequence = serializers.IntegerField()
    duration = serializers.FloatField()
    hls_url = serializers.CharField()
    thumbnail_url = serializers.CharField(allow_null=True)
    start_time = serializers.FloatField()

    def to_representation(self, entry: PlaylistEntry) -> dict[str, Any]:
        segment = entry.segment
        return {
            "id": segment.pk,
            "sequence": segment.sequence,
            "duration": segment.duration,
            "hls_url": sign(segment.hls_file, self.context.get("request")),
            "thumbnail_url": sign(segment.thumbnail_file, self.context.get("request")),
            "start_time": entry.start_time,
        }


class PlaylistSerializer(serializers.Serializer):
    scene_id = serializers.CharField()
    title = serializers.CharField()
    total_duration = serializers.FloatField()
    segments = PlaylistSegmentSerializer(many=True)


class BibleSerializer(serializers.Serializer):
    """One version of the bible: the analysis's document, with the scene, version and time."""

    scene_id = serializers.CharField()
    version = serializers.IntegerField()
    characters = serializers.JSONField()
    setting = serializers.JSONField()
    timeline = serializers.JSONField()
    plot_threads = serializers.JSONField()
    style_guide = serializers.JSONField()
    segment_id = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField()

    def to_representation(self, row: BibleVersion) -> dict[str, Any]:
        return {
            "scene_id": row.scene_id,
            "version": row.version,
            **row.content,
            "segment_id": row.segment_id,
            "updated_at": _when(row.created_at),
        }


class BibleVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    segment_id = serializers.CharField(allow_null=True)
    created_by = serializers.DictField(allow_null=True)
    created_at = serializers.DateTimeField()

    def to_representation(self, row: BibleVersion) -> dict[str, Any]:
        author = row.created_by
        return {
            "version": row.version,
            "segment_id": row.segment_id,
            "created_by": {"id": author.pk, "username": author.username} if author else None,
            "created_at": _when(row.created_at),
        }


class SceneLikeStateSerializer(serializers.Serializer):
    scene_id = serializers.CharField()
    is_liked = serializers.BooleanField()
    like_count = serializers.IntegerField()


# --- input ---------------------------------------------------------------------------------


def _text_field(**kwargs: Any) -> StrictCharField:
    return StrictCharField(max_length=settings.SCENE_MAX_TEXT_CHARS, **kwargs)


class SceneCreateSerializer(StrictSerializer):
    idea_id = StrictCharField(max_length=40)
    title = StrictCharField(max_length=200)
    initial_script = _text_field()
    description = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")


class SceneContinueSerializer(StrictSerializer):
    continuation_text = _text_field()
    bible_version = StrictIntegerField(min_value=1)
