"""Reads for the catalog, each one query for a whole page, and the hooks scenes fill.

Who sees what: approved topics and approved ideas in approved topics are public. A user also
sees their own topic suggestions and ideas, whatever their status (but an idea a moderator
removed); a moderator sees any of them by id. Anything else answers 404.

Scenes do not exist yet. The scenes app will register (in its AppConfig.ready):
- `register_idea_scenes(fn)`: `fn(idea, viewer)` lists the idea's scenes for its detail,
  already serialized (`[{id, title, segmentCount, thumbnailUrl}, ...]`);
- `register_scene_counts("idea" | "topic", fn)`: `fn(ids)` counts the scenes of a page of
  ideas or topics in one query (`{id: count}`).
Until then an idea's `scenes` is `[]` and every `sceneCount` is 0, which is true.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Power
from django.utils import timezone

from accounts.models import User
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
from moderation.choices import ModerationStatus

# Trending: likes and views of the last week, each weighing half as much every day.
TRENDING_HALF_LIFE_HOURS = 24
TRENDING_WINDOW_HOURS = 7 * 24
LIKE_WEIGHT = 3  # a like says more than a view
VIEW_WEIGHT = 1

IDEA_SORTS = ("newest", "popular", "trending")

Viewer = User | None
SceneKind = Literal["idea", "topic"]
IdeaScenes = Callable[[Idea, Viewer], list[dict[str, Any]]]
SceneCounts = Callable[[list[str]], dict[str, int]]

_idea_scenes: list[IdeaScenes] = []
_scene_counts: dict[str, SceneCounts] = {}


def register_idea_scenes(scenes: IdeaScenes) -> None:
    """Make `scenes(idea, viewer)` the `scenes` list of an idea's detail."""
    _idea_scenes[:] = [scenes]


def register_scene_counts(kind: SceneKind, counts: SceneCounts) -> None:
    """Make `counts(ids)` the `sceneCount` of ideas (`kind="idea"`) or topics (`"topic"`)."""
    if kind not in ("idea", "topic"):
        raise ValueError(f"Unknown scene count {kind!r}")
    _scene_counts[kind] = counts


def idea_scenes(idea: Idea, viewer: Viewer) -> list[dict[str, Any]]:
    return _idea_scenes[0](idea, viewer) if _idea_scenes else []


def scene_counts(kind: SceneKind, ids: list[str]) -> dict[str, int]:
    counts = _scene_counts.get(kind)
    return counts(ids) if counts and ids else {}


def _user(viewer: Any) -> Viewer:
    return viewer if isinstance(viewer, User) else None


# --- topics and categories ------------------------------------------------------------------


