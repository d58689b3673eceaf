"""Reads for scenes, segments and bibles: each a constant number of queries.

Who sees what: every scene and segment but the `removed` ones is public; moderators (and
admins) see removed ones too. A removed scene answers 404; a removed segment is left out of
the scene's segments and playlist, whose start times close the gap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, IntegerField, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from accounts.models import User
from catalog.models import Idea
from catalog.selectors import liked_by
from config.files import signed_url
from moderation.choices import ModerationStatus
from scenes.models import BibleVersion, Scene, Segment

SCENE_SORTS = ("recent", "popular", "longest")
DEFAULT_SEGMENT_LIMIT = 50
MAX_SEGMENT_LIMIT = 500

# What a list row reads of the scene and its joins (the idea's prompt and the users' hashes
# stay in the database).
LIST_FIELDS = (
    "id",
    "title",
    "description",
    "status",
    "moderation_status",
    "bible_version",
    "held_by_job",
    "segment_count",
    "total_duration",
    "contributor_count",
    "thumbnail_file",
    "like_count",
    "view_count",
    "last_segment_at",
    "created_at",
    "idea__id",
    "idea__title",
    "topic__id",
    "topic__name",
    "creator__id",
    "creator__username",
    "creator__display_name",
    "creator__avatar_url",
)


def _user(viewer: Any) -> User | None:
    return viewer if isinstance(viewer, User) else None


def sees_removed(viewer: Any) -> bool:
    user = _user(viewer)
    return user is not None and user.is_moderator


@dataclass(frozen=True)
class SceneFilters:
    topic_id: str | None = None
    idea_id: str | None = None
    user_id: str | None = None
    sort: str = "recent"


def _visible(scenes: QuerySet[Scene], viewer: Any) -> QuerySet[Scene]:
    if sees_removed(viewer):
        return scenes
    # Removed by a moderator, or stopped by screening before its first segment.
    return scenes.exclude(
        moderation_status__in=(ModerationStatus.REMOVED, ModerationStatus.REJECTED)
    )


def _filtered(scenes: QuerySet[Scene], viewer: Any, filters: SceneFilters) -> QuerySet[Scene]:
    scenes = _visible(scenes, viewer)
    if filters.topic_id:
        scenes = scenes.filter(topic_id=filters.topic_id)
    if filters.idea_id:
        scenes = scenes.filter(idea_id=filters.idea_id)
    if filters.user_id:
        scenes = scenes.filter(creator_id=filters.user_id)
    return scenes


def _sorted(scenes: QuerySet[Scene], sort: str) -> QuerySet[Scene]:
    if sort == "popular":
        return scenes.order_by("-like_count", "-view_count", "-created_at", "-pk")
    if sort == "longest":
        return scenes.order_by("-total_duration", "-created_at", "-pk")
    if sort != "recent":
        raise ValueError(f"Unknown sort {sort!r}")
    return scenes.order_by("-created_at", "-pk")


def scene_list(*, viewer: Any, filters: SceneFilters) -> QuerySet[Scene]:
    """Scenes with their idea, topic and creator joined and whether the viewer likes each, in
    the sort's order: `recent`, `popular` (likes, then views) or `longest` (total duration)."""
    scenes = (
        Scene.objects.select_related("idea", "topic", "creator")
        .only(*LIST_FIELDS)
        .annotate(is_liked=liked_by("scene", viewer))
    )
    return _sorted(_filtered(scenes, viewer, filters), filters.sort)


def scene_list_rows(*, viewer: Any, filters: SceneFilters) -> QuerySet[Scene, dict[str, Any]]:
    """`scene_list` as `.values()` rows: LIST_FIELDS (the joins follow from the names),
    `is_liked` (for a signed-in viewer), and `total`, how many scenes match, an uncorrelated
    subquery the database evaluates once, so that a page and its count are one query."""
    matching = _filtered(Scene.objects.order_by(), viewer, filters)
    total = matching.values(_one=Value(1)).annotate(n=Count("pk")).values("n")
    scenes = _filtered(Scene.objects.all(), viewer, filters).annotate(
        total=Coalesce(Subquery(total, output_field=IntegerField()), 0)
    )
    fields = [*LIST_FIELDS, "total"]
    if _user(viewer) is not None:  # an anonymous reader likes nothing: no column for it
        scenes = scenes.annotate(is_liked=liked_by("scene", viewer))
        fields.append("is_liked")
    return _sorted(scenes, filters.sort).values(*fields)


def scene_get(*, viewer: Any, scene_id: str) -> Scene | None:
    """One scene with its idea (and prompt), topic and creator, if the viewer may see it."""
    scenes = Scene.objects.select_related("idea", "topic", "creator").annotate(
        is_liked=liked_by("scene", viewer)
    )
    return _visible(scenes, viewer).filter(pk=scene_id).first()


def segment_list(*, scene: Scene, viewer: Any, limit: int | None = None) -> list[Segment]:
    """The scene's segments in order, without the removed ones (for moderators: with)."""
    segments = (
        Segment.objects.filter(scene=scene).select_related("contributor").order_by("sequence")
    )
    if not sees_removed(viewer):
        segments = segments.exclude(moderation_status=ModerationStatus.REMOVED)
    return list(segments[:limit] if limit is not None else segments)


