"""Project endpoints: the projects of the AI Movie Platform, the film job API, StoryCore and
the AI Video System, their jobs (StoryCore), sharing and invitations (AI Movie Platform)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from config.api.errors import NotFound, ValidationFailed
from config.api.requests import AuthenticatedRequest
from config.api.responses import ApiResponse
from config.api.schema import message_only
from jobs.api.serializers import JobSerializer
from jobs.api.submit import accepted, submit_job
from jobs.api.views import JOB_SORT_FIELDS
from jobs.models import Job
from jobs.selectors import job_context
from projects import permissions, selectors, services
from projects.api import serializers as s
from projects.filters import ProjectFilter, ProjectJobFilter
from projects.models import Collaborator, Invitation, InvitationStatus, Project
from projects.permissions import Action


class ProjectAccessMixin:
    """A project the caller cannot see answers 404; one they may not act on, 403."""

    def get_project(
        self, request: AuthenticatedRequest, project_id: str, action: Action
    ) -> Project:
        project = selectors.project_get_for(user=request.user, project_id=project_id)
        if project is None:
            raise NotFound("Project not found")
        permissions.require(getattr(project, "caller_role", None), action)
        return project


def _project_data(request: AuthenticatedRequest, project_id: str) -> dict[str, Any]:
    """The project as the caller now reads it (with their role and its counts)."""
    project = selectors.project_get_for(user=request.user, project_id=project_id)
    if project is None:  # deleted by someone else in the meantime
        raise NotFound("Project not found")
    return s.ProjectSerializer(
        project, context={"counts": selectors.project_counts([project])}
    ).data


class ProjectListView(GenericAPIView):
    """GET /projects (filters, sort, pages) and POST /projects."""

    schema_errors = (402, 403, 409)

    serializer_class = s.ProjectWriteSerializer
    filterset_class = ProjectFilter
    sort_fields = {
        "title": "sort_title",
        "name": "sort_title",
        "created_at": "created_at",
        "updated_at": "updated_at",
        "progress": "progress_percentage",
    }
    default_sort = "created_at"

    def get_queryset(self) -> QuerySet[Project]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Project.objects.none()
        return selectors.project_list_for(user=self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        operation_id="projects_list",
        summary="The projects the caller owns, collaborates on or sees through an organization",
        tags=["projects"],
        responses={200: s.ProjectSerializer(many=True)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        context = {"counts": selectors.project_counts(page)}
        return self.get_paginated_response(
            s.ProjectSerializer(page, many=True, context=context).data
        )

    @extend_schema(
        operation_id="projects_create",
        summary="Create a project (free plan: 3); a title the caller already uses is 409",
        tags=["projects"],
        responses={201: s.ProjectSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_create(owner=request.user, fields=data.validated_data)
        return ApiResponse(
            _project_data(request, project.pk),
            status=status.HTTP_201_CREATED,
            message="Project created successfully",
        )


class ProjectDetailView(ProjectAccessMixin, GenericAPIView):
    """GET, PUT/PATCH (partial) and DELETE /projects/:id."""

    schema_errors = (402, 403, 409)

    serializer_class = s.ProjectWriteSerializer

    @extend_schema(
        operation_id="projects_get",
        summary="A project with its collaborators, recent jobs, assets and clips",
        tags=["projects"],
        responses={200: s.ProjectDetailSerializer},
    )
    def get(self, request: AuthenticatedRequest, project_id: str) -> ApiResponse:
        project = self.get_project(request, project_id, Action.READ)
        context = selectors.project_detail_context(project=project)
        return ApiResponse(s.ProjectDetailSerializer(project, context=context).data)

    @extend_schema(
        operation_id="projects_update",
        summary="Change a project (partial updates allowed; settings merge)",
        tags=["projects"],
        responses={200: s.ProjectSerializer},
    )
    def put(self, request: AuthenticatedRequest, project_id: str) -> ApiResponse:
        project = self.get_project(request, project_id, Action.UPDATE)
        data = self.get_serializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.project_update(project=project, actor=request.user, fields=data.validated_data)
        return ApiResponse(
            _project_data(request, project.pk), message="Project updated successfully"
        )

    @extend_schema(
        operation_id="projects_partial_update",
        summary="Change a project",
        tags=["projects"],
        responses={200: s.ProjectSerializer},
    )
    def patch(self, request: AuthenticatedRequest, project_id: str) -> ApiResponse:
        return self.put(request, project_id)

    @extend_schema(
        operation_id="projects_delete",
        summary="Delete a project: it is gone at once, its jobs stop, a job removes its files",
        tags=["projects"],
        responses={200: s.DeleteResultSerializer},
    )
    def delete(self, request: AuthenticatedRequest, project_id: str) -> ApiResponse:
        project = self.get_project(request, project_id, Action.DELETE)
        deletion = services.project_delete(project=project)
        message = "Project deleted successfully"
        return ApiResponse(
            {
                "message": message,
                "id": project.pk,
                "cleanup_job_id": deletion.cleanup_job.pk,
                "cancelled_job_ids": deletion.cancelled_job_ids,
            },
            message=message,
        )


class ProjectDuplicateView(ProjectAccessMixin, GenericAPIView):
    """POST /projects/:id/duplicate (StoryCore)."""

    schema_errors = (402, 403, 409)

    serializer_class = s.DuplicateSerializer

    @extend_schema(
        operation_id="projects_duplicate",
        summary="Copy a project (owner only), optionally with its files and its jobs",
        tags=["projects"],
        responses={201: s.DuplicateResultSerializer},
    )
    def post(self, request: AuthenticatedRequest, project_id: str) -> ApiResponse:
        project = self.get_project(request, project_id, Action.DUPLICATE)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        duplication = services.project_duplicate(
            project=project,
            actor=request.user,
            title=data.validated_data.get("name"),
            copy_assets=data.validated_data["copy_assets"],
            copy_jobs=data.validated_data["copy_jobs"],
        )
        body = {
            **_project_data(request, duplication.project.pk),
            "original_project_id": project.pk,
            "copied_job_ids": [job.pk for job in duplication.copied_jobs],
            "asset_copy_job_id": duplication.asset_job.pk if duplication.asset_job else None,
        }
        return ApiResponse(
            body, status=status.HTTP_201_CREATED, message="Project duplicated successfully"
        )


class ProjectJobsView(ProjectAccessMixin, GenericAPIView):
    """GET/POST /projects/:id/jobs (StoryCore): the project's jobs, through the jobs engine."""

    schema_errors = (402, 403, 409)

    serializer_class = s.ProjectJobCreateSerializer
    queryset = Job.objects.none()  # the schema's model; the view reads the project's jobs
    filterset_class = ProjectJobFilter
    sort_fields = JOB_SORT_FIELDS
    default_sort = "created_at"

    @extend_schema(
        operation_id="projects_jobs_list",
        summary="The project's jobs, whoever started them (status, type, sort, order, pages)",
        tags=["projects"],
        responses={200: JobSerializer(many=True)},
    )
    def get(self, request: AuthenticatedRequest, project_id: str) -> Response:
        project = self.get_project(request, project_id, Action.READ)
        jobs = self.filter_queryset(selectors.project_jobs(project=project))
        page = self.paginate_queryset(jobs) or []
        return self.get_paginated_response(
            JobSerializer(page, many=True, context=job_context(page)).data
        )

    @extend_schema(
        operation_id="projects_jobs_create",
        summary="Start a job on the project (any registered type; honours Idempotency-Key)",
        tags=["projects"],
        responses={201: JobSerializer},
    )
    def post(self, request: AuthenticatedRequest, project_id: str) -> ApiResponse:
        project = self.get_project(request, project_id, Action.START_JOB)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        job, created = submit_job(
            request,
            type=data.validated_data["type"],
            input=data.validated_data["parameters"],
            project_id=project.pk,
            priority=data.validated_data["priority"],
        )
        return accepted(
            job, created, message="Job created successfully", status_code=status.HTTP_201_CREATED
        )


