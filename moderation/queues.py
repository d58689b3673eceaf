"""What waits for a moderator besides reports: each app registers its own review queues.

The reports page of the admin links to every queue with its count (the catalog registers its
pending topic suggestions and the ideas screening held back, in catalog.moderation), so that
moderation imports no domain app:

    register_review_queue(
        "Ideas awaiting review",
        url=lambda: reverse("admin:catalog_idea_changelist"),
        count=lambda: Idea.objects.filter(moderation_status="flagged").count(),
    )
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ReviewQueue:
    """A list of content that waits for a moderator: its label, admin link and count."""

    label: str
    url: Callable[[], str]
    count: Callable[[], int]


@dataclass(frozen=True)
class QueueLink:
    """A queue as the admin shows it: label, link and the count now."""

    label: str
    url: str
    count: int


_queues: dict[str, ReviewQueue] = {}


def register_review_queue(label: str, *, url: Callable[[], str], count: Callable[[], int]) -> None:
    """Show a review queue on the admin's reports page (registering a label again replaces it)."""
    _queues[label] = ReviewQueue(label=label, url=url, count=count)


def review_queue_links() -> list[QueueLink]:
    """Every registered queue with its count now, in the order the apps registered them."""
    return [QueueLink(q.label, q.url(), q.count()) for q in _queues.values()]