@dataclass(frozen=True)
class PlaylistEntry:
    segment: Segment
    start_time: float


def playlist(*, scene: Scene) -> list[PlaylistEntry]:
    """The playable segments in order, each starting where the one before ends. Removed
    segments are skipped for everyone: the playlist is what plays."""
    segments = (
        Segment.objects.filter(scene=scene)
        .exclude(moderation_status=ModerationStatus.REMOVED)
        .exclude(hls_file="")
        .order_by("sequence")
        .only("id", "sequence", "duration", "hls_file", "thumbnail_file", "scene_id")
    )
    entries, start = [], 0.0
    for segment in segments:
        entries.append(PlaylistEntry(segment, round(start, 3)))
        start += segment.duration
    return entries


def bible_get(*, scene: Scene, version: int | None = None) -> BibleVersion | None:
    """The scene's bible at `version` (default: the current one)."""
    return BibleVersion.objects.filter(
        scene=scene, version=version if version is not None else scene.bible_version
    ).first()


def bible_versions(*, scene: Scene) -> QuerySet[BibleVersion]:
    """Every version of the scene's bible, newest first (without the content)."""
    return (
        BibleVersion.objects.filter(scene=scene)
        .select_related("created_by")
        .only(
            "id",
            "scene_id",
            "version",
            "segment_id",
            "created_at",
            "created_by__id",
            "created_by__username",
        )
        .order_by("-version")
    )


# Signed URLs of recent signatures, per file and host: (url, reuse until).
_signed: dict[tuple[str, str, int], tuple[str, float]] = {}
_SIGNED_MAX = 50_000


def sign(name: str, request: HttpRequest | None = None) -> str | None:
    """A signed, expiring URL for a stored file (None when there is none).

    Signing costs about 60 us (JSON, zlib, HMAC, URL reversing), a third of a 50-row list, so a
    signature is reused while at least half its lifetime is left: every client gets a link
    valid for at least SIGNED_URL_TTL / 2, and one thumbnail keeps one URL for a while, which
    browsers and CDNs can cache. Without the request (its host is in the URL) nothing is
    reused.
    """
    if not name:
        return None
    if request is None:
        return signed_url(name)[0]
    ttl = settings.SIGNED_URL_TTL
    host = getattr(request, "_signing_host", None)
    if host is None:  # get_host() validates ALLOWED_HOSTS each time: once per request
        host = request._signing_host = request.get_host()  # type: ignore[attr-defined]
    key = (name, host, ttl)
    now = time.time()
    hit = _signed.get(key)
    if hit is not None and hit[1] > now:
        return hit[0]
    url, expires = signed_url(name, ttl=ttl, request=request)
    if len(_signed) >= _SIGNED_MAX:
        _signed.clear()  # a bound, not an LRU: refilling costs one signature per file
    _signed[key] = (url, expires.timestamp() - ttl / 2)
    return url


# --- what other apps show of scenes --------------------------------------------------------


def _public_counts(field: str, ids: list[str]) -> dict[str, int]:
    rows = (
        Scene.objects.filter(**{f"{field}__in": ids})
        .exclude(moderation_status=ModerationStatus.REMOVED)
        .order_by()
        .values(field)
        .annotate(count=Count("pk"))
    )
    return {row[field]: row["count"] for row in rows}


def idea_scene_counts(ids: list[str]) -> dict[str, int]:
    """`sceneCount` of a page of ideas: one query."""
    return _public_counts("idea_id", ids)


def topic_scene_counts(ids: list[str]) -> dict[str, int]:
    """`sceneCount` of a page of topics: one query."""
    return _public_counts("topic_id", ids)


def idea_scenes(idea: Idea, viewer: Any) -> list[dict[str, Any]]:
    """An idea's scenes for its detail, newest first: `[{id, title, segmentCount,
    thumbnailUrl}]`."""
    scenes = (
        _visible(Scene.objects.filter(idea=idea), viewer)
        .order_by("-created_at", "-pk")
        .only("id", "title", "segment_count", "total_duration", "thumbnail_file")
    )
    return [
        {
            "id": scene.pk,
            "title": scene.title,
            "segment_count": scene.segment_count,
            "total_duration": scene.total_duration,
            "thumbnail_url": sign(scene.thumbnail_file),
        }
        for scene in scenes[:50]
    ]


# --- a user's public stats -----------------------------------------------------------------


def scenes_created(user: User) -> int:
    return (
        Scene.objects.filter(creator=user)
        .exclude(moderation_status=ModerationStatus.REMOVED)
        .count()
    )


def segments_contributed(user: User) -> int:
    return (
        Segment.objects.filter(contributor=user)
        .exclude(moderation_status=ModerationStatus.REMOVED)
        .exclude(scene__moderation_status=ModerationStatus.REMOVED)
        .count()
    )


def likes_received(user: User) -> int:
    """`stats.totalLikes`: the likes on the user's visible scenes and public ideas."""

    scenes = (
        Scene.objects.filter(creator=user)
        .exclude(moderation_status=ModerationStatus.REMOVED)
        .aggregate(total=Sum("like_count"))["total"]
    )
    ideas = Idea.objects.filter(author=user, moderation_status=ModerationStatus.APPROVED).aggregate(
        total=Sum("like_count")
    )["total"]
    return int(scenes or 0) + int(ideas or 0)