def _idea_count() -> Coalesce:
    """The public ideas of each topic, as a subquery (no query per row)."""
    ideas = (
        Idea.objects.filter(topic_id=OuterRef("pk"), moderation_status=ModerationStatus.APPROVED)
        .order_by()
        .values("topic_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(ideas), 0)


def topic_list(*, viewer: Any, status: str = TopicStatus.APPROVED) -> QuerySet[Topic]:
    """Approved topics; with another status, the viewer's own suggestions in it (a
    moderator's: everyone's)."""
    topics = Topic.objects.annotate(idea_count=_idea_count())
    if status == TopicStatus.APPROVED:
        return topics.filter(status=status)
    user = _user(viewer)
    if user is None:
        return topics.none()
    topics = topics.filter(status=status)
    return topics if user.is_moderator else topics.filter(suggested_by=user)


def topic_get(*, viewer: Any, topic_id: str) -> Topic | None:
    """One topic with its categories, if the viewer may see it."""
    user = _user(viewer)
    visible = Q(status=TopicStatus.APPROVED)
    if user is not None:
        visible |= Q(suggested_by=user)
    topics = Topic.objects.filter(pk=topic_id)
    if user is None or not user.is_moderator:
        topics = topics.filter(visible)
    return topics.annotate(idea_count=_idea_count()).prefetch_related("categories").first()


def category_list(*, topic_id: str | None = None) -> QuerySet[Category]:
    """The categories of approved topics, the topic's first."""
    categories = Category.objects.filter(topic__status=TopicStatus.APPROVED).order_by(
        "topic__position", "topic__name", "position", "name", "pk"
    )
    return categories.filter(topic_id=topic_id) if topic_id else categories


# --- ideas ----------------------------------------------------------------------------------


def _double(number: float) -> Cast:
    return Cast(Value(float(number)), FloatField())


def trending_score(target_type: str, *, now: datetime | None = None) -> Coalesce:
    """Σ (3·likes + views) · 0.5^(age in hours / 24) over a target's last week of hourly
    activity, as a correlated subquery: the database sorts by it, so trending pages."""
    now_hour = hour_of(now or timezone.now())
    # Double precision throughout: PostgreSQL reads a bare 0.5 as numeric, whose POWER is
    # some ten times slower than the floating-point one.
    age_in_half_lives = (_double(now_hour) - F("hour")) / _double(TRENDING_HALF_LIFE_HOURS)
    weighted = ExpressionWrapper(
        (F("likes") * LIKE_WEIGHT + F("views") * VIEW_WEIGHT)
        * Power(_double(0.5), age_in_half_lives),
        output_field=FloatField(),
    )
    scores = (
        Activity.objects.filter(
            target_type=target_type,
            target_id=OuterRef("pk"),
            hour__gt=now_hour - TRENDING_WINDOW_HOURS,
            hour__lte=now_hour,
        )
        .order_by()
        .values("target_id")
        .annotate(score=Sum(weighted))
        .values("score")
    )
    return Coalesce(Subquery(scores, output_field=FloatField()), Value(0.0))


def liked_by(target_type: str, viewer: Any) -> Exists | Value:
    """Whether the viewer likes each row (False for anonymous readers), in the same query."""
    user = _user(viewer)
    if user is None:
        return Value(False, output_field=BooleanField())
    return Exists(Like.objects.filter(user=user, target_type=target_type, target_id=OuterRef("pk")))


def _ideas(viewer: Any) -> QuerySet[Idea]:
    return (
        Idea.objects.select_related("topic", "category", "author")
        .prefetch_related(Prefetch("tag_rows", queryset=IdeaTag.objects.order_by("position")))
        .annotate(is_liked=liked_by("idea", viewer))
    )


def _public_or_own(viewer: Any) -> Q:
    public = Q(moderation_status=ModerationStatus.APPROVED, topic__status=TopicStatus.APPROVED)
    user = _user(viewer)
    if user is None:
        return public
    # An author sees their own ideas in review, but not one a moderator removed.
    return public | (Q(author=user) & ~Q(moderation_status=ModerationStatus.REMOVED))


def idea_list(*, viewer: Any, sort: str = "newest", now: datetime | None = None) -> QuerySet[Idea]:
    """Public ideas and the viewer's own, in the sort's order: `newest`, `popular` (likes,
    then views) or `trending` (recent likes and views, decayed: `trending_score`)."""
    ideas = _ideas(viewer).filter(_public_or_own(viewer))
    if sort == "popular":
        return ideas.order_by("-like_count", "-view_count", "-created_at", "-pk")
    if sort == "trending":
        return ideas.annotate(trending=trending_score("idea", now=now)).order_by(
            "-trending", "-created_at", "-pk"
        )
    if sort != "newest":
        raise ValueError(f"Unknown sort {sort!r}")
    return ideas.order_by("-created_at", "-pk")


def idea_get(*, viewer: Any, idea_id: str) -> Idea | None:
    """One idea, if the viewer may see it (moderators see any)."""
    user = _user(viewer)
    ideas = _ideas(viewer).filter(pk=idea_id)
    if user is None or not user.is_moderator:
        ideas = ideas.filter(_public_or_own(viewer))
    return ideas.first()


def ideas_submitted(user: User) -> int:
    """The profile's `stats.ideasSubmitted`: the user's public ideas."""
    return Idea.objects.filter(author=user, moderation_status=ModerationStatus.APPROVED).count()
