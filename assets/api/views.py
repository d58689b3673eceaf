"""Asset endpoints: StoryCore's /assets and /projects/:id/assets, the AI Movie Platform's
/media. One model and one upload path (`services.asset_create_from_upload`) serve both.

Who may do what: the uploader everything; on a project, viewers read, collaborators upload and
edit, only the owner (and the uploader) deletes; anyone else gets 404, in lists and search too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from assets import search, selectors, services, uploads
from assets.api import serializers as s
from assets.filters import AssetFilter
from assets.models import Asset
from assets.selectors import AssetAccess
from config.api.errors import ApiError, Forbidden, NotFound, ValidationFailed
from config.api.requests import AuthenticatedRequest
from config.api.responses import ApiResponse
from projects import permissions
from projects import selectors as project_selectors
from projects.models import Project
from projects.permissions import Action

# Multipart framing around the file parts: headers, boundaries, the other fields.
_FORM_OVERHEAD = 1024 * 1024
UPLOAD_ERRORS = (402, 403, 413, 415)


def _project_for_upload(
    user: Any, project_id: str | None, *, field: str = "projectId"
) -> Project | None:
    """The project an upload goes to: 404 if the caller cannot see it, 403 for a viewer."""
    if not project_id:
        return None
    project = project_selectors.project_get_for(user=user, project_id=project_id)
    if project is None:
        raise NotFound(
            "Project not found", details=[{"field": field, "message": "No such project."}]
        )
    if not permissions.allows(getattr(project, "caller_role", None), Action.UPDATE):
        raise Forbidden("Viewers cannot add assets to this project")
    return project


def _stream_uploads(request: AuthenticatedRequest, *, files: int, abort: bool) -> None:
    """Stream the body's file parts through the plan's size limit (before it is parsed)."""
    limit = request.user.limits.upload_bytes
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit * files + _FORM_OVERHEAD:
        # Refused from the header alone: not one byte of the body is read.
        raise uploads.FileTooLarge(uploads.too_large_message(limit))
    request._request.upload_handlers = [
        uploads.LimitedUploadHandler(request._request, limit=limit, abort=abort)
    ]


def _form(request: Request, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """A multipart body as a plain dict: one value per field, a list for `lists` (the strict
    serializers take a mapping of values, not a QueryDict of lists)."""
    data = request.data
    if not hasattr(data, "getlist"):
        return dict(data)
    return {key: data.getlist(key) if key in lists else data.get(key) for key in data}


def _access(request: AuthenticatedRequest, asset_id: str) -> AssetAccess:
    access = selectors.asset_access_for(user=request.user, asset_id=asset_id)
    if access is None:
        raise NotFound("Asset not found")
    return access


SORTS = {
    "created_at": "created_at",
    "upload_date": "created_at",
    "updated_at": "updated_at",
    "name": "name",
    "filename": "filename",
    "size": "size",
}


class _AssetListBase(GenericAPIView):
    filterset_class = AssetFilter
    sort_fields = SORTS
    default_sort = "created_at"

    def get_queryset(self) -> QuerySet[Asset]:
        if getattr(self, "swagger_fake_view", False):
            return Asset.objects.none()
        return selectors.asset_list_for(user=self.request.user)  # type: ignore[arg-type]


class AssetListView(_AssetListBase):
    """GET /assets (StoryCore)."""

    @extend_schema(
        operation_id="assets_list",
        summary="The assets the caller uploaded or may see through their projects",
        tags=["assets"],
        responses={200: s.AssetSerializer(many=True)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        return self.get_paginated_response(s.AssetSerializer(page, many=True).data)


class MediaListView(_AssetListBase):
    """GET /media (AI Movie Platform): the same rows, read as media."""

    @extend_schema(
        operation_id="media_list",
        summary="Media the caller may see; filters projectId, mediaType, search, tags, status",
        tags=["media"],
        responses={200: s.MediaSerializer(many=True)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        return self.get_paginated_response(s.MediaSerializer(page, many=True).data)


def _upload_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "media_type": data.get("media_type", ""),
        "description": data.get("description", ""),
        "tags": data.get("tags") or [],
    }


class AssetUploadView(GenericAPIView):
    """POST /assets/upload (StoryCore): one file, 201 with the asset."""

    serializer_class = s.AssetUploadSerializer
    schema_errors = UPLOAD_ERRORS

    def _upload(self, request: AuthenticatedRequest, project: Project | None = None) -> ApiResponse:
        _stream_uploads(request, files=1, abort=True)
        data = self.get_serializer(data=_form(request))
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if project is None:
            project = _project_for_upload(request.user, fields.get("project_id"))
        elif fields.get("project_id") not in (None, "", project.pk):
            raise ValidationFailed.for_field("projectId", "Must be this project's id or absent.")
        asset = services.asset_create_from_upload(
            owner=request.user,
            project=project,
            uploaded_file=fields["file"],
            name=fields.get("name"),
            kind=fields.get("type"),
            metadata=fields.get("metadata") or {},
            **_upload_fields(fields),
        )
        asset = selectors.asset_list_for(user=request.user).get(pk=asset.pk)
        return ApiResponse(
            s.AssetSerializer(asset).data,
            status=status.HTTP_201_CREATED,
            message="Asset uploaded successfully",
        )

    @extend_schema(
        operation_id="assets_upload",
        summary="Upload one file (checked by content; analysed and embedded afterwards)",
        tags=["assets"],
        request={"multipart/form-data": s.AssetUploadSerializer},
        responses={201: s.AssetSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        return self._upload(request)


class ProjectAssetsView(_AssetListBase, AssetUploadView):
    """GET and POST /projects/:id/assets (StoryCore)."""

    def _project(self, request: AuthenticatedRequest, project_id: str) -> Project:
        project = project_selectors.project_get_for(user=request.user, project_id=project_id)
        if project is None:
            raise NotFound("Project not found")
        return project

    @extend_schema(
        operation_id="project_assets_list",
        summary="A project's assets (any member may read them)",
        tags=["assets"],
        parameters=[OpenApiParameter("project_id", str, OpenApiParameter.PATH)],
        responses={200: s.AssetSerializer(many=True)},
    )
    def get(self, request: AuthenticatedRequest, project_id: str) -> Response:
        project = self._project(request, project_id)
        queryset = self.filter_queryset(self.get_queryset().filter(project=project))
        page = self.paginate_queryset(queryset) or []
        return self.get_paginated_response(s.AssetSerializer(page, many=True).data)

    @extend_schema(
        operation_id="project_assets_upload",
        summary="Upload one file to a project (its owner and collaborators)",
        tags=["assets"],
        parameters=[OpenApiParameter("project_id", str, OpenApiParameter.PATH)],
        request={"multipart/form-data": s.AssetUploadSerializer},
        responses={201: s.AssetSerializer},
    )
    def post(self, request: AuthenticatedRequest, project_id: str) -> ApiResponse:  # type: ignore[override]
        project = _project_for_upload(request.user, project_id, field="id")
        return self._upload(request, project)


class MediaUploadView(GenericAPIView):
    """POST /media/upload (AI Movie Platform): several files; each accepted or rejected."""

    serializer_class = s.MediaUploadSerializer
    schema_errors = (402, 403, 413)

    @extend_schema(
        operation_id="media_upload",
        summary="Upload files (repeated `files` parts); a rejected file never stops the others",
        tags=["media"],
        request={"multipart/form-data": s.MediaUploadSerializer},
        responses={200: s.MediaUploadResponseSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        _stream_uploads(request, files=settings.ASSET_MAX_FILES_PER_UPLOAD, abort=False)
        data = self.get_serializer(data=_form(request, lists=("files",)))
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        files = fields["files"]
        if len(files) > settings.ASSET_MAX_FILES_PER_UPLOAD:
            raise ValidationFailed.for_field(
                "files", f"At most {settings.ASSET_MAX_FILES_PER_UPLOAD} files per upload."
            )
        project = _project_for_upload(request.user, fields.get("project_id"))
        uploaded: list[dict[str, Any]] = []
        rejected: list[dict[str, Any]] = []
        for upload in files:
            try:
                asset = services.asset_create_from_upload(
                    owner=request.user,
                    project=project,
                    uploaded_file=upload,
                    **_upload_fields(fields),
                )
            except ApiError as error:
                rejected.append(
                    {
                        "filename": str(upload.name or ""),
                        "code": str(error.code),
                        "message": error.message,
                        "details": error.details,
                    }
                )
                continue
            uploaded.append(
                {
                    "media_id": asset.pk,
                    "id": asset.pk,
                    "filename": asset.filename,
                    "size": asset.size,
                    "mime_type": asset.mime_type,
                    "media_type": asset.media_type,
                    "type": asset.kind,
                    "status": asset.status,
                    "ai_analysis": {"status": "analyzing", "job_id": asset.analysis_job_id},
                    "embedding": {"status": asset.embedding_status, "progress": 0},
                }
            )
        message = f"{len(uploaded)} uploaded, {len(rejected)} rejected"
        return ApiResponse({"uploads": uploaded, "rejected": rejected}, message=message)


class AssetDetailView(GenericAPIView):
    """GET, PUT/PATCH and DELETE /assets/:id (StoryCore)."""

    serializer_class = s.AssetUpdateSerializer
    schema_errors = (403,)

    @extend_schema(
        operation_id="assets_get",
        summary="One asset",
        tags=["assets"],
        responses={200: s.AssetSerializer},
    )
    def get(self, request: AuthenticatedRequest, asset_id: str) -> ApiResponse:
        return ApiResponse(s.AssetSerializer(_access(request, asset_id).asset).data)

    @extend_schema(
        operation_id="assets_update",
        summary="Change an asset's name, words or metadata (uploader, project owner and "
        "collaborators); new words re-embed it",
        tags=["assets"],
        responses={200: s.AssetSerializer},
    )
    def put(self, request: AuthenticatedRequest, asset_id: str) -> ApiResponse:
        access = _access(request, asset_id)
        if not access.can_edit:
            raise Forbidden("Viewers cannot change this asset")
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.asset_update(asset=access.asset, actor=request.user, fields=data.validated_data)
        asset = _access(request, asset_id).asset
        return ApiResponse(s.AssetSerializer(asset).data, message="Asset updated successfully")

    @extend_schema(
        operation_id="assets_partial_update",
        summary="Change an asset",
        tags=["assets"],
        responses={200: s.AssetSerializer},
    )
    def patch(self, request: AuthenticatedRequest, asset_id: str) -> ApiResponse:
        return self.put(request, asset_id)

    @extend_schema(
        operation_id="assets_delete",
        summary="Delete an asset and its file (its uploader or the project's owner)",
        tags=["assets"],
        responses={200: s.DeleteResultSerializer},
    )
    def delete(self, request: AuthenticatedRequest, asset_id: str) -> ApiResponse:
        access = _access(request, asset_id)
        if not access.can_delete:
            raise Forbidden("Only the uploader or the project's owner can delete this asset")
        services.asset_delete(asset=access.asset)
        message = "Asset deleted successfully"
        return ApiResponse(
            {"id": asset_id, "message": message, "storage_freed": access.asset.size},
            message=message,
        )


class MediaDetailView(GenericAPIView):
    """GET /media/:id (AI Movie Platform)."""

    @extend_schema(
        operation_id="media_get",
        summary="One media item: technical data, AI analysis, embedding, signed links",
        tags=["media"],
        responses={200: s.MediaDetailSerializer},
    )
    def get(self, request: AuthenticatedRequest, media_id: str) -> ApiResponse:
        return ApiResponse(s.MediaDetailSerializer(_access(request, media_id).asset).data)


class AssetDownloadView(GenericAPIView):
    """GET /assets/:id/download: the file itself, with its type and name."""

    @extend_schema(
        operation_id="assets_download",
        summary="The asset's file (Content-Type from its content, attachment file name)",
        tags=["assets"],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: AuthenticatedRequest, asset_id: str) -> FileResponse:
        asset = _access(request, asset_id).asset
        try:
            handle = default_storage.open(asset.file, "rb")
        except (FileNotFoundError, OSError):
            raise NotFound("The asset's file is missing") from None
        response = FileResponse(handle, content_type=asset.mime_type)
        response["Content-Disposition"] = content_disposition_header(True, asset.filename) or ""
        response["Content-Length"] = str(asset.size)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


def _search_page(
    request: AuthenticatedRequest, fields: dict[str, Any], *, limit: int, offset: int = 0
) -> search.SearchPage:
    project_id = fields.get("project_id")
    visible = project_id and project_selectors.project_get_for(
        user=request.user, project_id=project_id
    )
    if project_id and not visible:
        raise NotFound("Project not found")
    return search.asset_search(
        user=request.user,
        query=fields["query"],
        project_id=project_id or None,
        kinds=fields.get("types") or None,
        media_types=fields.get("media_types") or None,
        threshold=fields["threshold"],
        limit=limit,
        offset=offset,
    )


class MediaSearchView(GenericAPIView):
    """POST /media/search (AI Movie Platform): semantic search by cosine similarity."""

    serializer_class = s.MediaSearchSerializer

    @extend_schema(
        operation_id="media_search",
        summary="Rank the media the caller may see by similarity to a text query",
        tags=["media"],
        responses={200: s.MediaSearchResponseSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        if not fields["query"].strip():
            raise ValidationFailed.for_field("query", "Must not be blank.")
        page = _search_page(request, fields, limit=fields["limit"])
        return ApiResponse(
            {
                "results": [
                    {
                        "media": media,
                        "similarity": round(r.similarity, 4),
                        "matching_elements": r.matching_elements,
                    }
                    for r, media in zip(
                        page.results,
                        s.MediaSearchItemSerializer(
                            [r.asset for r in page.results], many=True
                        ).data,
                        strict=True,
                    )
                ],
                "total": page.total,
                "query_embedding": {"model": page.model, "processing_time": page.processing_ms},
            }
        )


class AssetSearchQuerySerializer(s.StrictSerializer):
    q = s.StrictCharField(max_length=1000)
    type = s.StrictChoiceField(choices=s.AssetKind.choices, required=False)
    project_id = s.StrictCharField(required=False, max_length=40)
    page = s.serializers.IntegerField(required=False)
    limit = s.serializers.IntegerField(required=False)
    threshold = s.serializers.FloatField(required=False, min_value=0.0, max_value=1.0, default=0.2)


class AssetSearchView(GenericAPIView):
    """GET /assets/search?q= (StoryCore): the same ranking, paginated, `relevanceScore`."""

    @extend_schema(
        operation_id="assets_search",
        summary="Assets the caller may see, ranked by similarity to `q` (required)",
        tags=["assets"],
        parameters=[
            OpenApiParameter("q", str, required=True),
            OpenApiParameter("type", str, enum=s.AssetKind.values),
            OpenApiParameter("projectId", str),
            OpenApiParameter("threshold", float, description="Lowest relevanceScore (0.2)"),
        ],
        responses={200: s.AssetSearchResultSerializer(many=True)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        query = AssetSearchQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        fields = dict(query.validated_data)
        if not fields["q"].strip():
            raise ValidationFailed.for_field("q", "Must not be blank.")
        paginator = self.paginator
        assert paginator is not None
        # The paginator reads and bounds page and limit; the search fills the page.
        paginator.paginate_queryset([], request, view=self)  # type: ignore[arg-type]
        limit, page_number = paginator.limit, paginator.page  # type: ignore[attr-defined]
        fields["query"] = fields.pop("q")
        fields["types"] = [fields.pop("type")] if fields.get("type") else None
        page = _search_page(request, fields, limit=limit, offset=(page_number - 1) * limit)
        paginator.total = page.total  # type: ignore[attr-defined]
        scores = {r.asset.pk: r.similarity for r in page.results}
        data = s.AssetSearchResultSerializer(
            [r.asset for r in page.results], many=True, context={"scores": scores}
        ).data
        return paginator.get_paginated_response(data)
