"""Home, browse (topics and their categories), ideas (list, page, submit)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from catalog import selectors as catalog_selectors
from catalog import services as catalog_services
from catalog.filters import IdeaFilter
from config.api.errors import ApiError
from moderation.choices import ModerationStatus as IdeaModeration
from scenes import selectors as scene_selectors
from web.forms import IdeaForm, add_api_error
from web.views.common import paginate, viewer_key

IDEA_SORTS = {"newest": "Newest", "popular": "Most liked", "trending": "Trending"}
SCENE_SORTS = {"recent": "Most recent", "popular": "Most liked", "longest": "Longest"}


def _scene_rows(
    request: HttpRequest, sort: str, limit: int, **filters: Any
) -> list[dict[str, Any]]:
    rows = scene_selectors.scene_list_rows(
        viewer=request.user, filters=scene_selectors.SceneFilters(sort=sort, **filters)
    )[:limit]
    return [
        {**row, "thumbnail_url": scene_selectors.sign(row["thumbnail_file"], request)}
        for row in rows
    ]


def home(request: HttpRequest) -> HttpResponse:
    """What the platform is, the most liked and the newest scenes, and the topics."""
    return render(
        request,
        "web/home.html",
        {
            "featured": _scene_rows(request, "popular", 4),
            "recent": _scene_rows(request, "recent", 8),
            "topics": catalog_selectors.topic_list(viewer=request.user).order_by("name")[:24],
        },
    )


def browse(request: HttpRequest) -> HttpResponse:
    """Every topic with its categories."""
    topics = (
        catalog_selectors.topic_list(viewer=request.user)
        .prefetch_related("categories")
        .order_by("name")
    )
    return render(request, "web/browse.html", {"topics": topics})


def topic(request: HttpRequest, topic_id: str) -> HttpResponse:
    """A topic: its categories, its newest ideas and scenes."""
    found = catalog_selectors.topic_get(viewer=request.user, topic_id=topic_id)
    if found is None:
        raise Http404
    ideas = catalog_selectors.idea_list(viewer=request.user).filter(topic_id=found.pk)[:12]
    return render(
        request,
        "web/topic.html",
        {
            "topic": found,
            "ideas": ideas,
            "scenes": _scene_rows(request, "recent", 8, topic_id=found.pk),
        },
    )


def ideas(request: HttpRequest) -> HttpResponse:
    """Ideas with the API's filters (topic, category, author, tags) and sorts."""
    sort = request.GET.get("sort") or "newest"
    if sort not in IDEA_SORTS:
        sort = "newest"
    queryset = catalog_selectors.idea_list(viewer=request.user, sort=sort)
    params: dict[str, str] = {
        key: str(value)
        for key, value in request.GET.items()
        if key in ("topic_id", "category_id", "user_id", "tags")
    }
    error = ""
    try:
        filtered = IdeaFilter(params, queryset=queryset).qs
    except ApiError as exc:
        filtered, error = queryset.none(), exc.message
    topics = catalog_selectors.topic_list(viewer=request.user).order_by("name")
    categories = catalog_selectors.category_list(topic_id=params.get("topic_id") or None)
    return render(
        request,
        "web/ideas.html",
        {
            "listing": paginate(request, filtered),
            "sorts": IDEA_SORTS,
            "sort": sort,
            "params": params,
            "topics": topics,
            "categories": categories,
            "filter_error": error,
        },
    )


def idea(request: HttpRequest, idea_id: str) -> HttpResponse:
    """An idea and its scenes (its author also sees its moderation state)."""
    found = catalog_selectors.idea_get(viewer=request.user, idea_id=idea_id)
    if found is None:
        raise Http404
    if found.moderation_status == IdeaModeration.APPROVED:
        catalog_services.view_record(
            target_type="idea", target_id=found.pk, viewer=viewer_key(request)
        )
    return render(
        request,
        "web/idea.html",
        {
            "idea": found,
            "scenes": _scene_rows(request, "recent", 50, idea_id=found.pk),
            "is_public": found.moderation_status == IdeaModeration.APPROVED,
        },
    )


def _category_choices(request: HttpRequest) -> list[tuple[str, str]]:
    return [
        (category.pk, f"{category.topic.name}: {category.name}")
        for category in catalog_selectors.category_list().select_related("topic")
    ]


@login_required
def idea_submit(request: HttpRequest) -> HttpResponse:
    """Submit an idea; screening decides at once whether it is public or held for review."""
    categories = _category_choices(request)
    form = IdeaForm(request.POST or None, categories=categories)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = catalog_services.idea_create(
                author=request.user,  # type: ignore[arg-type]
                title=data["title"],
                prompt=data["prompt"],
                category_id=data["category_id"],
                tags=[tag for tag in data["tags"].split(",") if tag.strip()],
            )
        except ApiError as exc:
            add_api_error(form, exc)
        else:
            messages.success(request, "Your idea was submitted.")
            return redirect(reverse("web:idea", args=[created.pk]))
    return render(request, "web/idea_form.html", {"form": form}, status=400 if form.errors else 200)


def scenes(request: HttpRequest) -> HttpResponse:
    """Every public scene, with the API's sorts and topic filter."""
    sort = request.GET.get("sort") or "recent"
    if sort not in SCENE_SORTS:
        sort = "recent"
    topic_id = request.GET.get("topic_id") or None
    rows = scene_selectors.scene_list_rows(
        viewer=request.user, filters=scene_selectors.SceneFilters(sort=sort, topic_id=topic_id)
    )
    listing = paginate(request, rows)
    listing.page.object_list = [
        {**row, "thumbnail_url": scene_selectors.sign(row["thumbnail_file"], request)}
        for row in listing.page.object_list
    ]
    return render(
        request,
        "web/scenes.html",
        {
            "listing": listing,
            "sorts": SCENE_SORTS,
            "sort": sort,
            "topic_id": topic_id or "",
            "topics": catalog_selectors.topic_list(viewer=request.user).order_by("name"),
        },
    )
