"""Writes for moderation: reports, the four actions on them, their reversal, the Moderators
group. The API and the admin call these same services.

Each action has its real effect and leaves one `ModerationAction` row (the audit log):
- dismiss: the reports are resolved, nothing else changes;
- warn_user: a `ModerationWarning` for the content's owner, e-mailed and listed on their account
  (`GET /moderation/warnings`);
- remove_content: the target's app hides it from everyone but moderators (`targets`);
- ban_user: the owner's account is banned: sign-in refused, every token revoked, their
  unfinished jobs cancelled.
Reversing one undoes it: reopen the reports, withdraw the warning, restore the content, lift
the ban (jobs a ban cancelled stay cancelled: their owner retries them).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import services as accounts
from accounts.models import MODERATORS_GROUP, AccountStatus, Role, User
from config.api.errors import Conflict, Forbidden, NotFound, ValidationFailed
from jobs import events
from jobs.models import ACTIVE_STATUSES, Job
from jobs.services import JobNotCancellable, job_cancel
from moderation import targets
from moderation.models import (
    OPEN_STATUSES,
    REPORT_ACTIONS,
    REVERSAL,
    ActionType,
    ModerationAction,
    ModerationWarning,
    Report,
    ReportReason,
    ReportStatus,
)
from moderation.permissions import moderator_permissions

logger = logging.getLogger(__name__)


def _require_moderator(user: User) -> None:
    if not user.is_moderator:
        raise Forbidden("Only moderators and admins can do this")


# --- reports ------------------------------------------------------------------------------


def report_create(
    *, reporter: User, target_type: str, target_id: str, reason: str, description: str = ""
) -> Report:
    """A user reports something they can see; a second open report of theirs on it is 409."""
    if reason not in ReportReason.values:
        raise ValidationFailed.for_field(
            "reason", f"Must be one of: {', '.join(ReportReason.values)}."
        )
    target = targets.get(target_type)
    obj = targets.resolve(target_type, target_id, viewer=reporter)
    owner = target.owner(obj)
    if target_type == "user" and obj.pk == reporter.pk:
        raise ValidationFailed.for_field("targetId", "You cannot report yourself.")
    duplicate = Conflict(
        "You already reported this and your report is still open",
        details={"targetType": target_type, "targetId": target_id},
    )
    if Report.objects.filter(
        reporter=reporter,
        target_type=target_type,
        target_id=target_id,
        status__in=OPEN_STATUSES,
    ).exists():
        raise duplicate
    try:
        with transaction.atomic():
            return Report.objects.create(
                reporter=reporter,
                target_type=target_type,
                target_id=str(obj.pk),
                target_owner=owner,
                reason=reason,
                description=description.strip(),
            )
    except IntegrityError:  # the same report sent twice at the same moment
        raise duplicate from None


def report_review(*, report: Report, moderator: User) -> bool:
    """A moderator takes a pending report (pending → reviewing); False if it was not pending."""
    _require_moderator(moderator)
    moved = Report.objects.filter(pk=report.pk, status=ReportStatus.PENDING).update(
        status=ReportStatus.REVIEWING, reviewer=moderator
    )
    if moved:
        report.status, report.reviewer = ReportStatus.REVIEWING, moderator
    return bool(moved)


def report_act(
    *, report: Report, moderator: User, action: str, notes: str = ""
) -> ModerationAction:
    """Take `action` on a report's target; every open report on that target is resolved by it."""
    _require_moderator(moderator)
    if action not in REPORT_ACTIONS:
        raise ValidationFailed.for_field(
            "action", f"Must be one of: {', '.join(str(a) for a in REPORT_ACTIONS)}."
        )
    with transaction.atomic():
        # Lock the report: two moderators acting at once resolve it once.
        locked = Report.objects.select_for_update().filter(pk=report.pk).first()
        if locked is None:
            raise NotFound("Report not found")
        if not locked.is_open:
            raise Conflict("This report is already resolved", details={"status": locked.status})
        if action == ActionType.DISMISS:
            done = _record(
                action=ActionType.DISMISS,
                moderator=moderator,
                target_type=locked.target_type,
                target_id=locked.target_id,
                owner=locked.target_owner,
                notes=notes,
            )
        elif action == ActionType.REMOVE_CONTENT:
            done = content_remove(
                target_type=locked.target_type,
                target_id=locked.target_id,
                moderator=moderator,
                notes=notes,
            )
        else:
            owner = _owner_of(locked)
            if action == ActionType.WARN_USER:
                done = user_warn(
                    user=owner,
                    moderator=moderator,
                    notes=notes,
                    reason=locked.reason,
                    target_type=locked.target_type,
                    target_id=locked.target_id,
                )
            else:
                done = user_ban(
                    user=owner,
                    moderator=moderator,
                    notes=notes,
                    target_type=locked.target_type,
                    target_id=locked.target_id,
                )
        resolved = _resolve_reports(locked.target_type, locked.target_id, done)
        done.details = {**done.details, "reports": resolved}
        ModerationAction.objects.filter(pk=done.pk).update(details=done.details)
    report.refresh_from_db()
    return done


