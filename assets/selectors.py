"""Reads: the assets a user may see, one asset with the caller's rights, project lists and
counts, and what the chat app reads of a project's analysed assets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from assets.choices import AssetStatus
from assets.models import Asset
from projects import selectors as project_selectors
from projects.models import Project, ProjectStatus
from projects.permissions import ProjectRole

PROJECT_DETAIL_ASSETS = 50


def visible_project_ids(user: User) -> list[str]:
    """The ids of the live projects the user owns, collaborates on or sees through an
    organization (any role)."""
    return project_selectors.project_ids_visible_to(user=user)


def _live() -> QuerySet[Asset]:
    """Assets not removed by a moderator and not in a deleted project."""
    return Asset.objects.filter(removed_at__isnull=True).exclude(
        project__status=ProjectStatus.DELETED
    )


def asset_list_for(*, user: User, project_ids: list[str] | None = None) -> QuerySet[Asset]:
    """Everything the user may see: what they uploaded, and the assets of every project they
    are a member of (any role; `project_ids` when the caller already has them). One query
    for a page, project joined."""
    if project_ids is None:
        project_ids = visible_project_ids(user)
    return (
        _live()
        .filter(Q(owner=user) | Q(project_id__in=project_ids))
        .select_related("project", "owner")
        .defer("embedding")  # 1.5 kB a row that only the search index reads
    )


@dataclass(frozen=True)
class AssetAccess:
    """An asset with what the caller may do with it."""

    asset: Asset
    role: str | None  # the caller's role on the asset's project (None: no project or none)

    @property
    def is_uploader(self) -> bool:
        return self.role == "uploader"

    @property
    def can_edit(self) -> bool:
        """The uploader, and the project's owner and collaborators."""
        return self.role in ("uploader", ProjectRole.OWNER, ProjectRole.COLLABORATOR)

    @property
    def can_delete(self) -> bool:
        """Only the uploader and the project's owner."""
        return self.role in ("uploader", ProjectRole.OWNER)


def asset_access_for(*, user: User, asset_id: str) -> AssetAccess | None:
    """The asset and the caller's rights, or None when they may not see it (404)."""
    asset = asset_list_for(user=user).filter(pk=asset_id).first()
    if asset is None:
        return None
    if asset.owner_id == user.pk:
        return AssetAccess(asset, "uploader")
    project = project_selectors.project_get_for(user=user, project_id=asset.project_id or "")
    role = getattr(project, "caller_role", None) if project is not None else None
    return AssetAccess(asset, role) if role else None


def project_asset_counts(project_ids: list[str]) -> dict[str, int]:
    """projects.counts' `asset_count` for a page of projects, in one query."""
    rows = (
        Asset.objects.filter(project_id__in=project_ids, removed_at__isnull=True)
        .order_by()
        .values("project_id")
        .annotate(count=Count("pk"))
        .values_list("project_id", "count")
    )
    return dict(rows)


def project_assets(*, project: Project, limit: int = PROJECT_DETAIL_ASSETS) -> list[Asset]:
    """The newest assets of a project, as its detail lists them (`assets` and `media`)."""
    return list(
        Asset.objects.filter(project=project, removed_at__isnull=True).order_by("-created_at")[
            :limit
        ]
    )


def project_analysed_assets(*, project: Project, limit: int = 50) -> list[Asset]:
    """A project's assets whose analysis finished, newest first, for the chat app: each has
    `analysis` (description, tags, style), `technical["palette"]` for images and `tags`.

    The caller has already checked that its user may read the project."""
    return list(
        Asset.objects.filter(
            project=project, removed_at__isnull=True, status=AssetStatus.ACTIVE
        ).order_by("-created_at")[:limit]
    )


def assets_by_ids(
    ids: Iterable[str], *, user: User, project_ids: list[str] | None = None
) -> dict[str, Asset]:
    """Those of `ids` the user may see, by id (search confirms its candidates with this).

    The rows are read by primary key and judged by `asset_list_for`'s rule here: given that
    rule in SQL, SQLite walks every row the user may see through the owner and project
    indexes (100 ms at 20,000) instead of looking up the twenty ids.
    """
    if project_ids is None:
        project_ids = visible_project_ids(user)
    projects = set(project_ids)
    rows = (
        Asset.objects.filter(pk__in=list(ids), removed_at__isnull=True)
        .select_related("project", "owner")
        .defer("embedding")
        .order_by()
    )
    return {
        asset.pk: asset
        for asset in rows
        if (asset.project is None or asset.project.status != ProjectStatus.DELETED)
        and (asset.owner_id == user.pk or asset.project_id in projects)
    }
