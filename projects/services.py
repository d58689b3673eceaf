"""Writes for projects: create, update, delete, duplicate; share, answer invitations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Membership, Organization, OrganizationRole, User
from accounts.services import DEFAULT_ORGANIZATION_SETTINGS, send_email, user_lock
from config.api.errors import Conflict, Forbidden, NotFound, SubscriptionLimit, ValidationFailed
from config.api.responses import iso
from jobs import registry
from jobs.models import ACTIVE_STATUSES, Job, JobStatus
from jobs.services import JobNotCancellable, job_cancel, job_submit
from projects.job_types import CLEANUP, COPY_ASSETS, INTERNAL_JOB_TYPES
from projects.models import (
    INVITATION_LIFETIME,
    Collaborator,
    Invitation,
    InvitationStatus,
    Project,
    ProjectStatus,
)
from projects.project_settings import merge_settings

# The plain fields a client sets; settings and organization have their own rules.
CLIENT_FIELDS = (
    "title",
    "description",
    "status",
    "genre",
    "episode_count",
    "target_audience",
    "template",
)
# The jobs a duplicate with copyJobs gets again: the work that did not fail or get cancelled.
COPIED_JOB_STATUSES = (JobStatus.COMPLETED, *ACTIVE_STATUSES)


def _title_taken(title: str) -> Conflict:
    return Conflict("You already have a project with this title", details={"title": title})


def _check_title_free(owner: User, title: str, *, exclude: str | None = None) -> None:
    taken = Project.objects.filter(owner=owner, title__iexact=title).exclude(
        status=ProjectStatus.DELETED
    )
    if exclude:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise _title_taken(title)


def _check_project_limit(owner: User) -> None:
    limit = owner.limits.max_projects
    if limit is None:
        return
    owned = Project.objects.filter(owner=owner).exclude(status=ProjectStatus.DELETED).count()
    if owned >= limit:
        raise SubscriptionLimit(
            f"The {owner.plan} plan allows {limit} projects; delete one or upgrade your plan",
            details={"limit": limit, "current": owned, "plan": owner.plan},
        )


def _organization_for(user: User, organization_id: str) -> Organization:
    """An organization the user may put projects in: admins and members may, viewers not."""
    membership = (
        Membership.objects.select_related("organization")
        .filter(organization_id=organization_id, user=user)
        .first()
    )
    if membership is None:
        raise ValidationFailed.for_field("organizationId", "You are not in this organization.")
    if membership.role == OrganizationRole.VIEWER:
        raise Forbidden("Viewers of an organization cannot put projects in it")
    return membership.organization


def _check_organization_limit(organization: Organization) -> None:
    """The organization's own `maxProjects` setting (accounts.services' default 100)."""
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    limit = (locked.settings or {}).get(
        "max_projects", DEFAULT_ORGANIZATION_SETTINGS["max_projects"]
    )
    held = Project.objects.filter(organization=locked).exclude(status=ProjectStatus.DELETED).count()
    if held >= limit:
        raise SubscriptionLimit(
            f"The organization already has its maximum of {limit} projects",
            details={"limit": limit, "current": held, "organizationId": locked.pk},
        )


def _save(project: Project) -> Project:
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError:
        # Two requests raced for one title: the unique constraint let one through.
        raise _title_taken(project.title) from None
    return project


def project_create(*, owner: User, fields: dict[str, Any]) -> Project:
    """Create a project within the owner's plan (free: 3 projects) and with a title of its own."""
    organization_id = fields.get("organization_id")
    organization = _organization_for(owner, organization_id) if organization_id else None
    with transaction.atomic():
        owner = user_lock(user_id=owner.pk)
        _check_project_limit(owner)
        if organization is not None:
            _check_organization_limit(organization)
        _check_title_free(owner, fields["title"])
        project = Project(
            owner=owner,
            organization=organization,
            settings=merge_settings({}, fields.get("settings") or {}),
            **{name: fields[name] for name in CLIENT_FIELDS if name in fields},
        )
        return _save(project)


