"""The chat endpoints: message, choice, upload, one session (and pause/resume), sessions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request

from assets import uploads
from assets.models import Asset
from chat import selectors, services
from chat.api import serializers as s
from chat.choices import STEPS, SessionStatus, step_index
from chat.models import ChatMessage, ChatSession
from chat.selectors import SessionAccess
from config.api.errors import Forbidden, NotFound, ValidationFailed
from config.api.pagination import PagePagination
from config.api.requests import AuthenticatedRequest
from config.api.responses import ApiResponse, iso
from projects.models import Project
from projects.permissions import ProjectRole

FORM_OVERHEAD = 1024 * 1024
TAKE_PART = "Viewers can read this project's chat but not take part in it"


def _session(request: AuthenticatedRequest, session_id: str, *, field: str = "") -> SessionAccess:
    access = selectors.session_access_for(user=request.user, session_id=session_id)
    if access is None:
        details = [{"field": field, "message": "No such session."}] if field else None
        raise NotFound("Session not found", details=details)
    return access


def _taking_part(access: SessionAccess) -> ChatSession:
    if not access.can_take_part:
        raise Forbidden(TAKE_PART)
    return access.session


def _project(request: AuthenticatedRequest, project_id: str) -> Project:
    project = selectors.project_for(user=request.user, project_id=project_id)
    if project is None:
        raise NotFound(
            "Project not found", details=[{"field": "projectId", "message": "No such project."}]
        )
    if getattr(project, "caller_role", None) not in (ProjectRole.OWNER, ProjectRole.COLLABORATOR):
        raise Forbidden(TAKE_PART)
    return project


def _next_step(step: str) -> str | None:
    index = step_index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def _ai_response(message: ChatMessage) -> dict[str, Any]:
    return {
        "message_id": message.pk,
        "content": message.content,
        "choices": message.choices,
        "current_step": message.step,
        "next_step": _next_step(message.step),
        "processing_time": int(message.metadata.get("processingTime", 0)),
        "text_backend": str(message.metadata.get("textBackend", "")),
    }


def _summary(session: ChatSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "project_id": session.project_id,
        "current_step": session.current_step,
        "status": session.status,
        "progress": selectors.progress_of(session)["percentage"],
    }


def _history(message: ChatMessage) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": message.pk,
        "role": message.role,
        "content": message.content,
        "timestamp": iso(message.created_at),
        "step": message.step,
        "user_id": message.author_id,
        "attachments": list(message.attachments),
        "metadata": dict(message.metadata),
    }
    if message.role == "assistant":
        item["choices"] = list(message.choices)
    return item


def _snake_progress(progress: dict[str, Any]) -> dict[str, Any]:
    return {
        "percentage": progress["percentage"],
        "current_phase": progress["currentPhase"],
        "completed_steps": progress["completedSteps"],
        "next_steps": progress["nextSteps"],
        "workflow_steps": progress["workflowSteps"],
        "total_steps": progress["totalSteps"],
    }


def session_detail(access: SessionAccess) -> dict[str, Any]:
    session = access.session
    return {
        "id": session.pk,
        "project_id": session.project_id,
        "user_id": session.user_id,
        "current_step": session.current_step,
        "status": session.status,
        "created_at": iso(session.created_at),
        "last_activity": iso(session.last_activity),
        "message_count": session.message_count,
        "conversation_history": [_history(m) for m in selectors.session_messages(session=session)],
        "context_data": {**session.context_data, "currentFocus": session.current_step},
        "progress": _snake_progress(selectors.progress_of(session)),
        "scene_id": session.scene_id or None,
        "job_id": session.job_id or None,
        "role": access.role,
    }


class ChatMessageView(GenericAPIView):
    """POST /chat/message."""

    serializer_class = s.MessageInputSerializer
    schema_errors = (403, 404, 409)

    @extend_schema(
        operation_id="chat_message",
        summary="Send a message; with a projectId and no sessionId it starts a session",
        tags=["chat"],
        responses={200: s.MessageResultSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        text, attachments = fields["message"], fields.get("attachments", [])
        if not text:
            raise ValidationFailed.for_field("message", "The message may not be empty.")
        if fields.get("session_id"):
            access = _session(request, fields["session_id"], field="sessionId")
            session = _taking_part(access)
            if fields.get("project_id") and fields["project_id"] != session.project_id:
                raise ValidationFailed.for_field("projectId", "The session is not this project's.")
            turn = services.message_post(
                session=session, user=request.user, text=text, attachments=attachments
            )
            started = False
        else:
            project = _project(request, fields["project_id"])
            turn = services.session_start(
                project=project, user=request.user, text=text, attachments=attachments
            )
            started = True
        result = {
            "message_id": turn.user_message.pk,
            "session_id": turn.session.pk,
            "session_started": started,
            "ai_response": _ai_response(turn.answer),
            "session": _summary(turn.session),
        }
        return ApiResponse(s.MessageResultSerializer(result).data)


class ChatChoiceView(GenericAPIView):
    """POST /chat/choice."""

    serializer_class = s.ChoiceInputSerializer
    schema_errors = (403, 404, 409)

    @extend_schema(
        operation_id="chat_choice",
        summary="Pick one of the offered choices (customInput refines it) and advance",
        tags=["chat"],
        responses={200: s.ChoiceResultSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        session = _taking_part(_session(request, fields["session_id"], field="sessionId"))
        turn = services.choice_select(
            session=session,
            user=request.user,
            choice_id=fields["choice_id"],
            custom_input=fields.get("custom_input", ""),
        )
        progress = selectors.progress_of(turn.session)
        result = {
            "session_id": turn.session.pk,
            "message_id": turn.user_message.pk,
            "workflow_advanced": turn.advanced,
            "new_step": turn.new_step,
            "progress_update": {
                "percentage": progress["percentage"],
                "completed_steps": progress["completedSteps"],
                "next_steps": progress["nextSteps"],
            },
            "ai_response": _ai_response(turn.answer),
            "scene_id": turn.scene_id or None,
            "job_id": turn.job_id or None,
            "session": _summary(turn.session),
        }
        return ApiResponse(s.ChoiceResultSerializer(result).data)


def _form(request: Request) -> dict[str, Any]:
    data = request.data
    if not hasattr(data, "getlist"):
        return dict(data)
    return {key: data.get(key) for key in data}


def _analysis(asset: Asset) -> dict[str, Any] | None:
    analysis = asset.analysis or {}
    if not analysis:
        return None
    style = analysis.get("styleAnalysis") or {}
    elements = [
        f"{style[k]} {label}"
        for k, label in (("brightnessLevel", "lighting"), ("colorTone", "palette"))
        if style.get(k)
    ]
    colours = [c.get("name") for c in (asset.technical or {}).get("palette") or [] if c]
    elements += [f"{name}" for name in dict.fromkeys(colours) if name][:3]
    suitable = ["visual-style", "setting-selection"]
    if any(w in f"{asset.media_type} {asset.name}".lower() for w in ("character", "costume")):
        suitable = ["character-development", "costume-reference", "visual-style"]
    return {
        "description": str(analysis.get("description") or ""),
        "tags": [str(t) for t in analysis.get("tags") or []],
        "style_elements": elements,
        "suitable_for": suitable,
    }


class ChatUploadView(GenericAPIView):
    """POST /chat/upload."""

    serializer_class = s.UploadInputSerializer
    schema_errors = (402, 403, 404, 409, 413, 415)

    @extend_schema(
        operation_id="chat_upload",
        summary="Attach a file to a session: stored and analysed as the project's media",
        tags=["chat"],
        request={"multipart/form-data": s.UploadInputSerializer},
        responses={200: s.UploadResultSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        limit = request.user.limits.upload_bytes
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit + FORM_OVERHEAD:
            raise uploads.FileTooLarge(uploads.too_large_message(limit))
        request._request.upload_handlers = [
            uploads.LimitedUploadHandler(request._request, limit=limit, abort=False)
        ]
        form = _form(request)
        raw_id = form.get("sessionId", form.get("session_id"))
        if isinstance(raw_id, str) and raw_id:  # who may attach is checked before the body
            _taking_part(_session(request, raw_id, field="sessionId"))
        data = self.get_serializer(data=form)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        session = _taking_part(_session(request, fields["session_id"], field="sessionId"))
        if fields.get("project_id") and fields["project_id"] != session.project_id:
            raise ValidationFailed.for_field("projectId", "The session is not this project's.")
        asset = services.upload_attach(
            session=session,
            user=request.user,
            uploaded_file=fields["file"],
            description=fields.get("description", ""),
            media_type=fields.get("media_type", ""),
        )
        asset.refresh_from_db()
        result = {
            "media_id": asset.pk,
            "session_id": session.pk,
            "filename": asset.filename,
            "mime_type": asset.mime_type,
            "size": asset.size,
            "processing_status": asset.status,
            "ai_analysis": _analysis(asset),
            "embedding": {
                "status": asset.embedding_status,
                "estimated_completion": None if asset.embedded_at else "30s",
            },
        }
        return ApiResponse(s.UploadResultSerializer(result).data)


class ChatSessionView(GenericAPIView):
    """GET /chat/session/:id."""

    schema_errors = (404,)

    @extend_schema(
        operation_id="chat_session_get",
        summary="A session: its history, current step, status, decisions and progress",
        tags=["chat"],
        responses={200: s.SessionDetailSerializer},
    )
    def get(self, request: AuthenticatedRequest, session_id: str) -> ApiResponse:
        access = _session(request, session_id)
        return ApiResponse(s.SessionDetailSerializer(session_detail(access)).data)


class _SessionMoveView(GenericAPIView):
    schema_errors = (403, 404, 409)
    move = staticmethod(services.session_pause)

    def post(self, request: AuthenticatedRequest, session_id: str) -> ApiResponse:
        access = _session(request, session_id)
        self.move(session=_taking_part(access))
        fresh = selectors.session_access_for(user=request.user, session_id=session_id)
        assert fresh is not None
        return ApiResponse(s.SessionDetailSerializer(session_detail(fresh)).data)


class ChatSessionPauseView(_SessionMoveView):
    """POST /chat/session/:id/pause."""

    move = staticmethod(services.session_pause)

    @extend_schema(
        operation_id="chat_session_pause",
        summary="Pause an active session (choices and messages wait until it is resumed)",
        tags=["chat"],
        request=None,
        responses={200: s.SessionDetailSerializer},
    )
    def post(self, request: AuthenticatedRequest, session_id: str) -> ApiResponse:
        return super().post(request, session_id)


class ChatSessionResumeView(_SessionMoveView):
    """POST /chat/session/:id/resume."""

    move = staticmethod(services.session_resume)

    @extend_schema(
        operation_id="chat_session_resume",
        summary="Resume a paused session",
        tags=["chat"],
        request=None,
        responses={200: s.SessionDetailSerializer},
    )
    def post(self, request: AuthenticatedRequest, session_id: str) -> ApiResponse:
        return super().post(request, session_id)


class ChatSessionListView(GenericAPIView):
    """GET /chat/sessions."""

    pagination_class = PagePagination
    serializer_class = s.SessionListItemSerializer
    queryset = ChatSession.objects.none()  # for the schema; the list comes from the selector

    @extend_schema(
        operation_id="chat_sessions_list",
        summary="The sessions of the projects you are a member of",
        tags=["chat"],
        parameters=[
            OpenApiParameter("projectId", str, description="Only this project's sessions."),
            OpenApiParameter(
                "status",
                str,
                enum=list(SessionStatus.values),
                description="active, paused or completed.",
            ),
        ],
        responses={200: s.SessionListItemSerializer(many=True)},
    )
    def get(self, request: AuthenticatedRequest) -> ApiResponse:
        params = request.query_params
        status = params.get("status")
        if status is not None and status not in SessionStatus.values:
            raise ValidationFailed.for_field(
                "status", f"Must be one of: {', '.join(SessionStatus.values)}."
            )
        project_id = params.get("projectId") or params.get("project_id")
        sessions = selectors.session_list_for(
            user=request.user, project_id=project_id, status=status
        )
        paginator = PagePagination()
        page = paginator.paginate_queryset(sessions, request)
        items = [
            {
                "id": session.pk,
                "project_id": session.project_id,
                "project_title": session.project.title,
                "current_step": session.current_step,
                "status": session.status,
                "progress": selectors.progress_of(session)["percentage"],
                "last_activity": iso(session.last_activity),
                "created_at": iso(session.created_at),
                "message_count": session.message_count,
            }
            for session in page
        ]
        return paginator.get_paginated_response(
            list(s.SessionListItemSerializer(items, many=True).data)
        )
