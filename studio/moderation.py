"""Studio clips as moderation targets (registered from StudioConfig.ready).

A clip is removed through `studio.services.clip_set_removed`, which keeps its files for a
restore and hides them from the job that made it.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html

from accounts.models import User
from config.files import signed_url
from moderation.permissions import register_moderator_permissions
from moderation.targets import register_target
from projects.selectors import project_get_for
from studio.models import Clip
from studio.services import clip_set_removed


def _video(name: str, poster: str = "") -> str:
    """An HTML5 player for a stored file, through a signed, expiring URL."""
    if not name:
        return format_html("<p><em>{}</em></p>", "No video file.")
    url, _ = signed_url(name)
    poster_url = signed_url(poster)[0] if poster else ""
    return format_html(
        '<video src="{}" poster="{}" controls preload="metadata" '
        'style="max-width:640px;width:100%;background:#000"></video>',
        url,
        poster_url,
    )


def register() -> None:
    """Make clips reportable (called from StudioConfig.ready)."""
    register_moderator_permissions(("studio", "view_clip"))

    def lookup(target_id: str, viewer: User | None) -> Clip | None:
        clip = Clip.objects.filter(pk=target_id, removed_at__isnull=True).first()
        if clip is None or viewer is None:
            return clip
        if clip.owner_id == viewer.pk or viewer.is_moderator:
            return clip
        if clip.project_id and project_get_for(user=viewer, project_id=clip.project_id):
            return clip
        return None

    def remove(clip: Clip) -> dict[str, Any]:
        if not clip_set_removed(clip=clip, removed=True):
            raise ValueError("already removed")
        return {}

    def restore(clip: Clip, state: dict[str, Any]) -> None:
        if not clip_set_removed(clip=clip, removed=False):
            raise ValueError("not removed")

    register_target(
        "clip",
        model=Clip,
        lookup=lookup,
        owner=lambda clip: clip.owner,
        describe=lambda clip: f"Clip “{clip.title}”",
        remove=remove,
        restore=restore,
        is_removed=lambda clip: clip.removed_at is not None,
        admin_preview=lambda clip: format_html(
            "{}<p style='white-space:pre-wrap'>{}</p><p>{} · {} s</p>",
            _video(clip.video_file, clip.poster_file),
            clip.prompt or clip.title,
            clip.resolution,
            f"{clip.duration:.1f}",
        ),
    )
