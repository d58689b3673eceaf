"""What a moderator may do in the admin: moderation's own permissions, and read access to the
content they judge, which each app registers for its models (in its AppConfig.ready):

    register_moderator_permissions(("catalog", "view_idea"), ("catalog", "view_topic"))

Exactly what a moderator needs: the queue and its actions, the audit log, warnings, users'
moderation view, and seeing the content. Nothing that edits users, passwords, groups or
platform settings. `moderation.services.moderators_group_sync` gives them to the group.
"""

from __future__ import annotations

Permission = tuple[str, str]  # (app label, codename)

_OWN: tuple[Permission, ...] = (
    ("moderation", "view_report"),
    ("moderation", "change_report"),
    ("moderation", "act_on_report"),
    ("moderation", "view_moderationaction"),
    ("moderation", "reverse_moderationaction"),
    ("moderation", "view_moderationwarning"),
    ("moderation", "view_moderateduser"),
    # The jobs a moderator's actions cancel (jobs is the engine and imports no domain app).
    ("jobs", "view_job"),
)
_registered: dict[Permission, None] = {}


def register_moderator_permissions(*permissions: Permission) -> None:
    """Let moderators see an app's content in the admin (view permissions only)."""
    for app_label, codename in permissions:
        if not codename.startswith("view_"):
            raise ValueError(f"Moderators only view other apps' content: {codename!r}")
        _registered[(app_label, codename)] = None


def moderator_permissions() -> tuple[Permission, ...]:
    """Every permission the Moderators group has: moderation's own and the registered ones."""
    return (*_OWN, *_registered)
