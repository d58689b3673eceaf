"""Who may do what with a project.

| role         | read | update | start a job | delete | duplicate | share |
|--------------|------|--------|-------------|--------|-----------|-------|
| owner        | yes  | yes    | yes         | yes    | yes       | yes   |
| collaborator | yes  | yes    | yes         |        |           |       |
| viewer       | yes  |        |             |        |           |       |

A user holds the best of: being the owner, a `Collaborator` row, and the role the project's
organization gives them (org admin and member → collaborator, org viewer → viewer; an org admin
does not get the owner's rights). Anyone else does not see the project at all (404).
"""

from __future__ import annotations

from enum import StrEnum

from accounts.models import OrganizationRole
from config.api.errors import Forbidden
from projects.models import CollaboratorRole


class ProjectRole(StrEnum):
    OWNER = "owner"
    COLLABORATOR = CollaboratorRole.COLLABORATOR.value
    VIEWER = CollaboratorRole.VIEWER.value


class Action(StrEnum):
    READ = "read"
    UPDATE = "update"
    START_JOB = "start_job"
    DELETE = "delete"
    DUPLICATE = "duplicate"
    SHARE = "share"


ALLOWED: dict[ProjectRole, frozenset[Action]] = {
    ProjectRole.OWNER: frozenset(Action),
    ProjectRole.COLLABORATOR: frozenset({Action.READ, Action.UPDATE, Action.START_JOB}),
    ProjectRole.VIEWER: frozenset({Action.READ}),
}

ORGANIZATION_ROLES: dict[str, ProjectRole] = {
    OrganizationRole.ADMIN: ProjectRole.COLLABORATOR,
    OrganizationRole.MEMBER: ProjectRole.COLLABORATOR,
    OrganizationRole.VIEWER: ProjectRole.VIEWER,
}

REFUSALS: dict[Action, str] = {
    Action.UPDATE: "Viewers cannot change this project",
    Action.START_JOB: "Viewers cannot start jobs on this project",
    Action.DELETE: "Only the project's owner can delete it",
    Action.DUPLICATE: "Only the project's owner can duplicate it",
    Action.SHARE: "Only the project's owner can manage who it is shared with",
}


def allows(role: str | None, action: Action) -> bool:
    return role is not None and action in ALLOWED.get(ProjectRole(role), frozenset())


def require(role: str | None, action: Action) -> None:
    """Raise 403 FORBIDDEN unless `role` may do `action` (the caller already sees the project)."""
    if not allows(role, action):
        raise Forbidden(REFUSALS.get(action, "You do not have permission to do this"))
