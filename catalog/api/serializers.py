"""Request and response shapes of the catalog endpoints (StoryForge sections 3 and 4)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import UserSummarySerializer
from catalog.models import Category, Idea, Topic, TopicStatus
from catalog.services import MAX_TAGS
from config.api.fields import BlankAsNullCharField, StrictCharField
from config.api.serializers import StrictSerializer
from moderation.choices import ModerationStatus


def one_of(values: list[str], description: str) -> dict[str, Any]:
    """A string schema that names its values in words (enums would clash by field name)."""
    return {"type": "string", "description": f"{description} One of: {', '.join(values)}."}


# --- output --------------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    topic_id = serializers.CharField(read_only=True)

    class Meta:
        model = Category
        fields = ["id", "topic_id", "name", "slug", "description"]


class TopicSerializer(serializers.ModelSerializer):
    """A topic in the list: `sceneCount` counts its scenes, `ideaCount` its public ideas."""

    icon_url = BlankAsNullCharField(read_only=True)
    scene_count = serializers.SerializerMethodField()
    idea_count = serializers.IntegerField(read_only=True, default=0)
    status = serializers.SerializerMethodField()
    moderation_status = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "icon_url",
            "scene_count",
            "idea_count",
            "is_curated",
            "status",
            "moderation_status",
            "created_at",
        ]

    def get_scene_count(self, topic: Topic) -> int:
        return self.context.get("scene_counts", {}).get(topic.pk, 0)

    @extend_schema_field(one_of(TopicStatus.values, "Only approved topics are public."))
    def get_status(self, topic: Topic) -> str:
        return topic.status

    @extend_schema_field(one_of(ModerationStatus.values, "The review of a suggestion."))
    def get_moderation_status(self, topic: Topic) -> str:
        return topic.moderation_status


class TopicDetailSerializer(TopicSerializer):
    categories = CategorySerializer(many=True, read_only=True)

    class Meta(TopicSerializer.Meta):
        fields = [*TopicSerializer.Meta.fields, "categories"]


class TopicSuggestionSerializer(TopicSerializer):
    """What `POST /topics` answers: the suggestion, and what happens to it (`message`)."""

    message = serializers.SerializerMethodField()

    class Meta(TopicSerializer.Meta):
        fields = [*TopicSerializer.Meta.fields, "message"]

    def get_message(self, topic: Topic) -> str:
        if topic.status == TopicStatus.REJECTED:
            return "Your topic suggestion was not accepted"
        return "Your topic suggestion is under review"


class NamedSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    slug = serializers.CharField()


class IdeaSerializer(serializers.ModelSerializer):
    """An idea in a list. `isLiked` says whether the caller likes it (false when signed out);
    `moderationStatus` is `approved` for everyone else's ideas."""

    topic = NamedSerializer(read_only=True)
    category = NamedSerializer(read_only=True, allow_null=True)
    author = UserSummarySerializer(read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    scene_count = serializers.SerializerMethodField()
    is_liked = serializers.BooleanField(read_only=True, default=False)
    moderation_status = serializers.SerializerMethodField()

    class Meta:
        model = Idea
        fields = [
            "id",
            "title",
            "prompt",
            "topic",
            "category",
            "author",
            "tags",
            "scene_count",
            "like_count",
            "view_count",
            "is_liked",
            "moderation_status",
            "created_at",
            "updated_at",
        ]

    def get_scene_count(self, idea: Idea) -> int:
        return self.context.get("scene_counts", {}).get(idea.pk, 0)

    @extend_schema_field(one_of(ModerationStatus.values, "Only approved ideas are public."))
    def get_moderation_status(self, idea: Idea) -> str:
        return idea.moderation_status


class IdeaDetailSerializer(IdeaSerializer):
    """One idea with its scenes (`[{id, title, segmentCount, thumbnailUrl}]`)."""

    scenes = serializers.SerializerMethodField()

    class Meta(IdeaSerializer.Meta):
        fields = [*IdeaSerializer.Meta.fields, "scenes"]

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_scenes(self, idea: Idea) -> list[dict[str, Any]]:
        return self.context.get("scenes", [])


class IdeaLikeStateSerializer(serializers.Serializer):
    idea_id = serializers.CharField()
    is_liked = serializers.BooleanField()
    like_count = serializers.IntegerField()


# --- input ---------------------------------------------------------------------------------

# What a client may send back unchanged from what it read; never applied.
TOPIC_READ_ONLY = (
    "id",
    "slug",
    "icon_url",
    "scene_count",
    "idea_count",
    "is_curated",
    "status",
    "moderation_status",
    "created_at",
    "categories",
    "message",
)
IDEA_READ_ONLY = (
    "id",
    "topic",
    "category",
    "author",
    "scene_count",
    "like_count",
    "view_count",
    "is_liked",
    "moderation_status",
    "created_at",
    "updated_at",
    "scenes",
)


def _not_blank(value: str, field: str) -> str:
    if not value.strip():
        raise serializers.ValidationError(f"{field} must not be blank.")
    return value


class TopicSuggestSerializer(StrictSerializer):
    """POST /topics: a user's suggestion of a new topic."""

    name = StrictCharField(max_length=100, help_text="Also accepted as `title`.")
    description = StrictCharField(max_length=1000, required=False, default="", allow_blank=True)
    field_aliases = {"title": "name"}
    ignored = TOPIC_READ_ONLY

    def validate_name(self, value: str) -> str:
        return _not_blank(value, "The name")


class IdeaCreateSerializer(StrictSerializer):
    """POST /ideas. `topicId` may be left out when `categoryId` is given (it implies it)."""

    title = StrictCharField(max_length=200)
    prompt = StrictCharField(max_length=5000)
    topic_id = StrictCharField(max_length=40, required=False, allow_null=True)
    category_id = StrictCharField(max_length=40, required=False, allow_null=True)
    tags = serializers.ListField(
        child=StrictCharField(max_length=30, allow_blank=False),
        required=False,
        default=list,
        max_length=MAX_TAGS,
        help_text=f"At most {MAX_TAGS}, 30 characters each; stored lower-case.",
    )
    ignored = IDEA_READ_ONLY

    def validate_title(self, value: str) -> str:
        return _not_blank(value, "The title")

    def validate_prompt(self, value: str) -> str:
        return _not_blank(value, "The prompt")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("topic_id") and not attrs.get("category_id"):
            raise serializers.ValidationError({"topic_id": ["This field is required."]})
        return attrs