def _owner_of(report: Report) -> User:
    target = targets.get(report.target_type)
    obj = target.get(report.target_id)
    owner = target.owner(obj) if obj is not None else report.target_owner
    if owner is None:
        raise Conflict("This content has no owner to warn or ban")
    return owner


def _resolve_reports(target_type: str, target_id: str, action: ModerationAction) -> list[str]:
    """Resolve every open report on the target with `action`; their ids."""
    reports = Report.objects.filter(
        target_type=target_type, target_id=target_id, status__in=OPEN_STATUSES
    )
    ids = list(reports.values_list("pk", flat=True))
    Report.objects.filter(pk__in=ids).update(
        status=ReportStatus.RESOLVED, action=action, resolved_at=action.created_at
    )
    return ids


def _record(
    *,
    action: str,
    moderator: User,
    target_type: str,
    target_id: str,
    owner: User | None,
    notes: str,
    details: dict[str, Any] | None = None,
    reverses: ModerationAction | None = None,
) -> ModerationAction:
    """One row of the audit log."""
    return ModerationAction.objects.create(
        action=action,
        moderator=moderator,
        target_type=target_type,
        target_id=target_id,
        target_owner=owner,
        notes=notes.strip(),
        details=details or {},
        reverses=reverses,
    )


# --- the actions --------------------------------------------------------------------------


def content_remove(
    *, target_type: str, target_id: str, moderator: User, notes: str = ""
) -> ModerationAction:
    """Hide a piece of content from everyone but moderators (restorable)."""
    _require_moderator(moderator)
    target = targets.get(target_type)
    if target.remove is None:
        raise ValidationFailed.for_field(
            "action", f"A {target_type} is not content that can be removed: warn or ban instead."
        )
    with transaction.atomic():
        obj = target.model._default_manager.select_for_update().filter(pk=target_id).first()
        if obj is None:
            raise NotFound(f"No {target_type} with id {target_id}")
        try:
            state = target.remove(obj)
        except ValueError:
            raise Conflict(f"This {target_type} is already removed") from None
        return _record(
            action=ActionType.REMOVE_CONTENT,
            moderator=moderator,
            target_type=target_type,
            target_id=target_id,
            owner=target.owner(obj),
            notes=notes,
            details={"previous": state},
        )


def user_warn(
    *,
    user: User,
    moderator: User,
    notes: str,
    reason: str = "",
    target_type: str = "user",
    target_id: str = "",
) -> ModerationAction:
    """Warn a user: a warning on their account and an e-mail, with the moderator's notes."""
    _require_moderator(moderator)
    with transaction.atomic():
        done = _record(
            action=ActionType.WARN_USER,
            moderator=moderator,
            target_type=target_type,
            target_id=target_id or user.pk,
            owner=user,
            notes=notes,
        )
        warning = ModerationWarning.objects.create(
            user=user,
            action=done,
            reason=reason,
            message=notes.strip() or "Your content was found to break the community guidelines.",
            target_type=target_type if target_type != "user" else "",
            target_id=target_id if target_type != "user" else "",
        )
        description = ""
        if target_type != "user" and targets.is_registered(target_type):
            target = targets.get(target_type)
            obj = target.get(target_id)
            description = target.describe(obj) if obj is not None else ""
        accounts.send_email(
            to=user.email,
            subject="A warning about your content",
            template="emails/moderation_warning.txt",
            context={"user": user, "warning": warning, "content": description},
        )
    return done


def user_ban(
    *,
    user: User,
    moderator: User,
    notes: str,
    target_type: str = "user",
    target_id: str = "",
) -> ModerationAction:
    """Ban a user at once: sign-in refused, every token revoked, unfinished jobs cancelled."""
    _require_moderator(moderator)
    if user.pk == moderator.pk:
        raise Conflict("You cannot ban yourself")
    if user.role == Role.ADMIN or (user.role == Role.MODERATOR and not moderator.is_platform_admin):
        raise Forbidden("Only an admin can ban a moderator, and admins cannot be banned")
    with transaction.atomic():
        locked = accounts.user_lock(user_id=user.pk)
        if locked.status == AccountStatus.BANNED:
            raise Conflict("This user is already banned")
        previous = locked.status
        accounts.apply_status(locked, AccountStatus.BANNED)
        locked.save(update_fields=["status", "is_active", "updated_at"])
        revoked = accounts.user_revoke_tokens(user=locked)
        events.sessions_revoke(user_id=locked.pk)  # and their open WebSockets close
        cancelled = []
        for job in Job.objects.filter(owner=locked, status__in=ACTIVE_STATUSES):
            try:
                job_cancel(job=job)
                cancelled.append(job.pk)
            except JobNotCancellable:  # it finished meanwhile
                continue
        done = _record(
            action=ActionType.BAN_USER,
            moderator=moderator,
            target_type=target_type,
            target_id=target_id or locked.pk,
            owner=locked,
            notes=notes,
            details={
                "previousStatus": previous,
                "tokensRevoked": revoked,
                "jobsCancelled": cancelled,
            },
        )
        accounts.send_email(
            to=locked.email,
            subject="Your account has been banned",
            template="emails/moderation_ban.txt",
            context={"user": locked, "notes": done.notes},
        )
    user.refresh_from_db()
    return done


