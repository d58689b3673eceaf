"""Moderation's choices: what content's moderation status is, report reasons and states, actions."""

from __future__ import annotations

from django.db import models


class ModerationStatus(models.TextChoices):
    """What screening or a moderator says of a piece of content; only `approved` is public.

    One list for every app's content. A user's text (an idea, a topic suggestion) is screened
    as it is submitted (catalog.services.screen): `approved`, `flagged` (held for a
    moderator) or `rejected`, and `pending` only when screening could not run. Scenes and
    segments start `approved` (their scripts are screened upstream). Moderators move content
    between them; `removed` (taken down after a report) hides it even from its author until a
    moderator restores its earlier status.
    """

    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    FLAGGED = "flagged", "Flagged"
    REJECTED = "rejected", "Rejected"
    REMOVED = "removed", "Removed"


class ReportReason(models.TextChoices):
    """StoryForge's documented reasons (`POST /report`); anything else is refused."""

    INAPPROPRIATE_CONTENT = "inappropriate_content", "Inappropriate content"
    COPYRIGHT_VIOLATION = "copyright_violation", "Copyright violation"
    SPAM = "spam", "Spam"
    HARASSMENT = "harassment", "Harassment"
    MISINFORMATION = "misinformation", "Misinformation"
    OTHER = "other", "Other"


class ReportStatus(models.TextChoices):
    """StoryForge's queue states: pending → reviewing → resolved (or pending → resolved).

    `pending` and `reviewing` are open: a user has at most one open report per target. A
    dismissal that is reversed opens its reports again (resolved → pending).
    """

    PENDING = "pending", "Pending"
    REVIEWING = "reviewing", "Reviewing"
    RESOLVED = "resolved", "Resolved"


class ActionType(models.TextChoices):
    """What a moderator did. The first four answer a report; the last three undo them."""

    DISMISS = "dismiss", "Dismiss"
    WARN_USER = "warn_user", "Warn user"
    REMOVE_CONTENT = "remove_content", "Remove content"
    BAN_USER = "ban_user", "Ban user"
    REOPEN = "reopen", "Reopen reports"
    WITHDRAW_WARNING = "withdraw_warning", "Withdraw warning"
    RESTORE_CONTENT = "restore_content", "Restore content"
    LIFT_BAN = "lift_ban", "Lift ban"
