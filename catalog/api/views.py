"""Catalog endpoints (StoryForge): topics, categories, ideas and their likes.

Reads are open to everyone (a signed-in caller also sees their own suggestions and ideas);
writes need a bearer token.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors, services
from catalog.api import serializers as s
from catalog.filters import CategoryFilter, IdeaFilter
from catalog.models import Category, Idea, Topic, TopicStatus
from config.api.errors import NotFound, ValidationFailed
from config.api.ratelimit import client_ip
from config.api.requests import AuthenticatedRequest
from config.api.responses import ApiResponse


class CatalogView(GenericAPIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    filter_backends: list[Any] = []


class TopicListView(CatalogView):
    """GET /topics (approved topics; `status` lists the caller's own suggestions) and
    POST /topics (suggest one)."""

    schema_errors = (409,)
    serializer_class = s.TopicSuggestSerializer
    queryset = Topic.objects.none()  # the schema's model

    @extend_schema(
        operation_id="topics_list",
        summary="Topics: the approved ones, or with `status` the caller's own suggestions",
        tags=["catalog"],
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=TopicStatus.values,
                description="approved (default: every public topic); pending or rejected: "
                "the caller's own suggestions (a moderator's: everyone's).",
            )
        ],
        responses={200: s.TopicSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        wanted = (request.query_params.get("status") or TopicStatus.APPROVED).lower()
        if wanted not in TopicStatus.values:
            raise ValidationFailed.for_field(
                "status", f"Must be one of: {', '.join(TopicStatus.values)}."
            )
        topics = selectors.topic_list(viewer=request.user, status=wanted)
        page = self.paginate_queryset(topics) or []
        context = {"scene_counts": selectors.scene_counts("topic", [t.pk for t in page])}
        return self.get_paginated_response(s.TopicSerializer(page, many=True, context=context).data)

    @extend_schema(
        operation_id="topics_suggest",
        summary="Suggest a topic: it is public once a moderator approves it",
        tags=["catalog"],
        responses={201: s.TopicSuggestionSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        topic = services.topic_suggest(
            author=request.user,
            name=data.validated_data["name"],
            description=data.validated_data["description"],
        )
        body = s.TopicSuggestionSerializer(topic).data
        return ApiResponse(body, status=status.HTTP_201_CREATED, message=body["message"])


class TopicDetailView(CatalogView):
    """GET /topics/:id with its categories."""

    serializer_class = s.TopicDetailSerializer
    queryset = Topic.objects.none()

    @extend_schema(
        operation_id="topics_get",
        summary="A topic with its categories (a pending suggestion: its author only)",
        tags=["catalog"],
        responses={200: s.TopicDetailSerializer},
    )
    def get(self, request: Request, topic_id: str) -> ApiResponse:
        topic = selectors.topic_get(viewer=request.user, topic_id=topic_id)
        if topic is None:
            raise NotFound("Topic not found")
        context = {"scene_counts": selectors.scene_counts("topic", [topic.pk])}
        return ApiResponse(s.TopicDetailSerializer(topic, context=context).data)


class CategoryListView(CatalogView):
    """GET /categories (`topicId` filters)."""

    serializer_class = s.CategorySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CategoryFilter

    def get_queryset(self) -> QuerySet[Category]:
        return selectors.category_list()

    @extend_schema(
        operation_id="categories_list",
        summary="The categories of the approved topics",
        tags=["catalog"],
        responses={200: s.CategorySerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        return self.get_paginated_response(s.CategorySerializer(page, many=True).data)


def _idea_data(idea: Idea) -> dict[str, Any]:
    context = {"scene_counts": selectors.scene_counts("idea", [idea.pk])}
    return s.IdeaSerializer(idea, context=context).data


class IdeaListView(CatalogView):
    """GET /ideas (filters, sort, pages) and POST /ideas."""

    serializer_class = s.IdeaCreateSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = IdeaFilter

    def get_queryset(self) -> QuerySet[Idea]:
        sort = self.request.query_params.get("sort") or "newest"
        if sort not in selectors.IDEA_SORTS:
            raise ValidationFailed.for_field(
                "sort", f"Must be one of: {', '.join(selectors.IDEA_SORTS)}."
            )
        return selectors.idea_list(viewer=self.request.user, sort=sort)

    @extend_schema(
        operation_id="ideas_list",
        summary="Public ideas (and the caller's own): filter, sort, page",
        tags=["catalog"],
        parameters=[
            OpenApiParameter(
                "sort",
                str,
                enum=list(selectors.IDEA_SORTS),
                description="newest (default); popular: most liked; trending: most liked and "
                "viewed lately, each day's activity counting half the next day's.",
            )
        ],
        responses={200: s.IdeaSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        context = {"scene_counts": selectors.scene_counts("idea", [idea.pk for idea in page])}
        return self.get_paginated_response(s.IdeaSerializer(page, many=True, context=context).data)

    @extend_schema(
        operation_id="ideas_create",
        summary="Submit an idea; it is screened, and public once approved",
        tags=["catalog"],
        responses={201: s.IdeaSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        idea = services.idea_create(
            author=request.user,
            title=fields["title"],
            prompt=fields["prompt"],
            topic_id=fields.get("topic_id"),
            category_id=fields.get("category_id"),
            tags=fields["tags"],
        )
        created = selectors.idea_get(viewer=request.user, idea_id=idea.pk)
        if created is None:  # deleted by a moderator in the meantime
            raise NotFound("Idea not found")
        message = {
            "approved": "Idea submitted",
            "rejected": "Your idea breaks the content rules and is not published",
        }.get(created.moderation_status, "Your idea is under review")
        return ApiResponse(_idea_data(created), status=status.HTTP_201_CREATED, message=message)


def viewer_key(request: Request) -> str:
    """Who is reading, for counting views once per reader: the user, else the address."""
    user = request.user
    return f"usr:{user.pk}" if user.is_authenticated else f"ip:{client_ip(request)}"


class IdeaDetailView(CatalogView):
    """GET /ideas/:id with its scenes; each reader's view is counted (buffered)."""

    serializer_class = s.IdeaDetailSerializer
    queryset = Idea.objects.none()

    @extend_schema(
        operation_id="ideas_get",
        summary="An idea with its scenes",
        tags=["catalog"],
        responses={200: s.IdeaDetailSerializer},
    )
    def get(self, request: Request, idea_id: str) -> ApiResponse:
        idea = selectors.idea_get(viewer=request.user, idea_id=idea_id)
        if idea is None:
            raise NotFound("Idea not found")
        services.view_record(target_type="idea", target_id=idea.pk, viewer=viewer_key(request))
        context = {
            "scene_counts": selectors.scene_counts("idea", [idea.pk]),
            "scenes": selectors.idea_scenes(idea, selectors._user(request.user)),
        }
        return ApiResponse(s.IdeaDetailSerializer(idea, context=context).data)


class IdeaLikeView(CatalogView):
    """POST and DELETE /ideas/:id/like: idempotent, one like per user."""

    serializer_class = s.IdeaLikeStateSerializer
    queryset = Idea.objects.none()

    def _idea(self, request: AuthenticatedRequest, idea_id: str) -> Idea:
        idea = selectors.idea_get(viewer=request.user, idea_id=idea_id)
        if idea is None:
            raise NotFound("Idea not found")
        return idea

    def _answer(self, idea: Idea, state: services.LikeState) -> ApiResponse:
        return ApiResponse(
            {"idea_id": idea.pk, "is_liked": state.is_liked, "like_count": state.like_count}
        )

    @extend_schema(
        operation_id="ideas_like",
        summary="Like an idea (liking it again changes nothing)",
        tags=["catalog"],
        request=None,
        responses={200: s.IdeaLikeStateSerializer},
    )
    def post(self, request: AuthenticatedRequest, idea_id: str) -> ApiResponse:
        idea = self._idea(request, idea_id)
        state = services.like_add(user=request.user, target_type="idea", target_id=idea.pk)
        return self._answer(idea, state)

    @extend_schema(
        operation_id="ideas_unlike",
        summary="Take a like back (when there is none, nothing changes)",
        tags=["catalog"],
        request=None,
        responses={200: s.IdeaLikeStateSerializer},
    )
    def delete(self, request: AuthenticatedRequest, idea_id: str) -> ApiResponse:
        idea = self._idea(request, idea_id)
        state = services.like_remove(user=request.user, target_type="idea", target_id=idea.pk)
        return self._answer(idea, state)
