"""Ideas and topics as moderation targets and review queues (from CatalogConfig.ready).

An idea is removed and restored through its `moderation_status` column; a topic through its
own review states, so that restoring a topic puts it back where its review was.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from catalog import selectors
from catalog.models import Idea, Topic, TopicStatus
from moderation.choices import ModerationStatus
from moderation.permissions import register_moderator_permissions
from moderation.queues import register_review_queue
from moderation.targets import register_target, status_field_removal


def register() -> None:
    """Make ideas and topics reportable (called from CatalogConfig.ready)."""
    register_moderator_permissions(
        ("catalog", "view_topic"), ("catalog", "view_category"), ("catalog", "view_idea")
    )
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

    # The admin's reports page links to what screening held back and what awaits review.
    register_review_queue(
        "Pending topic suggestions",
        url=lambda: reverse("admin:catalog_topic_changelist") + "?review=pending",
        count=lambda: Topic.objects.filter(status=TopicStatus.PENDING).count(),
    )
    register_review_queue(
        "Ideas awaiting review",
        url=lambda: reverse("admin:catalog_idea_changelist"),
        count=lambda: Idea.objects.filter(
            moderation_status__in=(ModerationStatus.FLAGGED, ModerationStatus.PENDING)
        ).count(),
    )
