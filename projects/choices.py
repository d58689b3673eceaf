"""The projects app's choices: project states, collaborator roles, invitation states."""

from __future__ import annotations

from django.db import models


class ProjectStatus(models.TextChoices):
    """The one status list; each document's words map onto it (`normalize_status`).

    | canonical | AI Movie Platform | StoryCore | AI Video System |
    |-----------|-------------------|-----------|-----------------|
    | draft     |                   |           | DRAFT           |
    | created   |                   | created   |                 |
    | active    | active            | active    | ACTIVE          |
    | on-hold   | on-hold           |           | ON_HOLD         |
    | completed | completed         |           | COMPLETED       |
    | archived  | archived          | archived  | ARCHIVED        |
    | deleted   |                   | deleted   | DELETED         |

    A new project is `created`. Its owner and collaborators move it freely between every state
    but `deleted`; only `DELETE /projects/:id` reaches `deleted` (`Project.mark_deleted`), and
    nothing leaves it: the cleanup job then purges the row.
    """

    DRAFT = "draft", "Draft"
    CREATED = "created", "Created"
    ACTIVE = "active", "Active"
    ON_HOLD = "on-hold", "On hold"
    COMPLETED = "completed", "Completed"
    ARCHIVED = "archived", "Archived"
    DELETED = "deleted", "Deleted"


class CollaboratorRole(models.TextChoices):
    COLLABORATOR = "collaborator", "Collaborator"
    VIEWER = "viewer", "Viewer"


class InvitationStatus(models.TextChoices):
    """pending → accepted | declined | revoked | expired; nothing leaves the other four.

    A pending invitation past `expires_at` is expired whether or not the row says so yet
    (`Invitation.current_status`); answering it stores `expired`.
    """

    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"
