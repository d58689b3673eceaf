"""Reads for projects, their collaborators, jobs and invitations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Case, CharField, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from accounts.models import Membership, User
from jobs.models import Job
from projects import counts
from projects.models import Collaborator, Invitation, InvitationStatus, Project, ProjectStatus
from projects.permissions import ORGANIZATION_ROLES, ProjectRole

RECENT_JOBS = 10


def job_count_annotation() -> Coalesce:
    """The number of jobs started on each project, as a subquery (no query per row)."""
    jobs = (
        Job.objects.filter(project_id=OuterRef("pk"))
        .order_by()
        .values("project_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(jobs), 0)


def _with_caller_role(queryset: QuerySet[Project], user: User) -> QuerySet[Project]:
    """Annotate `caller_role` (owner, collaborator, viewer or None) in the same query."""
    collaborator_role = Collaborator.objects.filter(project=OuterRef("pk"), user=user).values(
        "role"
    )[:1]
    organization_role = Membership.objects.filter(
        organization=OuterRef("organization_id"), user=user
    ).values("role")[:1]
    org_collaborator = [
        org for org, role in ORGANIZATION_ROLES.items() if role == ProjectRole.COLLABORATOR
    ]
    return queryset.annotate(
        collaborator_role=Subquery(collaborator_role),
        organization_role=Subquery(organization_role),
    ).annotate(
        caller_role=Case(
            When(owner=user, then=Value(ProjectRole.OWNER.value)),
            When(
                Q(collaborator_role=ProjectRole.COLLABORATOR)
                | Q(organization_role__in=org_collaborator),
                then=Value(ProjectRole.COLLABORATOR.value),
            ),
            When(
                Q(collaborator_role__isnull=False) | Q(organization_role__isnull=False),
                then=Value(ProjectRole.VIEWER.value),
            ),
            default=None,
            output_field=CharField(),
        )
    )


def _visible_to(user: User) -> Q:
    """Owned, shared with the user, or of an organization they belong to."""
    return (
        Q(owner=user)
        | Q(pk__in=Collaborator.objects.filter(user=user).values("project_id"))
        | Q(organization_id__in=Membership.objects.filter(user=user).values("organization_id"))
    )


def project_ids_visible_to(*, user: User) -> list[str]:
    """The ids of the live projects the user may see (any role), without the list's
    annotations: what other apps filter their rows by."""
    return list(
        Project.objects.exclude(status=ProjectStatus.DELETED)
        .filter(_visible_to(user))
        .values_list("pk", flat=True)
    )


def project_list_for(*, user: User) -> QuerySet[Project]:
    """The live projects the user may see, each with their role, owner, organization and job
    count: one query for a whole page."""
    return (
        _with_caller_role(
            Project.objects.exclude(status=ProjectStatus.DELETED).filter(_visible_to(user)), user
        )
        .select_related("owner", "organization")
        .annotate(job_count=job_count_annotation(), sort_title=Lower("title"))
    )


def project_get_for(*, user: User, project_id: str) -> Project | None:
    return project_list_for(user=user).filter(pk=project_id).first()


def project_counts(projects: Iterable[Project]) -> dict[str, dict[str, int]]:
    """The other apps' counts (assets, clips, sessions) for a page of projects."""
    return counts.project_counts(project.pk for project in projects)


def project_collaborators(*, project: Project) -> QuerySet[Collaborator]:
    return project.collaborators.select_related("user")


def project_jobs(*, project: Project) -> QuerySet[Job]:
    """Every job started on the project, whoever started it."""
    return Job.objects.filter(project_id=project.pk).prefetch_related("stages")


def project_recent_jobs(*, project: Project) -> list[Job]:
    return list(Job.objects.filter(project_id=project.pk).order_by("-created_at")[:RECENT_JOBS])


def project_pending_invitations(*, project: Project) -> QuerySet[Invitation]:
    return project.invitations.filter(status=InvitationStatus.PENDING).select_related("invited_by")


def project_detail_context(*, project: Project) -> dict[str, Any]:
    """What the detail shows besides the project: collaborators, recent jobs, the other apps'
    lists, and (for the owner) the invitations still open."""
    is_owner = getattr(project, "caller_role", None) == ProjectRole.OWNER
    return {
        "counts": project_counts([project]),
        "collaborators": list(project_collaborators(project=project)),
        "recent_jobs": project_recent_jobs(project=project),
        "items": counts.project_items(project),
        "progress": counts.project_progress(project),
        "pending_invitations": (
            list(project_pending_invitations(project=project)) if is_owner else []
        ),
    }


def invitation_list_for(*, user: User, status: str | None = None) -> QuerySet[Invitation]:
    """The invitations sent to the user's e-mail address, for projects that still exist.

    `status` is the status as it reads now: a pending invitation past its expiry is `expired`.
    """
    invitations = (
        Invitation.objects.filter(email__iexact=user.email)
        .exclude(project__status=ProjectStatus.DELETED)
        .select_related("project", "invited_by")
    )
    now = timezone.now()
    if status == InvitationStatus.PENDING:
        return invitations.filter(status=status, expires_at__gt=now)
    if status == InvitationStatus.EXPIRED:
        return invitations.filter(
            Q(status=status) | Q(status=InvitationStatus.PENDING, expires_at__lte=now)
        )
    return invitations.filter(status=status) if status else invitations


def invitation_get_for(*, user: User, key: str) -> Invitation | None:
    """One of the user's invitations, by its id or the token of its e-mail link."""
    return invitation_list_for(user=user).filter(Q(pk=key) | Q(token=key)).first()


def projects_owned_count(user: User) -> int:
    return Project.objects.filter(owner=user).exclude(status=ProjectStatus.DELETED).count()


def organization_project_counts(org_ids: Iterable[str]) -> dict[str, int]:
    rows = (
        Project.objects.filter(organization_id__in=list(org_ids))
        .exclude(status=ProjectStatus.DELETED)
        .values("organization_id")
        .annotate(count=Count("pk"))
        .values_list("organization_id", "count")
    )
    return dict(rows)


def project_titles(project_ids: list[str]) -> dict[str, str]:
    """{project id: title} for jobs' `projectName`, in one query."""
    return dict(Project.objects.filter(pk__in=project_ids).values_list("pk", "title"))