# --- reversal -----------------------------------------------------------------------------


def action_reverse(
    *, action: ModerationAction, moderator: User, notes: str = ""
) -> ModerationAction:
    """Undo an action (reopen, withdraw the warning, restore the content, lift the ban)."""
    _require_moderator(moderator)
    if action.action not in REVERSAL:
        raise ValidationFailed.for_field("action", "A reversal cannot itself be reversed.")
    with transaction.atomic():
        locked = ModerationAction.objects.select_for_update().get(pk=action.pk)
        if locked.reversed_at is not None:
            raise Conflict("This action was already reversed")
        details: dict[str, Any] = {}
        if locked.action == ActionType.DISMISS:
            details["reports"] = _reopen_reports(locked)
        elif locked.action == ActionType.WARN_USER:
            ModerationWarning.objects.filter(action=locked, withdrawn_at__isnull=True).update(
                withdrawn_at=timezone.now()
            )
        elif locked.action == ActionType.REMOVE_CONTENT:
            _restore_content(locked)
        elif locked.action == ActionType.BAN_USER:
            _lift_ban(locked)
        now = timezone.now()
        ModerationAction.objects.filter(pk=locked.pk).update(reversed_at=now, reversed_by=moderator)
        reversal = _record(
            action=REVERSAL[ActionType(locked.action)],
            moderator=moderator,
            target_type=locked.target_type,
            target_id=locked.target_id,
            owner=locked.target_owner,
            notes=notes,
            details=details,
            reverses=locked,
        )
    action.refresh_from_db()
    return reversal


def _reopen_reports(action: ModerationAction) -> list[str]:
    """A dismissal undone: its reports wait in the queue again (but one per reporter and
    target may be open: a reporter who reported again since keeps the newer report)."""
    reopened = []
    for report in Report.objects.filter(action=action, status=ReportStatus.RESOLVED):
        open_again = Report.objects.filter(
            reporter_id=report.reporter_id,
            target_type=report.target_type,
            target_id=report.target_id,
            status__in=OPEN_STATUSES,
        ).exists()
        if not open_again:
            Report.objects.filter(pk=report.pk).update(
                status=ReportStatus.PENDING, action=None, resolved_at=None
            )
            reopened.append(report.pk)
    return reopened


def _restore_content(action: ModerationAction) -> None:
    target = targets.get(action.target_type)
    if target.restore is None:
        raise Conflict(f"A {action.target_type} cannot be restored")
    obj = target.model._default_manager.select_for_update().filter(pk=action.target_id).first()
    if obj is None:
        raise Conflict(f"This {action.target_type} no longer exists")
    try:
        target.restore(obj, action.details.get("previous", {}))
    except ValueError:
        raise Conflict(f"This {action.target_type} is not removed any more") from None


def _lift_ban(action: ModerationAction) -> None:
    if action.target_owner is None:
        raise Conflict("The banned account no longer exists")
    user = accounts.user_lock(user_id=action.target_owner.pk)
    if user.status != AccountStatus.BANNED:
        raise Conflict("This user is not banned any more")
    accounts.apply_status(user, action.details.get("previousStatus") or AccountStatus.ACTIVE)
    user.save(update_fields=["status", "is_active", "updated_at"])


def user_unban(*, user: User, moderator: User, notes: str = "") -> ModerationAction:
    """Lift a user's ban: the reversal of the action that banned them."""
    ban = (
        ModerationAction.objects.filter(
            action=ActionType.BAN_USER, target_owner=user, reversed_at__isnull=True
        )
        .order_by("-created_at")
        .first()
    )
    if ban is None:
        raise Conflict("No ban of this user is in force")
    return action_reverse(action=ban, moderator=moderator, notes=notes)


# --- the Moderators group -----------------------------------------------------------------


def moderators_group_sync(*, group_model: Any = Group, permission_model: Any = Permission) -> Any:
    """Create the Moderators group if needed and give it exactly the moderator permissions
    (moderation.permissions: its own and those each app registers; those that exist). Run by
    the data migration and after every migrate."""
    group, _ = group_model.objects.get_or_create(name=MODERATORS_GROUP)
    wanted = Q(pk__in=[])
    for app_label, codename in moderator_permissions():
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.set(permission_model.objects.filter(wanted))
    return group
