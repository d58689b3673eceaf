"""What generation makes and offers: clips (finished videos), templates, tuned model defaults."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models
from django.utils import timezone

from config.api.ids import PublicIdField


class Clip(models.Model):
    """A finished video: MP4, HLS stream, thumbnail and poster in storage, and how it was made."""

    id = PublicIdField(prefix="clp")
    owner = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clips"
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clips",
    )
    job = models.OneToOneField(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="clip"
    )
    template = models.ForeignKey(
        "studio.Template", on_delete=models.SET_NULL, null=True, blank=True, related_name="clips"
    )
    title = models.CharField(max_length=200)
    prompt = models.TextField(blank=True)
    duration = models.FloatField()  # seconds, read back from the file
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    fps = models.FloatField()
    file_size = models.BigIntegerField()  # bytes of the MP4
    video_file = models.CharField(max_length=500)  # storage names
    hls_playlist = models.CharField(max_length=500)
    thumbnail_file = models.CharField(max_length=500)
    poster_file = models.CharField(max_length=500)
    manifest = models.JSONField(default=dict, blank=True)  # seed, model, versions, device
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set when a moderator removes the clip (moderation's remove_content): it is then hidden
    # from its owner and project, until restored.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.pk})"

    @property
    def resolution(self) -> str:
        return f"{self.width}x{self.height}"


class Template(models.Model):
    """A ready-made video recipe: a render request with fields a user may customise."""

    id = PublicIdField(prefix="tpl")
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=40, db_index=True)
    is_public = models.BooleanField(default=True)
    owner = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="templates",
    )
    # A RenderRequest as JSON whose texts may hold `{field}` placeholders ...
    render_request = models.JSONField()
    # ... and the customisable fields with their defaults, e.g. {"text": "…", "color": "#…"}.
    customizations = models.JSONField(default=dict, blank=True)
    usage_count = models.PositiveIntegerField(default=0)
    thumbnail_file = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-usage_count", "name"]

    def __str__(self) -> str:
        return self.name


class ModelTuning(models.Model):
    """A user's tuned defaults for one model and task, with what the probe measured."""

    owner = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="model_tunings"
    )
    model_id = models.CharField(max_length=60)
    task = models.CharField(max_length=60)
    optimization_level = models.CharField(max_length=20)
    parameters = models.JSONField(default=dict)
    result = models.JSONField(default=dict)  # measured: baseline and tuned time, memory
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "model_id", "task"], name="one_tuning_per_model_task"
            )
        ]

    def __str__(self) -> str:
        return f"{self.model_id} / {self.task} ({self.optimization_level})"
