"""Writes for scenes: create, continue (the optimistic lock), finalise a segment, release,
recount, moderate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from accounts.models import User
from catalog.models import Idea, TopicStatus
from config.api.errors import ApiError, Conflict, ErrorCode, NotFound, ValidationFailed
from jobs.models import IdempotencyKey, Job
from jobs.services import IDEMPOTENCY_WINDOW, job_submit
from moderation.choices import ModerationStatus
from scenes.models import (
    HOLD_PENDING,
    BibleVersion,
    Scene,
    SceneStatus,
    Segment,
)

SCENE_CREATION = "scene_creation"
SCENE_CONTINUATION = "scene_continuation"

STALE_SUGGESTION = "Fetch latest scene and resubmit"
BUSY_SUGGESTION = "Wait for the running continuation to finish, then fetch the scene and resubmit"


class BibleVersionMismatch(ApiError):
    """409 with the documented details: `yourVersion`, `currentVersion`, `suggestion`."""

    code = ErrorCode.BIBLE_VERSION_MISMATCH
    default_message = "Scene was updated by another user"

    @classmethod
    def for_versions(cls, *, yours: int, current: int, busy: bool) -> BibleVersionMismatch:
        if busy and yours == current:
            message = "Another continuation of this scene is being processed"
            suggestion = BUSY_SUGGESTION
        else:
            message, suggestion = cls.default_message, STALE_SUGGESTION
        return cls(
            message,
            details={"yourVersion": yours, "currentVersion": current, "suggestion": suggestion},
        )


def _analyzer() -> Any:
    # Imported at call time: the analysis package is its own module (scenes.analysis).
    from scenes.analysis import analyzer

    return analyzer()


def _public_idea(idea_id: str, creator: User) -> Idea:
    idea = Idea.objects.select_related("topic").filter(pk=idea_id).first()
    if idea is None or (
        not creator.is_moderator and idea.author_id != creator.pk and not idea.is_public
    ):
        raise ValidationFailed.for_field("ideaId", "Unknown idea.")
    if idea.moderation_status != ModerationStatus.APPROVED or idea.topic.status != (
        TopicStatus.APPROVED
    ):
        raise ValidationFailed.for_field(
            "ideaId", "This idea is not public yet; a scene can be made once it is approved."
        )
    return idea


def scene_create(
    *, creator: User, idea_id: str, title: str, initial_script: str, description: str = ""
) -> tuple[Scene, Job]:
    """A scene from a public idea: bible version 1 from the script, and the job that renders
    segment 1 (it holds the scene until it ends)."""
    idea = _public_idea(idea_id, creator)
    title, script = title.strip(), initial_script.strip()
    bible = _analyzer().initial_bible(
        script=script, title=title, idea=idea.prompt, genre_hint=idea.topic.name
    )
    with transaction.atomic():
        scene = Scene.objects.create(
            title=title,
            description=description.strip(),
            idea=idea,
            topic_id=idea.topic_id,
            creator=creator,
            initial_script=script,
            bible_version=1,
            held_by_job=HOLD_PENDING,
            held_at=timezone.now(),
        )
        BibleVersion.objects.create(scene=scene, version=1, content=bible, created_by=creator)
        job, _created = job_submit(
            owner=creator,
            type=SCENE_CREATION,
            input={"sceneId": scene.pk, "text": script, "bibleVersion": 1},
            scene_id=scene.pk,
            message="Processing your scene...",
        )
        scene.pass_hold(source=HOLD_PENDING, holder=job.pk)
    return scene, job


def _current(scene_id: str) -> Scene:
    scene = Scene.objects.filter(pk=scene_id).first()
    if scene is None:
        raise NotFound("Scene not found")
    return scene


def check_continuable(scene: Scene) -> None:
    """What makes a scene refuse any continuation, whatever the version."""
    if scene.status != SceneStatus.ACTIVE:
        raise Conflict("This scene is archived and takes no more continuations")
    if scene.moderation_status in (ModerationStatus.REMOVED, ModerationStatus.REJECTED):
        raise Conflict("This scene was taken down by moderation and takes no continuations")


def scene_continue(
    *,
    scene: Scene,
    author: User,
    text: str,
    bible_version: int,
    idempotency_key: str | None = None,
    request_body: Any = None,
) -> tuple[Job, bool]:
    """Queue a continuation written against `bible_version`; returns (job, created).

    The version check and the hold are one conditional UPDATE (`Scene.take_hold`): a stale
    version, or a scene another continuation holds, is 409 BIBLE_VERSION_MISMATCH.
    """
    check_continuable(scene)
    text = text.strip()
    with transaction.atomic():
        if (
            idempotency_key
            and IdempotencyKey.objects.filter(
                owner=author,
                key=idempotency_key,
                created_at__gte=timezone.now() - IDEMPOTENCY_WINDOW,
            ).exists()
        ):
            # A replayed request gets its first job back (or 409 for another body) from
            # job_submit, before the lock could refuse it as busy.
            return job_submit(
                owner=author,
                type=SCENE_CONTINUATION,
                input={"sceneId": scene.pk, "text": text, "bibleVersion": bible_version},
                scene_id=scene.pk,
                idempotency_key=idempotency_key,
                request_body=request_body,
            )
        if not scene.take_hold(version=bible_version, holder=HOLD_PENDING):
            current = _current(scene.pk)
            raise BibleVersionMismatch.for_versions(
                yours=bible_version, current=current.bible_version, busy=current.is_held
            )
        if scene.segment_count == 0 and not Segment.objects.filter(scene=scene).exists():
            raise Conflict(
                "This scene has no segment yet: its creation job must finish (or be retried) "
                "before it can be continued"
            )
        job, _created = job_submit(
            owner=author,
            type=SCENE_CONTINUATION,
            input={"sceneId": scene.pk, "text": text, "bibleVersion": bible_version},
            scene_id=scene.pk,
            message="Your continuation is being processed",
            idempotency_key=idempotency_key,
            request_body=request_body,
        )
        scene.pass_hold(source=HOLD_PENDING, holder=job.pk)
    return job, True


def scene_release(*, scene_id: str, job_id: str) -> bool:
    """Free a scene held by a job that ended without a segment; False if it did not hold it."""
    return bool(
        Scene.objects.filter(pk=scene_id, held_by_job=job_id).update(
            held_by_job="", held_at=None, updated_at=timezone.now()
        )
    )


def scene_rehold(*, scene_id: str, job_id: str, version: int) -> bool:
    """A (retried) job takes the scene again, if it is still at the job's version and free
    (or already the job's): the same conditional UPDATE as a new continuation."""
    now = timezone.now()
    return bool(
        Scene.objects.filter(pk=scene_id, bible_version=version)
        .filter(Q(held_by_job="") | Q(held_by_job=job_id))
        .update(held_by_job=job_id, held_at=now, updated_at=now)
    )


def _counters(scene_id: str) -> dict[str, Any]:
    """The scene's counters from its visible (not removed) segments."""
    visible = Segment.objects.filter(scene_id=scene_id).exclude(
        moderation_status=ModerationStatus.REMOVED
    )
    totals = visible.aggregate(
        count=Count("pk"),
        duration=Sum("duration"),
        contributors=Count("contributor", distinct=True),
        last=Max("created_at"),
    )
    first = visible.order_by("sequence").values_list("thumbnail_file", flat=True).first()
    return {
        "segment_count": totals["count"] or 0,
        "total_duration": round(float(totals["duration"] or 0.0), 3),
        "contributor_count": totals["contributors"] or 0,
        "last_segment_at": totals["last"],
        "thumbnail_file": first or "",
    }


def scene_recount(*, scene: Scene) -> Scene:
    """Recompute the counters (after a segment is removed or restored by moderation)."""
    counters = _counters(scene.pk)
    Scene.objects.filter(pk=scene.pk).update(**counters, updated_at=timezone.now())
    for name, value in counters.items():
        setattr(scene, name, value)
    return scene


def segment_set_moderation(*, segment: Segment, status: str) -> bool:
    """Moderation's verdict on a segment; the scene's counters and playlist follow it."""
    if status not in ModerationStatus.values:
        raise ValueError(f"Unknown moderation status {status!r}")
    with transaction.atomic():
        moved = (
            Segment.objects.filter(pk=segment.pk)
            .exclude(moderation_status=status)
            .update(moderation_status=status)
        )
        if moved:
            segment.moderation_status = status
            scene_recount(scene=Scene.objects.get(pk=segment.scene_id))
    return bool(moved)


def scene_set_moderation(*, scene: Scene, status: str) -> bool:
    """Moderation's verdict on a scene (`removed` hides it from everyone but moderators)."""
    if status not in ModerationStatus.values:
        raise ValueError(f"Unknown moderation status {status!r}")
    moved = (
        Scene.objects.filter(pk=scene.pk)
        .exclude(moderation_status=status)
        .update(moderation_status=status, updated_at=timezone.now())
    )
    if moved:
        scene.moderation_status = status
    return bool(moved)


def next_sequence(scene_id: str) -> int:
    """The sequence number of the scene's next segment."""
    last = Segment.objects.filter(scene_id=scene_id).aggregate(last=Max("sequence"))["last"]
    return (last or 0) + 1


@dataclass(frozen=True)
class FinalizedSegment:
    segment: Segment
    bible_version: int
    created: bool


class HoldLost(Exception):
    """The job no longer holds the scene at its version (it was cancelled or overtaken)."""


def segment_finalize(
    *,
    job: Job,
    text: str,
    shots: list[dict[str, Any]],
    warnings: list[dict[str, Any]],
    video: dict[str, Any],
    new_bible: dict[str, Any] | None,
) -> FinalizedSegment:
    """Add the segment, the bible's next version (a continuation's), the counters; release.

    One transaction under the scene's row lock, and only while the job still holds the scene
    at its version. A rerun after a crash finds the segment it made and returns it.
    """
    scene_id, version = job.input["sceneId"], int(job.input["bibleVersion"])
    with transaction.atomic():
        existing = Segment.objects.filter(job_id=job.pk).first()
        if existing is not None:
            return FinalizedSegment(existing, existing.bible_version, created=False)
        scene = Scene.objects.select_for_update().filter(pk=scene_id).first()
        if scene is None or scene.held_by_job != job.pk or scene.bible_version != version:
            raise HoldLost(scene_id)
        sequence = next_sequence(scene.pk)
        next_version = version + 1 if new_bible is not None else version
        segment = Segment.objects.create(
            scene=scene,
            sequence=sequence,
            contributor_id=job.owner_id,
            job_id=job.pk,
            text=text,
            shots=shots,
            continuity_warnings=warnings,
            bible_version=next_version,
            duration=float(video["duration"]),
            width=int(video["width"]),
            height=int(video["height"]),
            video_file=video["file"],
            hls_file=video["hlsFile"],
            thumbnail_file=video["thumbnailFile"],
            poster_file=video.get("posterFile", ""),
        )
        if new_bible is not None:
            BibleVersion.objects.create(
                scene=scene,
                version=next_version,
                content=new_bible,
                segment=segment,
                created_by_id=job.owner_id,
            )
        else:
            # Version 1 describes the initial script, which segment 1 renders.
            BibleVersion.objects.filter(scene=scene, version=version, segment=None).update(
                segment=segment
            )
        Scene.objects.filter(pk=scene.pk).update(
            bible_version=next_version,
            held_by_job="",
            held_at=None,
            updated_at=timezone.now(),
            **_counters(scene.pk),
        )
    return FinalizedSegment(segment, next_version, created=True)


def bible_redraft(*, scene: Scene, script: str, author: User | None) -> bool:
    """Rebuild version 1 from a changed initial script (a creation job retried with
    `modifiedText`): allowed only while no segment has been built on it."""
    if Segment.objects.filter(scene=scene).exists():
        return False
    bible = _analyzer().initial_bible(
        script=script, title=scene.title, idea=scene.idea.prompt, genre_hint=scene.topic.name
    )
    with transaction.atomic():
        BibleVersion.objects.filter(scene=scene, version=1).update(content=bible)
        Scene.objects.filter(pk=scene.pk).update(initial_script=script)
    scene.initial_script = script
    return True