class ProjectCollaboratorsView(ProjectAccessMixin, GenericAPIView):
    """GET /projects/:id/collaborators and POST (invite by e-mail; owner only)."""

    schema_errors = (403, 409)

    serializer_class = s.InviteSerializer
    queryset = Collaborator.objects.none()  # the schema's model

    @extend_schema(
        operation_id="projects_collaborators_list",
        summary="Who the project is shared with",
        tags=["projects"],
        responses={200: s.CollaboratorSerializer(many=True)},
    )
    def get(self, request: AuthenticatedRequest, project_id: str) -> Response:
        project = self.get_project(request, project_id, Action.READ)
        page = self.paginate_queryset(selectors.project_collaborators(project=project)) or []
        return self.get_paginated_response(s.CollaboratorSerializer(page, many=True).data)

    @extend_schema(
        operation_id="projects_collaborators_invite",
        summary="Invite someone by e-mail as a collaborator or viewer (valid 7 days)",
        tags=["projects"],
        responses={201: s.InvitationSerializer},
    )
    def post(self, request: AuthenticatedRequest, project_id: str) -> ApiResponse:
        project = self.get_project(request, project_id, Action.SHARE)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.collaborator_invite(
            project=project,
            actor=request.user,
            email=data.validated_data["email"],
            role=data.validated_data["role"],
        )
        return ApiResponse(
            s.InvitationSerializer(invitation).data,
            status=status.HTTP_201_CREATED,
            message="Invitation sent",
        )


