"""Scene endpoints (StoryForge section 5): scenes, their segments, bible, playlist, likes,
and continuations.

Reads are open to everyone; writes need a bearer token. A removed scene answers 404 to all
but moderators.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import services as catalog_services
from catalog.api.views import viewer_key
from config.api.errors import NotFound, ValidationFailed
from config.api.pagination import PagePagination
from config.api.params import boolean, bounded_int
from config.api.requests import AuthenticatedRequest
from config.api.responses import ApiResponse
from jobs.api.serializers import JobSerializer
from jobs.api.submit import accepted, idempotency_key
from jobs.models import Job
from jobs.selectors import job_context
from scenes import job_types, selectors, services
from scenes.api import serializers as s
from scenes.models import Scene


class CountedPagination(PagePagination):
    """Pages of rows that carry the total themselves (`selectors.scene_list_rows`): one query
    for the page and its meta. Past the last page no row carries it and it is counted."""

    def paginate_queryset(self, queryset: QuerySet | list, request: Request, view=None) -> list:
        self.read_bounds(request)
        offset = (self.page - 1) * self.limit
        rows = list(queryset[offset : offset + self.limit])
        if rows:
            self.total = rows[0]["total"]
        else:
            self.total = queryset.count() if self.page > 1 and isinstance(queryset, QuerySet) else 0
        return rows


class SceneView(GenericAPIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []
    queryset = Scene.objects.none()  # the schema's model


def _scene(request: Request, scene_id: str) -> Scene:
    scene = selectors.scene_get(viewer=request.user, scene_id=scene_id)
    if scene is None:
        raise NotFound("Scene not found")
    return scene


def _job_data(job: Job, **extra: Any) -> dict[str, Any]:
    data = dict(JobSerializer(job, context=job_context([job])).data)
    data["estimated_time"] = job_types.estimated_time(job)
    data.update(extra)
    return data


def _filter_param(request: Request, name: str) -> str | None:
    value = (request.query_params.get(name) or "").strip()
    return value or None


class SceneListView(SceneView):
    """GET /scenes (topicId, ideaId, userId; sort recent, popular, longest) and POST /scenes."""

    serializer_class = s.SceneCreateSerializer
    schema_errors = (402, 409)
    pagination_class = CountedPagination

    @extend_schema(
        operation_id="scenes_list",
        summary="Scenes: filter by topic, idea or creator; sort recent, popular or longest",
        tags=["scenes"],
        parameters=[
            OpenApiParameter("topicId", str, description="Only this topic's scenes."),
            OpenApiParameter("ideaId", str, description="Only this idea's scenes."),
            OpenApiParameter("userId", str, description="Only this user's scenes."),
            OpenApiParameter(
                "sort",
                str,
                enum=list(selectors.SCENE_SORTS),
                description="recent (default): newest first; popular: most liked, then most "
                "viewed; longest: most seconds of video.",
            ),
        ],
        responses={200: s.SceneSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        sort = request.query_params.get("sort") or "recent"
        if sort not in selectors.SCENE_SORTS:
            raise ValidationFailed.for_field(
                "sort", f"Must be one of: {', '.join(selectors.SCENE_SORTS)}."
            )
        filters = selectors.SceneFilters(
            topic_id=_filter_param(request, "topic_id"),
            idea_id=_filter_param(request, "idea_id"),
            user_id=_filter_param(request, "user_id"),
            sort=sort,
        )
        rows = selectors.scene_list_rows(viewer=request.user, filters=filters)
        page = self.paginate_queryset(rows) or []
        response = self.get_paginated_response([s.scene_data(row, request) for row in page])
        response.camelized = True  # type: ignore[attr-defined]
        return response

    @extend_schema(
        operation_id="scenes_create",
        summary="Create a scene from a public idea: bible version 1 now, segment 1 by a job",
        tags=["scenes"],
        responses={201: s.SceneCreatedSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        scene, job = services.scene_create(
            creator=request.user,
            idea_id=fields["idea_id"],
            title=fields["title"],
            initial_script=fields["initial_script"],
            description=fields["description"],
        )
        shown = _scene(request, scene.pk)
        body = {
            "scene": s.SceneDetailSerializer(
                shown, context={"segments": [], "request": request}
            ).data,
            "job": _job_data(job),
        }
        return ApiResponse(body, status=status.HTTP_201_CREATED, message="Processing your scene...")


class SceneDetailView(SceneView):
    """GET /scenes/:id with its segments (`includeSegments`, `segmentLimit`)."""

    @extend_schema(
        operation_id="scenes_get",
        summary="A scene with its segments in order",
        tags=["scenes"],
        parameters=[
            OpenApiParameter("includeSegments", bool, description="Default true."),
            OpenApiParameter(
                "segmentLimit",
                int,
                description=f"At most this many segments (default "
                f"{selectors.DEFAULT_SEGMENT_LIMIT}, up to {selectors.MAX_SEGMENT_LIMIT}).",
            ),
        ],
        responses={200: s.SceneDetailSerializer},
    )
    def get(self, request: Request, scene_id: str) -> ApiResponse:
        include = boolean(request, "includeSegments", default=True)
        limit = bounded_int(
            request,
            "segmentLimit",
            default=selectors.DEFAULT_SEGMENT_LIMIT,
            maximum=selectors.MAX_SEGMENT_LIMIT,
        )
        scene = _scene(request, scene_id)
        catalog_services.view_record(
            target_type="scene", target_id=scene.pk, viewer=viewer_key(request)
        )
        segments = (
            selectors.segment_list(scene=scene, viewer=request.user, limit=limit)
            if include
            else None
        )
        context = {"segments": segments, "request": request}
        return ApiResponse(s.SceneDetailSerializer(scene, context=context).data)


class SceneBibleView(SceneView):
    """GET /scenes/:id/bible (`version`: any kept version; default the current one)."""

    @extend_schema(
        operation_id="scenes_bible",
        summary="The scene's bible, now or at any earlier version",
        tags=["scenes"],
        parameters=[OpenApiParameter("version", int, description="Default: the current one.")],
        responses={200: s.BibleSerializer},
    )
    def get(self, request: Request, scene_id: str) -> ApiResponse:
        scene = _scene(request, scene_id)
        raw = request.query_params.get("version")
        version = None
        if raw not in (None, ""):
            version = bounded_int(request, "version", default=1, maximum=2**31 - 1)
        row = selectors.bible_get(scene=scene, version=version)
        if row is None:
            raise NotFound(f"This scene has no bible version {version}")
        return ApiResponse(s.BibleSerializer(row).data)


class SceneBibleVersionsView(SceneView):
    """GET /scenes/:id/bible/versions: every version, newest first."""

    @extend_schema(
        operation_id="scenes_bible_versions",
        summary="Every kept version of the scene's bible (newest first)",
        tags=["scenes"],
        responses={200: s.BibleVersionSerializer(many=True)},
    )
    def get(self, request: Request, scene_id: str) -> Response:
        scene = _scene(request, scene_id)
        page = self.paginate_queryset(selectors.bible_versions(scene=scene)) or []
        serializer = s.BibleVersionSerializer()
        return self.get_paginated_response([serializer.to_representation(row) for row in page])


class ScenePlaylistView(SceneView):
    """GET /scenes/:id/playlist: every playable segment's stream, in order."""

    @extend_schema(
        operation_id="scenes_playlist",
        summary="The scene's segments to play in order: HLS stream, thumbnail, start time",
        tags=["scenes"],
        responses={200: s.PlaylistSerializer},
    )
    def get(self, request: Request, scene_id: str) -> ApiResponse:
        scene = _scene(request, scene_id)
        entries = selectors.playlist(scene=scene)
        total = sum(entry.segment.duration for entry in entries)
        segment = s.PlaylistSegmentSerializer(context={"request": request})
        return ApiResponse(
            {
                "scene_id": scene.pk,
                "title": scene.title,
                "total_duration": round(total, 3),
                "segments": [segment.to_representation(entry) for entry in entries],
            }
        )


