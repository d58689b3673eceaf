"""The target types moderation registers itself: ideas and topics, users, studio clips
(ModerationConfig.ready). The scenes app registers scenes and segments (scenes.moderation).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.html import format_html

from accounts.models import AccountStatus, User
from config.files import signed_url
from moderation.targets import register_target, status_field_removal


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


# --- ideas and topics (catalog) -----------------------------------------------------------


def _register_catalog() -> None:
    from catalog import selectors
    from catalog.models import Idea, Topic, TopicStatus

    remove_idea, restore_idea, idea_removed = status_field_removal(Idea)

    def idea_preview(idea: Idea) -> str:
        return format_html(
            "<h3>{}</h3><p style='white-space:pre-wrap;max-width:60em'>{}</p>"
            "<p>Topic: {} · Tags: {} · Status: <strong>{}</strong> · {} likes · {} views</p>",
            idea.title,
            idea.prompt,
            idea.topic.name,
            ", ".join(idea.tags) or "none",
            idea.moderation_status,
            idea.like_count,
            idea.view_count,
        )

    register_target(
        "idea",
        model=Idea,
        lookup=lambda target_id, viewer: selectors.idea_get(viewer=viewer, idea_id=target_id),
        owner=lambda idea: idea.author,
        describe=lambda idea: f"Idea “{idea.title}”",
        remove=remove_idea,
        restore=restore_idea,
        is_removed=idea_removed,
        admin_preview=idea_preview,
    )

    def remove_topic(topic: Topic) -> dict[str, Any]:
        previous = topic.status
        if previous == TopicStatus.REJECTED or not topic.mark_rejected(moderator=None):
            raise ValueError("already hidden")
        return {"status": previous}

    def restore_topic(topic: Topic, state: dict[str, Any]) -> None:
        if topic.status != TopicStatus.REJECTED:
            raise ValueError("not removed")
        if state.get("status") == TopicStatus.APPROVED:
            topic.mark_approved(moderator=None)
        else:  # back to the review it was waiting for
            Topic.objects.filter(pk=topic.pk, status=TopicStatus.REJECTED).update(
                status=TopicStatus.PENDING, moderation_status="pending", updated_at=timezone.now()
            )
            topic.status = TopicStatus.PENDING

    register_target(
        "topic",
        model=Topic,
        lookup=lambda target_id, viewer: selectors.topic_get(viewer=viewer, topic_id=target_id),
        owner=lambda topic: topic.suggested_by,
        describe=lambda topic: f"Topic “{topic.name}”",
        remove=remove_topic,
        restore=restore_topic,
        is_removed=lambda topic: topic.status == TopicStatus.REJECTED,
        admin_preview=lambda topic: format_html(
            "<h3>{}</h3><p style='white-space:pre-wrap'>{}</p><p>Status: <strong>{}</strong></p>",
            topic.name,
            topic.description or "(no description)",
            topic.status,
        ),
    )


# --- users (accounts) ---------------------------------------------------------------------


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


def _register_users() -> None:
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


# --- clips (studio) -----------------------------------------------------------------------


def _register_clips() -> None:
    from projects.selectors import project_get_for
    from studio.models import Clip
    from studio.services import clip_set_removed

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


def register_builtin_targets() -> None:
    """Register idea, topic, user and clip (called from ModerationConfig.ready, after every
    app's models are loaded)."""
    _register_catalog()
    _register_users()
    _register_clips()