class ProjectCollaboratorView(ProjectAccessMixin, GenericAPIView):
    """DELETE /projects/:id/collaborators/:userId (or an invitation's id, to revoke it)."""

    schema_errors = (403, 409)

    serializer_class = s.CollaboratorSerializer

    @extend_schema(
        operation_id="projects_collaborators_remove",
        summary="Remove a collaborator (owner; anyone may leave) or revoke a pending invitation",
        tags=["projects"],
        responses={200: message_only("CollaboratorRemoved")},
    )
    def delete(self, request: AuthenticatedRequest, project_id: str, user_id: str) -> ApiResponse:
        leaving = user_id == request.user.pk
        project = self.get_project(request, project_id, Action.READ if leaving else Action.SHARE)
        removed = services.collaborator_remove(project=project, key=user_id)
        message = "Invitation revoked" if removed == "invitation" else "Collaborator removed"
        return ApiResponse({"message": message}, message=message)


class InvitationListView(GenericAPIView):
    """GET /invitations: the invitations sent to the caller's e-mail address."""

    serializer_class = s.InvitationSerializer
    queryset = Invitation.objects.none()  # the schema's model

    @extend_schema(
        operation_id="invitations_list",
        summary="Invitations to the caller's address (`status` filters; pending past 7 days "
        "reads expired)",
        tags=["projects"],
        parameters=[
            OpenApiParameter(
                "status", str, enum=InvitationStatus.values, description="Only this status."
            )
        ],
        responses={200: s.InvitationSerializer(many=True)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        wanted = request.query_params.get("status") or None
        if wanted is not None and wanted.lower() not in InvitationStatus.values:
            raise ValidationFailed.for_field(
                "status", f"Must be one of: {', '.join(InvitationStatus.values)}."
            )
        invitations = selectors.invitation_list_for(
            user=request.user, status=wanted.lower() if wanted else None
        )
        page = self.paginate_queryset(invitations) or []
        return self.get_paginated_response(s.InvitationSerializer(page, many=True).data)


class InvitationAnswerView(GenericAPIView):
    """POST /invitations/:id/accept and /decline (the id, or the e-mail link's token)."""

    schema_errors = (409,)

    serializer_class = s.InvitationSerializer
    accept = True

    def _answer(self, request: AuthenticatedRequest, invitation_id: str) -> ApiResponse:
        invitation = selectors.invitation_get_for(user=request.user, key=invitation_id)
        if invitation is None:
            raise NotFound("Invitation not found")
        answer = services.invitation_accept if self.accept else services.invitation_decline
        invitation = answer(invitation=invitation, user=request.user)
        message = "Invitation accepted" if self.accept else "Invitation declined"
        return ApiResponse(s.InvitationSerializer(invitation).data, message=message)


class InvitationAcceptView(InvitationAnswerView):
    @extend_schema(
        operation_id="invitations_accept",
        summary="Join the project with the invitation's role",
        tags=["projects"],
        request=None,
        responses={200: s.InvitationSerializer},
    )
    def post(self, request: AuthenticatedRequest, invitation_id: str) -> ApiResponse:
        return self._answer(request, invitation_id)


class InvitationDeclineView(InvitationAnswerView):
    accept = False

    @extend_schema(
        operation_id="invitations_decline",
        summary="Decline an invitation",
        tags=["projects"],
        request=None,
        responses={200: s.InvitationSerializer},
    )
    def post(self, request: AuthenticatedRequest, invitation_id: str) -> ApiResponse:
        return self._answer(request, invitation_id)
