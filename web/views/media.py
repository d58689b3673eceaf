"""The media library: the files a user may see (theirs, and their projects'), filtered as
GET /media filters them, uploaded several at a time through the assets service the API uses
(the same size, type and quota checks, each refusal shown as a message), their analysis shown
when it is ready (the page polls `media_status`), semantic search (assets.search, the
ranking POST /media/search gives), an asset's page and its download."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from assets import search, selectors, services, uploads
from assets.api.serializers import size_formatted, thumbnail_url
from assets.choices import AssetKind, AssetStatus
from assets.filters import AssetFilter
from assets.models import Asset
from config.api.errors import ApiError
from projects import permissions
from projects import selectors as project_selectors
from projects.models import Project
from projects.permissions import Action
from web.views.common import paginate

# Multipart framing around the file parts (the API allows the same).
_FORM_OVERHEAD = 1024 * 1024
FILTERS = ("type", "status", "search", "tags", "media_type")
SEARCH_LIMIT = 20


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _project(request: HttpRequest, project_id: str) -> Project:
    project = project_selectors.project_get_for(user=_user(request), project_id=project_id)
    if project is None:
        raise Http404
    return project


def _can_upload(project: Project | None) -> bool:
    return project is None or permissions.allows(
        getattr(project, "caller_role", None), Action.UPDATE
    )


def _row(asset: Asset) -> dict[str, Any]:
    """What the library's table and its polling show of one asset."""
    analysis = asset.analysis or {}
    return {
        "id": asset.pk,
        "status": asset.status,
        "status_label": asset.get_status_display(),
        "description": analysis.get("description") or asset.description,
        "tags": list(dict.fromkeys([*(asset.tags or []), *(analysis.get("tags") or [])]))[:8],
        "thumbnail": thumbnail_url(asset),
    }


@login_required
def media_library(request: HttpRequest, project_id: str | None = None) -> HttpResponse:
    """The library (all the user may see, or one project's): filters, upload, search."""
    user = _user(request)
    project = _project(request, project_id) if project_id else None
    queryset = selectors.asset_list_for(user=user)
    if project is not None:
        queryset = queryset.filter(project=project)
    params = {key: request.GET[key] for key in FILTERS if request.GET.get(key)}
    error = ""
    try:
        queryset = AssetFilter(params, queryset=queryset).qs.order_by("-created_at")
        listing = paginate(request, queryset)
    except ApiError as exc:  # a bad filter value: said on the page, the list left unfiltered
        error = exc.message
        listing = paginate(request, queryset.none())
    query = request.GET.get("q", "").strip()
    results: list[tuple[Asset, dict[str, Any]]] = []
    if query:
        try:
            page = search.asset_search(
                user=user,
                query=query[:1000],
                project_id=project.pk if project else None,
                kinds=None,
                media_types=None,
                threshold=0.2,
                limit=SEARCH_LIMIT,
                offset=0,
            )
        except ApiError as exc:
            error = exc.message
        else:
            results = [
                (r.asset, {**_row(r.asset), "similarity": round(r.similarity * 100)})
                for r in page.results
            ]
    projects = project_selectors.project_list_for(user=user).order_by("title")
    context: dict[str, Any] = {
        "project": project,
        "listing": listing,
        "rows": [(asset, _row(asset)) for asset in listing.page],
        "filters": params,
        "kinds": AssetKind.choices,
        "statuses": AssetStatus.choices,
        "query": query,
        "results": results,
        "search_rows": results,
        "error": error,
        "can_upload": _can_upload(project),
        "upload_projects": [p for p in projects if _can_upload(p)] if project is None else [],
        "max_files": settings.ASSET_MAX_FILES_PER_UPLOAD,
        "upload_limit": size_formatted(user.limits.upload_bytes),
    }
    return render(request, "web/media.html", context, status=400 if error else 200)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@csrf_exempt  # checked below, once the upload handler is in place (Django's documented way)
@login_required
@require_POST
def media_upload(request: HttpRequest) -> HttpResponse:
    """Several files, each checked by assets.services.asset_create_from_upload (size, type by
    content, storage quota); a refused file never stops the others. The page's script sends
    it with XHR (upload progress) and reads JSON; without script the form posts and the
    answer is messages on the library."""
    user = _user(request)
    limit = user.limits.upload_bytes
    raw_length = str(request.META.get("CONTENT_LENGTH") or "0")
    length = int(raw_length) if raw_length.isdigit() else 0
    max_files = settings.ASSET_MAX_FILES_PER_UPLOAD
    if length > limit * max_files + _FORM_OVERHEAD:
        # Refused from the header alone: not one byte of the body is read.
        return _upload_answer(
            request, None, [], [{"filename": "", "message": uploads.too_large_message(limit)}], 413
        )
    request.upload_handlers = [uploads.LimitedUploadHandler(request, limit=limit, abort=False)]
    return _media_upload_checked(request)


