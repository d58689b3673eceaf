"""Projects: one model for the AI Movie Platform, the film job API, StoryCore and the AI Video
System, with the people it is shared with and the invitations that share it."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings as django_settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from config.api.ids import PublicIdField
from projects.choices import CollaboratorRole, InvitationStatus, ProjectStatus


def normalize_status(word: str) -> str | None:
    """A document's status word as the canonical one, or None if it is not a status.

    Case does not matter and `_` or a space stand for `-`: the AI Video System's `DRAFT` and
    `ON_HOLD` are `draft` and `on-hold`.
    """
    canonical = word.strip().lower().replace("_", "-").replace(" ", "-")
    return canonical if canonical in ProjectStatus.values else None


# What a new project's progress shows (the AI Movie Platform's guided workflow has 15 steps).
INITIAL_PHASE = "initial"
WORKFLOW_STEPS = 15


class Project(models.Model):
    """A film, series or video that its owner (and whoever they share it with) works on."""

    id = PublicIdField(prefix="prj")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=5000, blank=True)
    status = models.CharField(
        max_length=16,
        choices=ProjectStatus.choices,
        default=ProjectStatus.CREATED,
        db_index=True,
    )
    genre = models.CharField(max_length=50, blank=True)
    episode_count = models.PositiveSmallIntegerField(default=1)
    target_audience = models.CharField(max_length=50, blank=True)
    # The AI Movie Platform's projectSettings and StoryCore's settings, one validated object
    # (projects.project_settings).
    settings = models.JSONField(default=dict, blank=True)
    template = models.CharField(max_length=100, blank=True)

    progress_percentage = models.PositiveSmallIntegerField(default=0)
    current_phase = models.CharField(max_length=64, default=INITIAL_PHASE)
    completed_steps = models.PositiveSmallIntegerField(default=0)
    total_steps = models.PositiveSmallIntegerField(default=WORKFLOW_STEPS)

    owner = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
    )

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One owner never has two live projects with the same title (any case); a deleted
            # one frees its title at once.
            models.UniqueConstraint(
                Lower("title"),
                "owner",
                condition=~Q(status="deleted"),
                name="projects_title_per_owner_unique",
            ),
            models.CheckConstraint(
                condition=Q(episode_count__gte=1, episode_count__lte=50),
                name="projects_episode_count_1_50",
            ),
            models.CheckConstraint(
                condition=Q(progress_percentage__lte=100), name="projects_progress_le_100"
            ),
        ]
        indexes = [models.Index(fields=["owner", "status"], name="projects_owner_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.status == ProjectStatus.DELETED

    def mark_deleted(self) -> bool:
        """Move to `deleted` with one conditional UPDATE; False if it already was."""
        now = timezone.now()
        moved = (
            Project.objects.filter(pk=self.pk)
            .exclude(status=ProjectStatus.DELETED)
            .update(status=ProjectStatus.DELETED, deleted_at=now, updated_at=now)
        )
        if moved:
            self.status, self.deleted_at, self.updated_at = ProjectStatus.DELETED, now, now
        return bool(moved)


class Collaborator(models.Model):
    """A user the owner shared the project with: collaborators change it, viewers read it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="collaborators")
    user = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="project_collaborations",
    )
    role = models.CharField(
        max_length=16, choices=CollaboratorRole.choices, default=CollaboratorRole.COLLABORATOR
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="projects_collaborator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.project} ({self.role})"


INVITATION_LIFETIME = timedelta(days=7)


def new_invitation_token() -> str:
    """The secret of an invitation's e-mail link."""
    return secrets.token_urlsafe(32)


def invitation_expiry() -> datetime:
    return timezone.now() + INVITATION_LIFETIME


class Invitation(models.Model):
    """An e-mailed offer to join a project as a collaborator or viewer, valid seven days."""

    id = PublicIdField(prefix="inv")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    role = models.CharField(
        max_length=16, choices=CollaboratorRole.choices, default=CollaboratorRole.COLLABORATOR
    )
    invited_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sent_project_invitations",
    )
    status = models.CharField(
        max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=invitation_expiry)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            # At most one open invitation per project and address.
            models.UniqueConstraint(
                "project",
                Lower("email"),
                condition=Q(status="pending"),
                name="projects_invitation_pending_unique",
            )
        ]
        indexes = [models.Index(Lower("email"), "status", name="projects_invitation_email")]

    def __str__(self) -> str:
        return f"{self.email} to {self.project} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.status == InvitationStatus.PENDING and self.expires_at <= timezone.now()

    @property
    def current_status(self) -> str:
        return InvitationStatus.EXPIRED if self.is_expired else self.status

    def _leave_pending(self, status: str, *, answered: bool = True) -> bool:
        """Leave `pending` for `status` with one conditional UPDATE; False if not pending."""
        responded_at = timezone.now() if answered else None
        moved = Invitation.objects.filter(pk=self.pk, status=InvitationStatus.PENDING).update(
            status=status, responded_at=responded_at
        )
        if moved:
            self.status, self.responded_at = status, responded_at
        return bool(moved)

    def mark_accepted(self) -> bool:
        return self._leave_pending(InvitationStatus.ACCEPTED)

    def mark_declined(self) -> bool:
        return self._leave_pending(InvitationStatus.DECLINED)

    def mark_revoked(self) -> bool:
        return self._leave_pending(InvitationStatus.REVOKED)

    def mark_expired(self) -> bool:
        return self._leave_pending(InvitationStatus.EXPIRED, answered=False)
