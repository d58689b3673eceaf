"""Chat sessions (one project's guided workflow) and their messages."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models
from django.utils import timezone

from chat.choices import FIRST_STEP, MessageRole, SessionStatus
from config.api.ids import PublicIdField


class ChatSession(models.Model):
    """One walk through the ten workflow steps for a project, shared by its members.

    States: active ⇄ paused (session_pause / session_resume), active → completed when
    production starts its scene and render job; each move is one conditional UPDATE.
    """

    id = PublicIdField(prefix="ses")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="chat_sessions"
    )
    user = models.ForeignKey(  # who started it
        django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_sessions"
    )
    current_step = models.CharField(max_length=32, default=FIRST_STEP)
    completed_steps = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.ACTIVE, db_index=True
    )
    # The decisions so far: concept, genre, setting, characters, plot, episodes, style, sound,
    # storyboard, mediaReferences.
    context_data = models.JSONField(default=dict, blank=True)
    scene_id = models.CharField(max_length=40, blank=True, default="")
    job_id = models.CharField(max_length=40, blank=True, default="")
    message_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_activity = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_activity"]
        indexes = [models.Index(fields=["project", "status"], name="chat_session_project")]

    def __str__(self) -> str:
        return f"{self.pk} ({self.current_step}, {self.status})"


class ChatMessage(models.Model):
    """One message: a member's words (screened first) or the assistant's answer and choices."""

    id = PublicIdField(prefix="msg")
    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="messages")
    position = models.PositiveIntegerField()  # 1, 2, 3… within the session (catch-up cursor)
    author = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(max_length=16, choices=MessageRole.choices)
    content = models.TextField(max_length=20000)
    step = models.CharField(max_length=32)
    choices = models.JSONField(default=list, blank=True)  # as offered (assistant)
    attachments = models.JSONField(default=list, blank=True)  # asset ids
    metadata = models.JSONField(default=dict, blank=True)  # processingTime, backend, screening
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="chat_message_position")
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.role}: {self.content[:40]}"
