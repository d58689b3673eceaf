"""The StoryForge catalog: topics and their categories, story ideas, likes and activity.

`Like` and `Activity` are keyed by a target type and a public id rather than a foreign key, so
that other apps (scenes) reuse them: a model registers itself as a target in `catalog.targets`
and gets likes, view counting and the trending score without a table of its own.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings as django_settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from config.api.ids import PublicIdField
from moderation.choices import ModerationStatus


class TopicStatus(models.TextChoices):
    """pending → approved | rejected; approved → rejected and rejected → approved (a moderator
    may change their mind). Curated topics are created approved; a user's suggestion starts
    pending, or rejected when screening rejects its text. Only approved topics are public."""

    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Topic(models.Model):
    """A genre that ideas and scenes belong to: curated, or suggested by a user and reviewed."""

    id = PublicIdField(prefix="top")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(max_length=1000, blank=True)
    icon_url = models.URLField(max_length=500, blank=True)
    is_curated = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=TopicStatus.choices, default=TopicStatus.PENDING, db_index=True
    )
    moderation_status = models.CharField(
        max_length=16, choices=ModerationStatus.choices, default=ModerationStatus.PENDING
    )
    # The screening's score, categories and reasons, for the moderator who reviews it.
    moderation_details = models.JSONField(default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=100, help_text="Lower comes first.")
    suggested_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggested_topics",
    )
    reviewed_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            # A rejected suggestion does not block the name for a later, better one.
            models.UniqueConstraint(
                Lower("name"), condition=~Q(status="rejected"), name="catalog_topic_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.status == TopicStatus.APPROVED

    def _review(self, status: str, *, sources: tuple[str, ...], moderator: object) -> bool:
        """Move to `status` from one of `sources` with one conditional UPDATE."""
        now = timezone.now()
        moved = Topic.objects.filter(pk=self.pk, status__in=sources).update(
            status=status,
            moderation_status=status,
            reviewed_by=moderator,
            reviewed_at=now,
            updated_at=now,
        )
        if moved:
            self.status = self.moderation_status = status
            self.reviewed_by, self.reviewed_at, self.updated_at = moderator, now, now  # type: ignore[assignment]
        return bool(moved)

    def mark_approved(self, *, moderator: object) -> bool:
        return self._review(
            TopicStatus.APPROVED,
            sources=(TopicStatus.PENDING, TopicStatus.REJECTED),
            moderator=moderator,
        )

    def mark_rejected(self, *, moderator: object) -> bool:
        return self._review(
            TopicStatus.REJECTED,
            sources=(TopicStatus.PENDING, TopicStatus.APPROVED),
            moderator=moderator,
        )


class Category(models.Model):
    """A sub-genre of one topic (Space Opera in Science Fiction); curated in the admin."""

    id = PublicIdField(prefix="cat")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120)
    description = models.TextField(max_length=1000, blank=True)
    position = models.PositiveSmallIntegerField(default=100, help_text="Lower comes first.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["topic", "slug"], name="catalog_category_slug_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.topic.name})" if self.topic_id else self.name


class Idea(models.Model):
    """A story premise a user submits, from which scenes are made; public once approved."""

    id = PublicIdField(prefix="idea")
    title = models.CharField(max_length=200)
    prompt = models.TextField(max_length=5000)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="ideas")
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas"
    )
    author = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ideas"
    )
    moderation_status = models.CharField(
        max_length=16, choices=ModerationStatus.choices, default=ModerationStatus.PENDING
    )
    moderation_details = models.JSONField(default=dict, blank=True)
    # Counters: likes change with each like (catalog.services.like_add); views are buffered
    # and added by a periodic task (catalog.services.views_flush).
    like_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["moderation_status", "-created_at"], name="catalog_idea_newest"),
            models.Index(fields=["moderation_status", "-like_count"], name="catalog_idea_popular"),
            models.Index(fields=["topic", "moderation_status"], name="catalog_idea_topic"),
            models.Index(fields=["author", "-created_at"], name="catalog_idea_author"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.moderation_status == ModerationStatus.APPROVED

    @property
    def tags(self) -> list[str]:
        """The tags in the order they were given (prefetch `tag_rows` for lists)."""
        return [row.name for row in self.tag_rows.all()]

    def set_moderation(self, status: str) -> bool:
        """Set the moderation status with one conditional UPDATE; False if it already was."""
        moved = (
            Idea.objects.filter(pk=self.pk)
            .exclude(moderation_status=status)
            .update(moderation_status=status, updated_at=timezone.now())
        )
        if moved:
            self.moderation_status = status
        return bool(moved)


class IdeaTag(models.Model):
    """One tag of an idea: a row, so that `?tags=` filters with an index on every database."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="tag_rows")
    name = models.CharField(max_length=30)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "name"], name="catalog_idea_tag_unique")
        ]
        indexes = [models.Index(fields=["name"], name="catalog_tag_name")]

    def __str__(self) -> str:
        return self.name


class Like(models.Model):
    """One user's like of one target (`idea`, or a type another app registers): at most one."""

    target_type = models.CharField(max_length=16)
    target_id = models.CharField(max_length=40)
    user = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "target_type", "target_id"], name="catalog_like_unique"
            )
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="catalog_like_target")]

    def __str__(self) -> str:
        return f"{self.user} likes {self.target_type} {self.target_id}"


def hour_of(moment: datetime) -> int:
    """The hour (since the Unix epoch) that an event falls in: `Activity.hour`."""
    return int(moment.timestamp() // 3600)


class Activity(models.Model):
    """The likes and views one target got in one hour: what the trending sort weighs.

    Hourly rows keep the decay arithmetic on integers, which every database does alike; rows
    older than the trending window are pruned by the view-flushing task.
    """

    target_type = models.CharField(max_length=16)
    target_id = models.CharField(max_length=40)
    hour = models.IntegerField(help_text="Hours since 1970-01-01T00:00Z.")
    likes = models.IntegerField(default=0)
    views = models.IntegerField(default=0)

    class Meta:
        verbose_name_plural = "activity"
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id", "hour"], name="catalog_activity_unique"
            )
        ]
        indexes = [models.Index(fields=["hour"], name="catalog_activity_hour")]

    def __str__(self) -> str:
        return f"{self.target_type} {self.target_id} @ {self.hour}: {self.likes}L {self.views}V"
