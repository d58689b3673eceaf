"""Moderation: users' reports, the actions moderators take on them, warnings, the audit log.

A report names its target loosely (a type from `moderation.targets` and a public id) so that
every app's content can be reported without moderation importing it. Every action a moderator
takes is a `ModerationAction` row (who, when, what, why) and can be reversed: the reversal is
an action of its own that points at the one it undoes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from config.api.ids import PublicIdField
from moderation.choices import ActionType, ReportReason, ReportStatus

OPEN_STATUSES = (ReportStatus.PENDING, ReportStatus.REVIEWING)


REPORT_ACTIONS = (
    ActionType.DISMISS,
    ActionType.WARN_USER,
    ActionType.REMOVE_CONTENT,
    ActionType.BAN_USER,
)
# The action that undoes each action.
REVERSAL = {
    ActionType.DISMISS: ActionType.REOPEN,
    ActionType.WARN_USER: ActionType.WITHDRAW_WARNING,
    ActionType.REMOVE_CONTENT: ActionType.RESTORE_CONTENT,
    ActionType.BAN_USER: ActionType.LIFT_BAN,
}


class Report(models.Model):
    """A user's report of one piece of content (or of a user) for moderators to review."""

    id = PublicIdField(prefix="rpt")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    target_type = models.CharField(max_length=16)
    target_id = models.CharField(max_length=40)
    # Whose content it is, when it was reported: the history shown beside each report.
    target_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports_received",
    )
    reason = models.CharField(max_length=32, choices=ReportReason.choices)
    description = models.TextField(max_length=2000, blank=True)
    status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.ForeignKey(
        "ModerationAction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        help_text="The action that resolved the report.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open report per reporter and target: reporting the same thing twice while
            # the first is open is 409 CONFLICT.
            models.UniqueConstraint(
                fields=["reporter", "target_type", "target_id"],
                condition=Q(status__in=["pending", "reviewing"]),
                name="moderation_one_open_report",
            )
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="moderation_report_queue"),
            models.Index(fields=["target_type", "target_id"], name="moderation_report_target"),
        ]
        permissions = [("act_on_report", "Can dismiss, warn, remove content and ban")]

    def __str__(self) -> str:
        return f"{self.reason}: {self.target_type} {self.target_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def action_taken(self) -> str | None:
        return self.action.action if self.action_id and self.action else None


class ModerationAction(models.Model):
    """The audit log: one moderator's action on one target, why, and whether it was undone."""

    id = PublicIdField(prefix="mod")
    action = models.CharField(max_length=20, choices=ActionType.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="moderation_actions"
    )
    target_type = models.CharField(max_length=16)
    target_id = models.CharField(max_length=40)
    target_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions_received",
    )
    notes = models.TextField(max_length=2000, blank=True)
    # What the reversal needs: the content's state before removal, the jobs a ban cancelled.
    details = models.JSONField(default=dict, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by_action",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="moderation_action_target"),
        ]
        permissions = [("reverse_moderationaction", "Can reverse a moderation action")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.target_type} {self.target_id}"

    @property
    def is_reversible(self) -> bool:
        return self.action in REVERSAL and self.reversed_at is None


class ModerationWarning(models.Model):
    """A moderator's warning to a user: e-mailed, and listed on their account."""

    id = PublicIdField(prefix="wrn")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_warnings"
    )
    action = models.OneToOneField(
        ModerationAction, on_delete=models.CASCADE, related_name="warning"
    )
    reason = models.CharField(max_length=32, choices=ReportReason.choices, blank=True)
    message = models.TextField(max_length=2000)
    target_type = models.CharField(max_length=16, blank=True)
    target_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "warning"

    def __str__(self) -> str:
        return f"Warning to {self.user_id} ({self.created_at:%Y-%m-%d})"


class ModeratedUser(User):
    """Users as moderators see them in the admin: their history, bans and warnings, no
    passwords (a proxy, so its permissions are separate from accounts.User's)."""

    class Meta:
        proxy = True
        verbose_name = "user (moderation)"
        verbose_name_plural = "users (moderation)"
