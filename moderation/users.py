"""Users as a moderation target.

`accounts` is a leaf that imports no other app, so the moderation app, which knows accounts,
registers its users itself; every other domain registers its own targets in its
AppConfig.ready (catalog.moderation, scenes.moderation, studio.moderation).
"""

from __future__ import annotations

from django.utils.html import format_html

from accounts.models import AccountStatus, User
from moderation.targets import register_target


def _user_preview(user: User) -> str:
    avatar = (
        format_html('<img src="{}" alt="" style="height:64px;border-radius:50%">', user.avatar_url)
        if user.avatar_url
        else ""
    )
    return format_html(
        "{}<h3>{} (@{})</h3><p style='white-space:pre-wrap'>{}</p>"
        "<p>Role: {} · Status: <strong>{}</strong> · Joined {}</p>",
        avatar,
        user.name,
        user.username,
        user.bio or "(no bio)",
        user.role,
        user.status,
        user.date_joined.date().isoformat(),
    )


def register_user_target() -> None:
    """Make users reportable (called from ModerationConfig.ready)."""
    register_target(
        "user",
        model=User,
        # Anyone active can be reported; a banned account is gone from the platform already.
        lookup=lambda target_id, viewer: User.objects.filter(
            pk=target_id, status=AccountStatus.ACTIVE
        ).first(),
        owner=lambda user: user,
        describe=lambda user: f"User @{user.username}",
        admin_preview=_user_preview,
    )
