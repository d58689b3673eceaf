"""Writes for the catalog: topic suggestions and their review, ideas, likes, views.

Every text a user submits is screened before it can be public (`screen`): ideas and topic
suggestions carry the verdict as `moderation_status`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from catalog import targets, view_buffer
from catalog.models import (
    Activity,
    Category,
    Idea,
    IdeaTag,
    Like,
    Topic,
    TopicStatus,
    hour_of,
)
from config.api.errors import Conflict, NotFound, ValidationFailed
from moderation.choices import ModerationStatus

logger = logging.getLogger(__name__)

# A viewer is counted once per target in this long: reloading a page is not a new view.
VIEW_DEDUP_SECONDS = 30 * 60
# Activity older than this no longer moves the trending sort (selectors.TRENDING_WINDOW_HOURS
# is shorter); the flush prunes it at most once an hour.
ACTIVITY_KEEP_HOURS = 8 * 24
MAX_TAGS = 10


# --- screening ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The screening's verdict on a text: a ModerationStatus and what it found."""

    status: str
    details: dict[str, Any] = field(default_factory=dict)


class ScreeningResult(Protocol):
    """What a screener answers (moderation.screening.ScreeningResult is one)."""

    @property
    def status(self) -> str: ...

    @property
    def score(self) -> float: ...

    @property
    def categories(self) -> Mapping[str, float]: ...

    @property
    def reasons(self) -> Sequence[Mapping[str, Any]]: ...

    @property
    def backend(self) -> str: ...


Screener = Callable[..., ScreeningResult]  # screener(text, context=...)

_screener: list[Screener] = []
# The verdicts a screener gives; anything else is a screening failure (the text waits).
SCREENED = (ModerationStatus.APPROVED, ModerationStatus.FLAGGED, ModerationStatus.REJECTED)


def set_screener(screener: Screener) -> None:
    """Make `screener(text, context=...)` judge every idea and topic suggestion.

    CatalogConfig.ready sets moderation's `screen_text`, as ModerationConfig.ready gives the
    job engine its screener (jobs.registry.set_screener).
    """
    _screener[:] = [screener]


def screen(text: str, *, context: str) -> Verdict:
    """Screen a user's text with the screener set; fails closed.

    With no screener set, or one that fails, the text waits as `pending` for a moderator
    rather than going public.
    """
    if not _screener:
        logger.error("No screener is set; the %s waits for a moderator", context)
        return Verdict(ModerationStatus.PENDING, {"screened": False, "error": "no screener"})
    try:
        result = _screener[0](text, context=context)
        if result.status not in SCREENED:
            raise ValueError(f"The screener answered {result.status!r}")
    except Exception:
        logger.exception("Screening failed for a %s; it waits for a moderator", context)
        return Verdict(ModerationStatus.PENDING, {"screened": False, "error": "screening failed"})
    return Verdict(
        ModerationStatus(result.status),
        {
            "screened": True,
            "score": result.score,
            "categories": dict(result.categories),
            "reasons": [dict(reason) for reason in result.reasons],
            "backend": result.backend,
        },
    )