def project_update(*, project: Project, actor: User, fields: dict[str, Any]) -> Project:
    """Change what a collaborator may (partial); only the owner moves it between organizations."""
    organization: Organization | None = None
    if "organization_id" in fields:
        if actor.pk != project.owner_id:
            raise Forbidden("Only the project's owner can move it to another organization")
        if fields["organization_id"]:
            organization = _organization_for(actor, fields["organization_id"])
    with transaction.atomic():
        # Read it again under a lock: a project deleted meanwhile must not come back.
        locked = (
            Project.objects.select_for_update()
            .exclude(status=ProjectStatus.DELETED)
            .filter(pk=project.pk)
            .first()
        )
        if locked is None:
            raise NotFound("Project not found")
        if "title" in fields and fields["title"].lower() != locked.title.lower():
            _check_title_free(locked.owner, fields["title"], exclude=locked.pk)
        if "organization_id" in fields and organization != locked.organization:
            if organization is not None:
                _check_organization_limit(organization)
            locked.organization = organization
        for name in CLIENT_FIELDS:
            if name in fields:
                setattr(locked, name, fields[name])
        if "settings" in fields:
            locked.settings = merge_settings(locked.settings or {}, fields["settings"] or {})
        return _save(locked)


@dataclass
class Deletion:
    """What deleting did: the job that removes the files and row, the jobs it stopped."""

    cleanup_job: Job
    cancelled_job_ids: list[str] = field(default_factory=list)


def project_delete(*, project: Project) -> Deletion:
    """Delete a project: it leaves every list at once, its running work stops, and a job
    removes its files and then its row.

    One transaction: the soft delete, the cancellation of its queued and running jobs, the
    revocation of its open invitations and the submission of the `project_cleanup` job.
    """
    with transaction.atomic():
        locked = Project.objects.select_for_update().filter(pk=project.pk).first()
        if locked is None or not locked.mark_deleted():
            raise NotFound("Project not found")
        cancelled = []
        for job in Job.objects.filter(project_id=locked.pk, status__in=ACTIVE_STATUSES):
            try:
                job_cancel(job=job)
            except JobNotCancellable:
                continue  # it finished meanwhile; its files go with the others
            cancelled.append(job.pk)
        Invitation.objects.filter(project=locked, status=InvitationStatus.PENDING).update(
            status=InvitationStatus.REVOKED, responded_at=timezone.now()
        )
        cleanup, _ = job_submit(
            owner=locked.owner,
            type=CLEANUP,
            input={"project_id": locked.pk},
            project_id=locked.pk,
            message="Removing the deleted project's files",
        )
    return Deletion(cleanup_job=cleanup, cancelled_job_ids=cancelled)


@dataclass
class Duplication:
    """The copy, the jobs submitted again for it, and the job copying its files."""

    project: Project
    copied_jobs: list[Job] = field(default_factory=list)
    asset_job: Job | None = None


def _copy_title(owner: User, title: str) -> str:
    """`Title (copy)`, else `Title (copy 2)`, … : the first the owner does not use yet."""
    taken = {
        name.lower()
        for name in Project.objects.filter(owner=owner, title__istartswith=title[:150])
        .exclude(status=ProjectStatus.DELETED)
        .values_list("title", flat=True)
    }
    for number in range(1, 1000):
        suffix = " (copy)" if number == 1 else f" (copy {number})"
        candidate = f"{title[: 200 - len(suffix)]}{suffix}"
        if candidate.lower() not in taken:
            return candidate
    raise _title_taken(title)


def project_duplicate(
    *,
    project: Project,
    actor: User,
    title: str | None = None,
    copy_assets: bool = True,
    copy_jobs: bool = False,
) -> Duplication:
    """A new project for the actor with the original's details, settings and organization.

    The copy starts over: status `created`, no progress, no collaborators. `copy_assets`
    submits a `project_copy_assets` job that copies the original's files under the copy's
    prefix. `copy_jobs` submits the original's jobs that completed or are still under way
    again for the copy (same type, parameters and priority; priced, so the cost limits hold
    and a refusal creates nothing). Both count against the plan like a new project.
    """
    organization = project.organization
    if (
        organization is not None
        and not Membership.objects.filter(
            organization=organization,
            user=actor,
            role__in=(OrganizationRole.ADMIN, OrganizationRole.MEMBER),
        ).exists()
    ):
        organization = None  # the actor left it: the copy is theirs alone
    with transaction.atomic():
        owner = user_lock(user_id=actor.pk)
        _check_project_limit(owner)
        if organization is not None:
            _check_organization_limit(organization)
        if title:
            _check_title_free(owner, title)
        else:
            title = _copy_title(owner, project.title)
        copy = _save(
            Project(
                owner=owner,
                organization=organization,
                title=title,
                description=project.description,
                genre=project.genre,
                episode_count=project.episode_count,
                target_audience=project.target_audience,
                template=project.template,
                settings=dict(project.settings or {}),
            )
        )
        duplication = Duplication(project=copy)
        if copy_jobs:
            originals = (
                Job.objects.filter(project_id=project.pk, status__in=COPIED_JOB_STATUSES)
                .exclude(type__in=INTERNAL_JOB_TYPES)
                .order_by("created_at")
            )
            known = set(registry.names())
            for original in originals:
                if original.type not in known:
                    continue  # a job type the platform no longer runs
                job, _ = job_submit(
                    owner=owner,
                    type=original.type,
                    input=original.input,
                    project_id=copy.pk,
                    priority=original.priority,
                )
                duplication.copied_jobs.append(job)
        if copy_assets:
            duplication.asset_job, _ = job_submit(
                owner=owner,
                type=COPY_ASSETS,
                input={"source_project_id": project.pk, "project_id": copy.pk},
                project_id=copy.pk,
                message="Copying the original project's files",
            )
    return duplication


