"""Moderation endpoints: StoryForge's report, queue and action, plus the audit log, its
reversal and a user's own warnings.

POST /report is for every signed-in user; the queue, the actions and the audit log are for
moderators and admins (403 FORBIDDEN for anyone else).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.errors import NotFound, ValidationFailed
from config.api.requests import AuthenticatedRequest
from config.api.responses import ApiResponse
from moderation import selectors, services, targets
from moderation.api import serializers as s
from moderation.models import ModerationAction, Report, ReportStatus


class IsModerator(BasePermission):
    """Users with role `moderator` or `admin`."""

    message = "Only moderators and admins can do this"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_moderator)


class ModeratorView(GenericAPIView):
    permission_classes = [IsAuthenticated, IsModerator]
    filter_backends: list[Any] = []


class ReportCreateView(GenericAPIView):
    """POST /report: report content (or a user) to the moderators."""

    serializer_class = s.ReportCreateSerializer
    schema_errors = (404, 409)

    @extend_schema(
        operation_id="report_create",
        tags=["moderation"],
        summary="Report content for moderation",
        responses={201: s.ReportCreatedSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_create(reporter=request.user, **data.validated_data)
        message = "Thank you for your report. Our team will review it."
        body = {
            "report_id": report.pk,
            "status": report.status,
            "target_type": report.target_type,
            "target_id": report.target_id,
            "reason": report.reason,
            "created_at": report.created_at,
            "message": message,
        }
        return ApiResponse(
            s.ReportCreatedSerializer(body).data, status=status.HTTP_201_CREATED, message=message
        )


class QueueView(ModeratorView):
    """GET /moderation/queue: reports to review, one row per target with its report count."""

    serializer_class = s.QueueItemSerializer
    queryset = Report.objects.none()  # the schema's model

    @extend_schema(
        operation_id="moderation_queue",
        tags=["moderation"],
        summary="The moderation queue (moderators and admins)",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=list(selectors.QUEUE_STATUSES),
                description="pending (default), reviewing, resolved; open = pending and "
                "reviewing; all.",
            ),
            OpenApiParameter("targetType", str, description="Only reports on this type."),
        ],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        wanted = (request.query_params.get("status") or ReportStatus.PENDING).lower()
        if wanted not in selectors.QUEUE_STATUSES:
            raise ValidationFailed.for_field(
                "status", f"Must be one of: {', '.join(selectors.QUEUE_STATUSES)}."
            )
        target_type = request.query_params.get("targetType") or request.query_params.get(
            "target_type"
        )
        if target_type:
            targets.get(target_type)  # 400 naming targetType when unknown
        rows = selectors.report_queue(status=wanted, target_type=target_type)
        page = self.paginate_queryset(rows) or []
        items = selectors.queue_items(page, status=wanted)
        return self.get_paginated_response(s.QueueItemSerializer(items, many=True).data)


class ActionView(ModeratorView):
    """POST /moderation/:id/action: dismiss, warn_user, remove_content or ban_user."""

    serializer_class = s.ActionRequestSerializer
    schema_errors = (404, 409)

    @extend_schema(
        operation_id="moderation_action",
        tags=["moderation"],
        summary="Act on a report (moderators and admins)",
        responses={200: s.ModerationActionSerializer},
    )
    def post(self, request: AuthenticatedRequest, report_id: str) -> ApiResponse:
        report = Report.objects.filter(pk=report_id).first()
        if report is None:
            raise NotFound("Report not found")
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.report_act(
            report=report,
            moderator=request.user,
            action=data.validated_data["action"],
            notes=data.validated_data["notes"],
        )
        return ApiResponse(
            {
                "id": report.pk,
                "status": report.status,
                "action_taken": done.action,
                "resolved_at": report.resolved_at,
                "notes": done.notes,
                "resolved_reports": done.details.get("reports", []),
                "action": s.ModerationActionSerializer(done).data,
            },
            message=f"Action {done.action} taken",
        )


class ActionListView(ModeratorView):
    """GET /moderation/actions: the audit log, newest first."""

    serializer_class = s.ModerationActionSerializer
    queryset = ModerationAction.objects.none()

    @extend_schema(
        operation_id="moderation_actions",
        tags=["moderation"],
        summary="The moderation audit log (moderators and admins)",
        parameters=[
            OpenApiParameter("targetType", str),
            OpenApiParameter("targetId", str),
            OpenApiParameter("userId", str, description="Actions on this user's content."),
            OpenApiParameter("action", str),
        ],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        actions = ModerationAction.objects.select_related("moderator", "target_owner")
        params = request.query_params
        for param, field in (
            ("targetType", "target_type"),
            ("targetId", "target_id"),
            ("userId", "target_owner_id"),
            ("action", "action"),
        ):
            value = params.get(param) or params.get(field)
            if value:
                actions = actions.filter(**{field: value})
        page = self.paginate_queryset(actions.order_by("-created_at", "pk")) or []
        return self.get_paginated_response(s.ModerationActionSerializer(page, many=True).data)


class ActionReverseView(ModeratorView):
    """POST /moderation/actions/:id/reverse: restore content, lift a ban, withdraw a warning,
    reopen dismissed reports."""

    serializer_class = s.ReverseRequestSerializer
    schema_errors = (404, 409)

    @extend_schema(
        operation_id="moderation_action_reverse",
        tags=["moderation"],
        summary="Reverse a moderation action (moderators and admins)",
        responses={200: s.ModerationActionSerializer},
    )
    def post(self, request: AuthenticatedRequest, action_id: str) -> ApiResponse:
        action = ModerationAction.objects.filter(pk=action_id).first()
        if action is None:
            raise NotFound("Moderation action not found")
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        reversal = services.action_reverse(
            action=action, moderator=request.user, notes=data.validated_data["notes"]
        )
        return ApiResponse(
            s.ModerationActionSerializer(reversal).data, message=f"{action.action} reversed"
        )


class WarningListView(GenericAPIView):
    """GET /moderation/warnings: the warnings moderators gave the caller."""

    serializer_class = s.WarningSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        operation_id="moderation_warnings",
        tags=["moderation"],
        summary="Your warnings from moderators",
        responses=s.WarningSerializer(many=True),
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(selectors.warnings_for(user=request.user)) or []
        return self.get_paginated_response(s.WarningSerializer(page, many=True).data)