# --- topics ---------------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:100].strip("-") or "topic"
    taken = set(Topic.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _name_taken(name: str) -> Conflict:
    return Conflict(
        "A topic with this name already exists or is under review", details={"name": name}
    )


def topic_suggest(*, author: User, name: str, description: str = "") -> Topic:
    """A user's topic suggestion: pending until a moderator approves it (rejected at once when
    screening rejects its text)."""
    name = " ".join(name.split())
    if Topic.objects.filter(name__iexact=name).exclude(status=TopicStatus.REJECTED).exists():
        raise _name_taken(name)
    verdict = screen(f"{name}\n\n{description}", context="topic")
    rejected = verdict.status == ModerationStatus.REJECTED
    # A suggestion that passed screening still waits for a person: its moderation status stays
    # pending (or flagged, to draw the moderator's eye) until the review.
    moderation = verdict.status if verdict.status != ModerationStatus.APPROVED else "pending"
    try:
        with transaction.atomic():
            return Topic.objects.create(
                name=name,
                slug=_unique_slug(name),
                description=description.strip(),
                suggested_by=author,
                status=TopicStatus.REJECTED if rejected else TopicStatus.PENDING,
                moderation_status=moderation,
                moderation_details=verdict.details,
            )
    except IntegrityError:  # the same name (or slug) suggested at the same moment
        raise _name_taken(name) from None


def topic_approve(*, topic: Topic, moderator: User) -> bool:
    """Publish a pending (or earlier rejected) topic; False if it was already approved."""
    try:
        return topic.mark_approved(moderator=moderator)
    except IntegrityError:  # a live topic took the name while this one was rejected
        raise _name_taken(topic.name) from None


def topic_reject(*, topic: Topic, moderator: User) -> bool:
    """Refuse a suggestion (or take an approved topic down); False if already rejected."""
    return topic.mark_rejected(moderator=moderator)


# --- ideas ----------------------------------------------------------------------------------


def normalize_tags(tags: Iterable[str]) -> list[str]:
    """Lower-case, single-spaced, without repeats, in the order given."""
    seen: dict[str, None] = {}
    for tag in tags:
        clean = " ".join(tag.split()).lower().lstrip("#")
        if clean:
            seen.setdefault(clean, None)
    return list(seen)


def _topic_and_category(
    topic_id: str | None, category_id: str | None
) -> tuple[Topic, Category | None]:
    category = None
    if category_id:
        category = Category.objects.select_related("topic").filter(pk=category_id).first()
        if category is None or not category.topic.is_public:
            raise ValidationFailed.for_field("categoryId", "Unknown category.")
        if topic_id and category.topic_id != topic_id:
            raise ValidationFailed.for_field("categoryId", "This category is not in the topic.")
        return category.topic, category
    if not topic_id:
        raise ValidationFailed.for_field("topicId", "This field is required.")
    topic = Topic.objects.filter(pk=topic_id, status=TopicStatus.APPROVED).first()
    if topic is None:
        raise ValidationFailed.for_field("topicId", "Unknown topic.")
    return topic, None


def idea_create(
    *,
    author: User,
    title: str,
    prompt: str,
    topic_id: str | None = None,
    category_id: str | None = None,
    tags: Iterable[str] = (),
) -> Idea:
    """Submit an idea in an approved topic (the category implies it); its text is screened."""
    topic, category = _topic_and_category(topic_id, category_id)
    tag_list = normalize_tags(tags)
    if len(tag_list) > MAX_TAGS:
        raise ValidationFailed.for_field("tags", f"At most {MAX_TAGS} tags.")
    title, prompt = title.strip(), prompt.strip()
    verdict = screen(f"{title}\n\n{prompt}\n\n{' '.join(tag_list)}", context="idea")
    with transaction.atomic():
        idea = Idea.objects.create(
            title=title,
            prompt=prompt,
            topic=topic,
            category=category,
            author=author,
            moderation_status=verdict.status,
            moderation_details=verdict.details,
        )
        IdeaTag.objects.bulk_create(
            IdeaTag(idea=idea, name=name, position=index) for index, name in enumerate(tag_list)
        )
    return idea


def idea_moderate(*, idea: Idea, status: str, moderator: User) -> bool:
    """A moderator's verdict on an idea (approve or reject); False if it already had it."""
    if status not in (ModerationStatus.APPROVED, ModerationStatus.REJECTED):
        raise ValueError(f"A moderator approves or rejects, not {status!r}")
    moved = idea.set_moderation(status)
    if moved:
        details = {**idea.moderation_details, "reviewedBy": moderator.pk}
        Idea.objects.filter(pk=idea.pk).update(moderation_details=details)
        idea.moderation_details = details
    return moved


# --- likes and activity ---------------------------------------------------------------------


@dataclass(frozen=True)
class LikeState:
    """Whether the user likes the target now, and how many do."""

    is_liked: bool
    like_count: int


def _activity_add(
    target_type: str, target_id: str, hour: int, *, likes: int = 0, views: int = 0
) -> None:
    """Add to one target's hourly activity row (an UPDATE, else an INSERT; a racing INSERT
    turns into the UPDATE)."""
    rows = Activity.objects.filter(target_type=target_type, target_id=target_id, hour=hour)
    if rows.update(likes=F("likes") + likes, views=F("views") + views):
        return
    if likes < 0:
        return  # an unlike whose hour is already pruned: nothing left to take back
    try:
        with transaction.atomic():
            Activity.objects.create(
                target_type=target_type, target_id=target_id, hour=hour, likes=likes, views=views
            )
    except IntegrityError:
        rows.update(likes=F("likes") + likes, views=F("views") + views)


def _like_count(target_type: str, target_id: str) -> int:
    model = targets.model_for(target_type)
    count = model._default_manager.filter(pk=target_id).values_list("like_count", flat=True)
    value = count.first()
    if value is None:
        raise NotFound()
    return int(value)


def like_add(*, user: User, target_type: str, target_id: str) -> LikeState:
    """Like a target; liking it again changes nothing (one like per user and target)."""
    model = targets.model_for(target_type)
    with transaction.atomic():
        like, created = Like.objects.get_or_create(
            user=user, target_type=target_type, target_id=target_id
        )
        if created:
            model._default_manager.filter(pk=target_id).update(like_count=F("like_count") + 1)
            _activity_add(target_type, target_id, hour_of(like.created_at), likes=1)
        return LikeState(True, _like_count(target_type, target_id))


def like_remove(*, user: User, target_type: str, target_id: str) -> LikeState:
    """Take a like back; taking back a like that is not there changes nothing."""
    model = targets.model_for(target_type)
    with transaction.atomic():
        like = Like.objects.filter(user=user, target_type=target_type, target_id=target_id).first()
        # Two racing unlikes both find the row; only the one whose DELETE removed it counts.
        if like is not None and Like.objects.filter(pk=like.pk).delete()[0]:
            model._default_manager.filter(pk=target_id, like_count__gt=0).update(
                like_count=F("like_count") - 1
            )
            _activity_add(target_type, target_id, hour_of(like.created_at), likes=-1)
        return LikeState(False, _like_count(target_type, target_id))


def view_record(
    *, target_type: str, target_id: str, viewer: str, now: datetime | None = None
) -> bool:
    """Count a view in the buffer (no database write); a viewer counts once per 30 minutes.

    `viewer` names who looks: a user id, or the client's address for anonymous readers.
    """
    now = now or timezone.now()
    seen_key = f"catalog:viewed:{target_type}:{target_id}:{viewer}"
    if not cache.add(seen_key, 1, VIEW_DEDUP_SECONDS):
        return False
    view_buffer.add(view_buffer.Key(target_type, target_id, hour_of(now)))
    return True


def views_flush(*, now: datetime | None = None) -> int:
    """Add the buffered views to the targets' `view_count` and hourly activity (F() updates,
    no row lock held across requests); prune old activity. Returns the views written."""
    counts = view_buffer.drain()
    written = 0
    if counts:
        try:
            with transaction.atomic():
                totals: Counter[tuple[str, str]] = Counter()
                for key, count in sorted(counts.items()):
                    if targets.get_model(key.target_type) is None:
                        continue  # a type no app registers any more
                    _activity_add(key.target_type, key.target_id, key.hour, views=count)
                    totals[(key.target_type, key.target_id)] += count
                for (target_type, target_id), count in sorted(totals.items()):
                    model = targets.model_for(target_type)
                    model._default_manager.filter(pk=target_id).update(
                        view_count=F("view_count") + count
                    )
                    written += count
        except Exception:
            view_buffer.restore(counts)  # the next flush tries again
            raise
    if cache.add("catalog:activity:pruned", 1, 3600):
        cutoff = hour_of(now or timezone.now()) - ACTIVITY_KEEP_HOURS
        Activity.objects.filter(hour__lt=cutoff).delete()
    return written