@csrf_protect
def _media_upload_checked(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    project_id = request.POST.get("project_id") or ""
    project = _project(request, project_id) if project_id else None
    if not _can_upload(project):
        raise PermissionDenied("Viewers cannot add files to this project")
    files = request.FILES.getlist("files")
    rejected: list[dict[str, str]] = []
    uploaded: list[dict[str, Any]] = []
    if not files:
        rejected.append({"filename": "", "message": "Choose at least one file."})
    elif len(files) > settings.ASSET_MAX_FILES_PER_UPLOAD:
        rejected.append(
            {
                "filename": "",
                "message": f"At most {settings.ASSET_MAX_FILES_PER_UPLOAD} files per upload.",
            }
        )
        files = []
    media_type = (request.POST.get("media_type") or "")[:50]
    for upload in files:
        try:
            asset = services.asset_create_from_upload(
                owner=user, project=project, uploaded_file=upload, media_type=media_type
            )
        except ApiError as exc:
            rejected.append({"filename": str(upload.name or ""), "message": exc.message})
        else:
            uploaded.append(
                {
                    "id": asset.pk,
                    "filename": asset.filename,
                    "url": reverse("web:asset", args=[asset.pk]),
                }
            )
    status = 200 if uploaded or not rejected else 400
    return _upload_answer(request, project, uploaded, rejected, status)


def _upload_answer(
    request: HttpRequest,
    project: Project | None,
    uploaded: list[dict[str, Any]],
    rejected: list[dict[str, str]],
    status: int,
) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"uploaded": uploaded, "rejected": rejected}, status=status)
    if uploaded:
        messages.success(
            request,
            f"{len(uploaded)} file{'s' if len(uploaded) != 1 else ''} uploaded; "
            "the analysis follows.",
        )
    for item in rejected:
        name = f"{item['filename']}: " if item["filename"] else ""
        messages.error(request, f"{name}{item['message']}")
    if project is not None:
        return redirect(reverse("web:project-media", args=[project.pk]))
    return redirect("web:media")


@login_required
@require_GET
def media_status(request: HttpRequest) -> JsonResponse:
    """The analysis state of the listed assets the user may see (the library polls this
    while some are still analysed); others' ids are simply absent."""
    ids = [i for i in request.GET.get("ids", "").split(",") if i][:100]
    assets = selectors.asset_list_for(user=_user(request)).filter(pk__in=ids)
    return JsonResponse({"assets": [_row(asset) for asset in assets]})


def _access(request: HttpRequest, asset_id: str) -> selectors.AssetAccess:
    access = selectors.asset_access_for(user=_user(request), asset_id=asset_id)
    if access is None:
        raise Http404
    return access


@login_required
def asset(request: HttpRequest, asset_id: str) -> HttpResponse:
    """One asset: a preview, its analysis (palette, description, tags, style) and the
    technical data the analysis measured."""
    found = _access(request, asset_id).asset
    analysis = dict(found.analysis or {})
    technical = dict(found.technical or {})
    palette = technical.pop("palette", None) or analysis.get("palette") or []
    facts = [
        (key.replace("_", " ").capitalize() if "_" in key else key, value)
        for key, value in technical.items()
        if isinstance(value, str | int | float | bool)
    ]
    style = analysis.get("styleAnalysis") or {}
    context = {
        "asset": found,
        "row": _row(found),
        "palette": palette,
        "facts": facts,
        "style": [(k, v) for k, v in style.items() if isinstance(v, str | int | float)],
        "size": size_formatted(found.size),
        "preview": thumbnail_url(found),
        "download": reverse("web:asset-download", args=[found.pk]),
    }
    return render(request, "web/asset.html", context)


@login_required
def asset_download(request: HttpRequest, asset_id: str) -> FileResponse:
    """The file itself, with its type and name (as GET /assets/:id/download)."""
    found = _access(request, asset_id).asset
    try:
        handle = default_storage.open(found.file, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing") from None
    inline = request.GET.get("inline") == "1"
    response = FileResponse(handle, content_type=found.mime_type)
    response["Content-Disposition"] = content_disposition_header(not inline, found.filename) or ""
    response["Content-Length"] = str(found.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
