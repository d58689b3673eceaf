"""Reads for accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, OuterRef, QuerySet, Subquery

from accounts.models import Membership, Organization, User
from accounts.stats import PUBLIC_STATS, organization_counts, user_counts
from accounts.user_settings import effective_settings


def user_public_get(*, user_id: str, viewer: User | AnonymousUser | None) -> User | None:
    """A user whose profile the viewer may see: private profiles only to themselves and staff."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    visibility = effective_settings(user.settings)["privacy"]["profile_visibility"]
    if visibility == "private" and not (
        isinstance(viewer, User) and (viewer.pk == user.pk or viewer.is_moderator)
    ):
        return None
    return user


def user_stats(*, user: User) -> dict[str, int]:
    """StoryForge's public stats: scenes created, segments contributed, ideas, likes."""
    return user_counts(user, PUBLIC_STATS)


def user_usage(*, user: User) -> dict[str, Any]:
    """StoryCore's usage block: storage used against the plan's limit, projects, jobs."""
    counts = user_counts(user, ("storage_used", "projects_created", "jobs_completed"))
    return {**counts, "storage_limit": user.limits.storage_bytes}


def organization_list_for(*, user: User) -> QuerySet[Organization]:
    """The organizations the user belongs to, with their role and member count."""
    role = Membership.objects.filter(organization=OuterRef("pk"), user=user).values("role")[:1]
    return (
        Organization.objects.filter(
            pk__in=Membership.objects.filter(user=user).values("organization")
        )
        .annotate(member_count=Count("memberships", distinct=True), my_role=Subquery(role))
        .order_by("-created_at")
    )


def organization_project_counts(orgs: list[Organization]) -> dict[str, int]:
    return organization_counts("project_count", [org.pk for org in orgs])


def organization_get_for(*, user: User, org_id: str) -> Organization | None:
    return organization_list_for(user=user).filter(pk=org_id).first()


def organization_members(*, organization: Organization) -> QuerySet[Membership]:
    return organization.memberships.select_related("user").order_by("joined_at")