class SceneContinueView(SceneView):
    """POST /scenes/:id/continue: 202 with the job, or 409 BIBLE_VERSION_MISMATCH."""

    serializer_class = s.SceneContinueSerializer
    schema_errors = (402, 409)

    @extend_schema(
        operation_id="scenes_continue",
        summary="Continue the scene from the bible version you read (optimistic lock)",
        tags=["scenes"],
        responses={202: s.ContinuationAcceptedSerializer},
    )
    def post(self, request: AuthenticatedRequest, scene_id: str) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        scene = _scene(request, scene_id)
        version = data.validated_data["bible_version"]
        job, created = services.scene_continue(
            scene=scene,
            author=request.user,
            text=data.validated_data["continuation_text"],
            bible_version=version,
            idempotency_key=idempotency_key(request),
            request_body=request.data,
        )
        return accepted(
            job,
            created,
            message="Your continuation is being processed",
            data={"job": _job_data(job), "scene_id": scene.pk, "bible_version": version},
        )


class SceneLikeView(SceneView):
    """POST and DELETE /scenes/:id/like: idempotent, one like per user."""

    def _answer(self, scene: Scene, state: catalog_services.LikeState) -> ApiResponse:
        return ApiResponse(
            {"scene_id": scene.pk, "is_liked": state.is_liked, "like_count": state.like_count}
        )

    @extend_schema(
        operation_id="scenes_like",
        summary="Like a scene (liking it again changes nothing)",
        tags=["scenes"],
        request=None,
        responses={200: s.SceneLikeStateSerializer},
    )
    def post(self, request: AuthenticatedRequest, scene_id: str) -> ApiResponse:
        scene = _scene(request, scene_id)
        state = catalog_services.like_add(
            user=request.user, target_type="scene", target_id=scene.pk
        )
        return self._answer(scene, state)

    @extend_schema(
        operation_id="scenes_unlike",
        summary="Take a like back (when there is none, nothing changes)",
        tags=["scenes"],
        request=None,
        responses={200: s.SceneLikeStateSerializer},
    )
    def delete(self, request: AuthenticatedRequest, scene_id: str) -> ApiResponse:
        scene = _scene(request, scene_id)
        state = catalog_services.like_remove(
            user=request.user, target_type="scene", target_id=scene.pk
        )
        return self._answer(scene, state)
