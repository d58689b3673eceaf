"""A scene: watch it as one story, read its bible, like and report it, continue it, and
create one from an idea. Every write is the scenes, catalog or moderation service the API
calls; a continuation or a creation then follows its job's page (web.views.work.job)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog import selectors as catalog_selectors
from catalog import services as catalog_services
from config.api.errors import ApiError, ErrorCode
from moderation import services as moderation_services
from moderation.choices import ModerationStatus as IdeaModeration
from scenes import selectors, services
from scenes.models import Scene
from web.forms import ContinueForm, ReportForm, SceneCreateForm, add_api_error
from web.views.common import viewer_key


def _scene(request: HttpRequest, scene_id: str) -> Scene:
    scene = selectors.scene_get(viewer=request.user, scene_id=scene_id)
    if scene is None:
        raise Http404
    return scene


def _report_targets(scene: Scene, segments: list[Any]) -> list[tuple[str, str]]:
    return [(f"scene:{scene.pk}", "The whole scene")] + [
        (f"segment:{segment.pk}", f"Segment {segment.sequence}") for segment in segments
    ]


def _playlist(request: HttpRequest, scene: Scene) -> list[dict[str, Any]]:
    """What the player plays, in order: each segment's HLS stream, MP4 (the fallback),
    poster and where it starts in the story."""
    return [
        {
            "id": entry.segment.pk,
            "sequence": entry.segment.sequence,
            "start": entry.start_time,
            "duration": entry.segment.duration,
            "hls": selectors.sign(entry.segment.hls_file, request),
            "poster": selectors.sign(entry.segment.thumbnail_file, request),
        }
        for entry in selectors.playlist(scene=scene)
    ]


def scene(request: HttpRequest, scene_id: str) -> HttpResponse:
    """The scene page: the player, the segments with their contributors, likes, a report
    form, and the continue form bound to the bible version shown."""
    found = _scene(request, scene_id)
    catalog_services.view_record(
        target_type="scene", target_id=found.pk, viewer=viewer_key(request)
    )
    segments = selectors.segment_list(scene=found, viewer=request.user)
    for segment in segments:
        segment.video_url = selectors.sign(segment.video_file, request)  # type: ignore[attr-defined]
        segment.thumbnail_url = selectors.sign(segment.thumbnail_file, request)  # type: ignore[attr-defined]
    playlist = _playlist(request, found)
    start = request.GET.get("segment") or ""
    return render(
        request,
        "web/scene.html",
        {
            "scene": found,
            "segments": segments,
            "playlist": playlist,
            "start_segment": start if any(p["id"] == start for p in playlist) else "",
            "continue_form": ContinueForm(initial={"bible_version": found.bible_version}),
            "report_form": ReportForm(targets=_report_targets(found, segments)),
        },
    )


def bible(request: HttpRequest, scene_id: str) -> HttpResponse:
    """The Scene Bible as a readable page, at any of its versions."""
    found = _scene(request, scene_id)
    version_param = request.GET.get("version")
    version = int(version_param) if version_param and version_param.isdigit() else None
    row = selectors.bible_get(scene=found, version=version)
    if row is None:
        raise Http404
    return render(
        request,
        "web/bible.html",
        {
            "scene": found,
            "bible": row,
            "content": row.content,
            "versions": selectors.bible_versions(scene=found),
        },
    )


@login_required
@require_POST
def like(request: HttpRequest, scene_id: str) -> HttpResponse:
    """Like or unlike the scene (the form says which), then back to it."""
    found = _scene(request, scene_id)
    change = (
        catalog_services.like_remove
        if request.POST.get("action") == "unlike"
        else (catalog_services.like_add)
    )
    change(user=request.user, target_type="scene", target_id=found.pk)  # type: ignore[arg-type]
    return redirect(reverse("web:scene", args=[found.pk]) + "#likes")


@login_required
def report(request: HttpRequest, scene_id: str) -> HttpResponse:
    """Report the scene or one of its segments to the moderators."""
    found = _scene(request, scene_id)
    segments = selectors.segment_list(scene=found, viewer=request.user)
    form = ReportForm(request.POST or None, targets=_report_targets(found, segments))
    if request.method == "POST" and form.is_valid():
        target_type, _, target_id = form.cleaned_data["target"].partition(":")
        try:
            moderation_services.report_create(
                reporter=request.user,  # type: ignore[arg-type]
                target_type=target_type,
                target_id=target_id,
                reason=form.cleaned_data["reason"],
                description=form.cleaned_data["description"],
            )
        except ApiError as exc:
            add_api_error(form, exc)
        else:
            messages.success(request, "Thank you for your report. Our moderators will review it.")
            return redirect(reverse("web:scene", args=[found.pk]))
    return render(
        request,
        "web/report.html",
        {"scene": found, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def continue_scene(request: HttpRequest, scene_id: str) -> HttpResponse:
    """Continue the scene from the bible version the writer saw. A newer version (someone
    else continued first) is BIBLE_VERSION_MISMATCH: the page says so, keeps the text and
    offers the latest version."""
    found = _scene(request, scene_id)
    form = ContinueForm(request.POST or None, initial={"bible_version": found.bible_version})
    conflict: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            job, _created = services.scene_continue(
                scene=found,
                author=request.user,  # type: ignore[arg-type]
                text=form.cleaned_data["continuation_text"],
                bible_version=form.cleaned_data["bible_version"],
            )
        except ApiError as exc:
            if exc.code == ErrorCode.BIBLE_VERSION_MISMATCH:
                conflict = dict(exc.details or {})
                conflict["message"] = exc.message
            else:
                add_api_error(form, exc)
        else:
            return redirect(reverse("web:job", args=[job.pk]))
    latest = None
    if conflict is not None:
        latest = selectors.scene_get(viewer=request.user, scene_id=found.pk)
    return render(
        request,
        "web/continue.html",
        {
            "scene": latest or found,
            "form": form,
            "conflict": conflict,
            "segments": selectors.segment_list(scene=latest or found, viewer=request.user)[-3:],
        },
        status=409 if conflict else (400 if form.errors else 200),
    )


@login_required
def scene_create(request: HttpRequest, idea_id: str) -> HttpResponse:
    """Create a scene from a public idea with its opening script."""
    idea = catalog_selectors.idea_get(viewer=request.user, idea_id=idea_id)
    if idea is None:
        raise Http404
    form = SceneCreateForm(request.POST or None, initial={"title": idea.title})
    if request.method == "POST" and form.is_valid():
        try:
            _scene_row, job = services.scene_create(
                creator=request.user,  # type: ignore[arg-type]
                idea_id=idea.pk,
                title=form.cleaned_data["title"],
                initial_script=form.cleaned_data["initial_script"],
            )
        except ApiError as exc:
            add_api_error(form, exc)
        else:
            return redirect(reverse("web:job", args=[job.pk]))
    return render(
        request,
        "web/scene_form.html",
        {
            "idea": idea,
            "form": form,
            "is_public": idea.moderation_status == IdeaModeration.APPROVED,
        },
        status=400 if form.errors else 200,
    )
