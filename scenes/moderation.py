"""Scenes and segments as moderation targets, changed through this app's services.

Removing a segment must recount the scene (its duration, segment count and playlist start
times), so moderation sets the status through `segment_set_moderation`, never on the column.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.html import format_html

from moderation.choices import ModerationStatus
from scenes import selectors, services
from scenes.models import Scene, Segment

REMOVED = ModerationStatus.REMOVED


def _removal(
    setter: Callable[[Any, str], bool],
) -> tuple[Callable[[Any], dict[str, Any]], Callable[[Any, dict[str, Any]], None]]:
    def remove(obj: Any) -> dict[str, Any]:
        previous = obj.moderation_status
        if previous == REMOVED or not setter(obj, REMOVED):
            raise ValueError("already removed")
        return {"moderation_status": previous}

    def restore(obj: Any, state: dict[str, Any]) -> None:
        previous = state.get("moderation_status") or "approved"
        if obj.moderation_status != REMOVED or not setter(obj, previous):
            raise ValueError("not removed")

    return remove, restore


def _player(segment: Segment) -> str:
    if not segment.video_file:
        return format_html("<p>Segment {} (no video yet)</p>", segment.sequence)
    return format_html(
        '<video src="{}" poster="{}" controls preload="none" style="max-width:480px"></video>'
        "<p style='white-space:pre-wrap'>{}</p>",
        selectors.sign(segment.video_file),
        selectors.sign(segment.poster_file) if segment.poster_file else "",
        segment.text,
    )


def register() -> None:
    """Make scenes and segments reportable (called from ScenesConfig.ready)."""
    from moderation.permissions import register_moderator_permissions
    from moderation.targets import register_target

    register_moderator_permissions(("scenes", "view_scene"), ("scenes", "view_segment"))

    remove_scene, restore_scene = _removal(
        lambda scene, status: services.scene_set_moderation(scene=scene, status=status)
    )
    register_target(
        "scene",
        model=Scene,
        owner=lambda scene: scene.creator,
        lookup=lambda target_id, viewer: selectors.scene_get(viewer=viewer, scene_id=target_id),
        describe=lambda scene: f"Scene “{scene.title}”",
        remove=remove_scene,
        restore=restore_scene,
        is_removed=lambda scene: scene.is_removed,
        admin_preview=lambda scene: format_html(
            "<p><strong>{}</strong></p><p style='white-space:pre-wrap'>{}</p>",
            scene.title,
            scene.description,
        ),
    )
    remove_segment, restore_segment = _removal(
        lambda segment, status: services.segment_set_moderation(segment=segment, status=status)
    )
    register_target(
        "segment",
        model=Segment,
        owner=lambda segment: segment.contributor,
        lookup=lambda target_id, viewer: (
            Segment.objects.filter(pk=target_id).exclude(moderation_status=REMOVED).first()
        ),
        describe=lambda segment: f"Segment {segment.sequence} of “{segment.scene.title}”",
        remove=remove_segment,
        restore=restore_segment,
        is_removed=lambda segment: segment.is_removed,
        admin_preview=_player,
    )