# --- sharing --------------------------------------------------------------------------------


def collaborator_invite(*, project: Project, actor: User, email: str, role: str) -> Invitation:
    """Invite an address (with or without an account yet) to the project; e-mail it."""
    email = email.strip().lower()
    if project.owner.email.lower() == email:
        raise Conflict("The project's owner already has access to it")
    if Collaborator.objects.filter(project=project, user__email__iexact=email).exists():
        raise Conflict("This person already collaborates on the project")
    already = Conflict("This address already has a pending invitation to the project")
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            project=project,
            email__iexact=email,
            status=InvitationStatus.PENDING,
            expires_at__lte=now,
        ).update(status=InvitationStatus.EXPIRED)
        if Invitation.objects.filter(
            project=project, email__iexact=email, status=InvitationStatus.PENDING
        ).exists():
            raise already
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    project=project,
                    email=email,
                    role=role,
                    invited_by=actor,
                    sent_at=now,
                    expires_at=now + INVITATION_LIFETIME,
                )
        except IntegrityError:
            raise already from None
        send_email(
            to=email,
            subject=f"{actor.name} invited you to the project {project.title}",
            template="emails/project_invitation.txt",
            context={"invitation": invitation, "project": project, "inviter": actor},
        )
    return invitation


def _answer(invitation: Invitation, user: User, *, accept: bool) -> Invitation:
    """Accept or decline a pending invitation; an answered or expired one is a conflict."""
    expired = False
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("project", "invited_by")
            .get(pk=invitation.pk)
        )
        if locked.project.is_deleted:
            raise NotFound("Invitation not found")
        if locked.is_expired:
            locked.mark_expired()  # kept: the conflict below must not roll it back
            expired = True
        elif locked.status != InvitationStatus.PENDING:
            raise Conflict(f"This invitation was already {locked.status}")
        elif accept:
            if locked.project.owner_id == user.pk:
                raise Conflict("You own this project already")
            Collaborator.objects.update_or_create(
                project=locked.project, user=user, defaults={"role": locked.role}
            )
            locked.mark_accepted()
        else:
            locked.mark_declined()
    if expired:
        raise Conflict("This invitation has expired", details={"expiresAt": iso(locked.expires_at)})
    return locked


def invitation_accept(*, invitation: Invitation, user: User) -> Invitation:
    """Join the project with the invitation's role."""
    return _answer(invitation, user, accept=True)


def invitation_decline(*, invitation: Invitation, user: User) -> Invitation:
    return _answer(invitation, user, accept=False)


def collaborator_remove(*, project: Project, key: str) -> Literal["collaborator", "invitation"]:
    """Remove a collaborator (by user id) or revoke a pending invitation (by its id)."""
    with transaction.atomic():
        invitation = project.invitations.filter(pk=key).first()
        if invitation is not None:
            if not invitation.mark_revoked():
                raise Conflict(f"This invitation was already {invitation.current_status}")
            return "invitation"
        deleted, _ = Collaborator.objects.filter(project=project, user_id=key).delete()
        if not deleted:
            raise NotFound("This user is not a collaborator on the project")
        return "collaborator"


def project_progress_set(
    *, project_id: str, percentage: int, phase: str, completed: int, total: int
) -> None:
    """The project's progress fields as the workflow that drives it (the chat app) has them:
    one UPDATE, so the list and its `sort=progress` read the real numbers."""
    Project.objects.filter(pk=project_id).update(
        progress_percentage=max(0, min(100, percentage)),
        current_phase=phase[:64],
        completed_steps=completed,
        total_steps=total,
        updated_at=timezone.now(),
    )
