"""StoryForge scenes: a scene grows segment by segment, each one a rendered continuation,
and its Scene Bible (characters, setting, timeline, style) grows a version with each one.

The bible version is the scene's optimistic lock. A continuation names the version it was
written against; one conditional UPDATE checks that version and takes the scene's hold
(`Scene.take_hold`), so of many continuations racing on one version exactly one wins. The
hold is released when its job fails or is cancelled, and the version moves only when the
segment is finalised (`scenes.services.segment_finalize`).
"""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.api.ids import PublicIdField
from moderation.choices import ModerationStatus


class SceneStatus(models.TextChoices):
    """active ⇄ archived: an archived scene is read-only (no continuations)."""

    ACTIVE = "active", "Active"
    ARCHIVED = "archived", "Archived"


# What the hold column says between the conditional UPDATE and the job's creation, inside
# the same transaction (no other transaction ever sees it).
HOLD_PENDING = "pending"


class Scene(models.Model):
    """A story scene made from an idea, continued segment by segment by any user."""

    id = PublicIdField(prefix="scn")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True)
    idea = models.ForeignKey("catalog.Idea", on_delete=models.PROTECT, related_name="scenes")
    # The idea's topic, kept on the scene so that `?topicId=` filters on an index.
    topic = models.ForeignKey("catalog.Topic", on_delete=models.PROTECT, related_name="scenes")
    creator = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scenes"
    )
    initial_script = models.TextField(max_length=10000)
    status = models.CharField(
        max_length=16, choices=SceneStatus.choices, default=SceneStatus.ACTIVE
    )
    moderation_status = models.CharField(
        max_length=16, choices=ModerationStatus.choices, default=ModerationStatus.APPROVED
    )

    # The optimistic lock: the current bible version, and the job that holds the scene.
    bible_version = models.PositiveIntegerField(default=1)
    held_by_job = models.CharField(
        max_length=40, blank=True, default="", help_text="The running job that holds the scene."
    )
    held_at = models.DateTimeField(null=True, blank=True)

    # Counters of the visible segments, kept by finalisation and `scene_recount`.
    segment_count = models.PositiveIntegerField(default=0)
    total_duration = models.FloatField(default=0.0)
    contributor_count = models.PositiveIntegerField(default=0)
    thumbnail_file = models.CharField(max_length=500, blank=True)
    last_segment_at = models.DateTimeField(null=True, blank=True)
    # catalog.targets: likes change with each like, views are buffered and flushed.
    like_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveBigIntegerField(default=0)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["moderation_status", "-created_at"], name="scenes_recent"),
            models.Index(fields=["moderation_status", "-like_count"], name="scenes_popular"),
            models.Index(fields=["moderation_status", "-total_duration"], name="scenes_longest"),
            models.Index(fields=["topic", "-created_at"], name="scenes_topic"),
            models.Index(fields=["idea", "-created_at"], name="scenes_idea"),
            models.Index(fields=["creator", "-created_at"], name="scenes_creator"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_removed(self) -> bool:
        return self.moderation_status == ModerationStatus.REMOVED

    @property
    def is_held(self) -> bool:
        return bool(self.held_by_job)

    def take_hold(self, *, version: int, holder: str) -> bool:
        """Check the version and take the free hold in one conditional UPDATE.

        The UPDATE matches only while the scene is at `version` and nobody holds it; on
        PostgreSQL concurrent UPDATEs of the row wait for the first to commit and then find
        the hold taken, so exactly one of them matches.
        """
        now = timezone.now()
        taken = Scene.objects.filter(pk=self.pk, bible_version=version, held_by_job="").update(
            held_by_job=holder, held_at=now, updated_at=now
        )
        if taken:
            self.held_by_job, self.held_at = holder, now
        return bool(taken)

    def pass_hold(self, *, source: str, holder: str) -> bool:
        """Hand the hold from `source` (the placeholder) to `holder` (the job's id)."""
        moved = Scene.objects.filter(pk=self.pk, held_by_job=source).update(held_by_job=holder)
        if moved:
            self.held_by_job = holder
        return bool(moved)


class Segment(models.Model):
    """One rendered part of a scene: a user's text, its shots, its video and the bible version
    it produced."""

    id = PublicIdField(prefix="seg")
    scene = models.ForeignKey(Scene, on_delete=models.CASCADE, related_name="segments")
    sequence = models.PositiveIntegerField()
    contributor = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="segments"
    )
    job_id = models.CharField(max_length=40, blank=True, db_index=True)
    text = models.TextField(max_length=10000)
    shots = models.JSONField(default=list, blank=True)
    continuity_warnings = models.JSONField(default=list, blank=True)
    bible_version = models.PositiveIntegerField(help_text="The bible version after this segment.")
    duration = models.FloatField(default=0.0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    video_file = models.CharField(max_length=500, blank=True)
    hls_file = models.CharField(max_length=500, blank=True)
    thumbnail_file = models.CharField(max_length=500, blank=True)
    poster_file = models.CharField(max_length=500, blank=True)
    moderation_status = models.CharField(
        max_length=16, choices=ModerationStatus.choices, default=ModerationStatus.APPROVED
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scene", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["scene", "sequence"], name="scenes_segment_sequence"),
        ]
        indexes = [
            models.Index(fields=["contributor", "moderation_status"], name="scenes_seg_contrib"),
        ]

    def __str__(self) -> str:
        return f"{self.scene_id} #{self.sequence}"

    @property
    def is_removed(self) -> bool:
        return self.moderation_status == ModerationStatus.REMOVED


class BibleVersion(models.Model):
    """One version of a scene's bible, kept for ever: version 1 from the initial script, then
    one per finalised continuation."""

    scene = models.ForeignKey(Scene, on_delete=models.CASCADE, related_name="bible_versions")
    version = models.PositiveIntegerField()
    content = models.JSONField(default=dict)
    segment = models.ForeignKey(
        Segment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scene", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["scene", "version"], name="scenes_bible_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="scenes_bible_version_ge_1"),
        ]

    def __str__(self) -> str:
        return f"{self.scene_id} bible v{self.version}"
