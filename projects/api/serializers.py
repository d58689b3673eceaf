"""Request and response shapes of the project endpoints, in every document's field names.

`title` is canonical and `name` (StoryCore, the film job API) its alias; `settings`
(StoryCore, AI Video System) and `projectSettings` (AI Movie Platform) are one object. Either
name is accepted and both are returned.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import UserSummarySerializer
from config.api.fields import (
    StrictBooleanField,
    StrictCharField,
    StrictEmailField,
    StrictIntegerField,
)
from config.api.serializers import StrictSerializer
from jobs import registry
from jobs.api.serializers import PriorityField
from jobs.models import Job, Priority
from projects.job_types import client_job_types
from projects.models import (
    Collaborator,
    CollaboratorRole,
    Invitation,
    InvitationStatus,
    Project,
    ProjectStatus,
    normalize_status,
)
from projects.project_settings import ProjectSettingsSerializer

CLIENT_STATUSES = [status for status in ProjectStatus.values if status != ProjectStatus.DELETED]
ROLES = [role for role, _ in CollaboratorRole.choices]


def one_of(values: list[str], description: str = "") -> dict[str, Any]:
    """A string schema naming its values in words.

    An output field lists its values in its description rather than as an enum: drf-spectacular
    names enums by field name, and `status` and `role` already name other choice sets (jobs,
    accounts). The request fields keep their enums.
    """
    return {"type": "string", "description": f"{description} One of: {', '.join(values)}."}


@extend_schema_field({"type": "string", "enum": CLIENT_STATUSES})
class ProjectStatusField(serializers.Field):
    """A status in any document's words (`DRAFT`, `on_hold`…); never `deleted`."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a string.")
        status = normalize_status(data)
        if status == ProjectStatus.DELETED:
            raise serializers.ValidationError("Delete a project with DELETE /projects/:id.")
        if status is None:
            raise serializers.ValidationError(f"Must be one of: {', '.join(CLIENT_STATUSES)}.")
        return status

    def to_representation(self, value: str) -> str:
        return value


@extend_schema_field({"type": "string", "enum": ROLES})
class CollaboratorRoleField(serializers.Field):
    """`collaborator` (reads, changes, starts jobs) or `viewer` (reads)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str) or data.lower() not in ROLES:
            raise serializers.ValidationError(f"Must be one of: {', '.join(ROLES)}.")
        return data.lower()

    def to_representation(self, value: str) -> str:
        return value


# --- output --------------------------------------------------------------------------------


class ProgressSerializer(serializers.Serializer):
    percentage = serializers.IntegerField(source="progress_percentage")
    current_phase = serializers.CharField()
    completed_steps = serializers.IntegerField()
    total_steps = serializers.IntegerField()


class WorkflowStepSerializer(serializers.Serializer):
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=["completed", "current", "pending"])


class ProgressDetailSerializer(serializers.Serializer):
    """A project's progress in its detail: with a chat session, the workflow's steps."""

    percentage = serializers.IntegerField()
    current_phase = serializers.CharField()
    completed_steps = serializers.ListField(child=serializers.CharField())
    next_steps = serializers.ListField(child=serializers.CharField())
    workflow_steps = WorkflowStepSerializer(many=True)
    total_steps = serializers.IntegerField()


class OrganizationSummarySerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class ProjectSerializer(serializers.ModelSerializer):
    """A project as every document's client reads it (the list's shape)."""

    name = serializers.CharField(source="title", read_only=True)
    status = serializers.CharField(
        read_only=True,
        help_text=f"One of: {', '.join(CLIENT_STATUSES)} (AI Video System clients may "
        "send them in capitals: DRAFT, ON_HOLD…).",
    )
    settings = serializers.SerializerMethodField()
    project_settings = serializers.SerializerMethodField()
    progress = ProgressSerializer(source="*", read_only=True)
    owner = UserSummarySerializer(read_only=True)
    created_by = serializers.CharField(source="owner_id", read_only=True)
    organization = OrganizationSummarySerializer(read_only=True, allow_null=True)
    organization_id = serializers.CharField(read_only=True, allow_null=True)
    role = serializers.SerializerMethodField()
    asset_count = serializers.SerializerMethodField()
    media_count = serializers.SerializerMethodField()
    job_count = serializers.SerializerMethodField()
    clip_count = serializers.SerializerMethodField()
    active_sessions_count = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "name",
            "description",
            "status",
            "genre",
            "episode_count",
            "target_audience",
            "template",
            "settings",
            "project_settings",
            "progress",
            "owner",
            "created_by",
            "organization",
            "organization_id",
            "role",
            "asset_count",
            "media_count",
            "job_count",
            "clip_count",
            "active_sessions_count",
            "created_at",
            "updated_at",
        ]

    def _count(self, name: str, project: Project) -> int:
        return self.context.get("counts", {}).get(name, {}).get(project.pk, 0)

    @extend_schema_field(ProjectSettingsSerializer)
    def get_settings(self, project: Project) -> dict[str, Any]:
        return dict(project.settings or {})

    @extend_schema_field(ProjectSettingsSerializer)
    def get_project_settings(self, project: Project) -> dict[str, Any]:
        return dict(project.settings or {})

    @extend_schema_field(one_of(["owner", *ROLES], "The caller's role on the project."))
    def get_role(self, project: Project) -> str | None:
        return getattr(project, "caller_role", None)

    def get_asset_count(self, project: Project) -> int:
        return self._count("asset_count", project)

    def get_media_count(self, project: Project) -> int:
        return self._count("asset_count", project)

    def get_job_count(self, project: Project) -> int:
        return getattr(project, "job_count", 0)

    def get_clip_count(self, project: Project) -> int:
        return self._count("clip_count", project)

    def get_active_sessions_count(self, project: Project) -> int:
        return self._count("active_sessions_count", project)


class CollaboratorSerializer(serializers.ModelSerializer):
    user_id = serializers.CharField()
    user = UserSummarySerializer()
    role = serializers.CharField(help_text=f"One of: {', '.join(ROLES)}.")

    class Meta:
        model = Collaborator
        fields = ["user_id", "user", "role", "added_at"]


class ProjectJobSummarySerializer(serializers.ModelSerializer):
    """A job in a project's detail (StoryCore's `jobs`); GET /projects/:id/jobs has the rest."""

    status = serializers.CharField()

    class Meta:
        model = Job
        fields = ["id", "type", "status", "progress", "created_at", "completed_at"]


class ProjectSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="title")

    class Meta:
        model = Project
        fields = ["id", "title", "name"]


@extend_schema_field(one_of(InvitationStatus.values, "The status as it reads now."))
class InvitationStatusField(serializers.Field):
    """The status as it is now: a pending invitation past its expiry reads `expired`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, invitation: Invitation) -> str:
        return invitation.current_status


class InvitationSerializer(serializers.ModelSerializer):
    role = serializers.CharField(help_text=f"One of: {', '.join(ROLES)}.")
    status = InvitationStatusField()
    project_id = serializers.CharField()
    project = ProjectSummarySerializer()
    invited_by = UserSummarySerializer(allow_null=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "status",
            "project_id",
            "project",
            "invited_by",
            "sent_at",
            "expires_at",
            "responded_at",
        ]


class ProjectDetailSerializer(ProjectSerializer):
    """One project with who it is shared with, its recent jobs and the other apps' lists.

    `assets` and `media` are the same list (StoryCore's and the AI Movie Platform's names).
    `pendingInvitations` is filled for the owner only.
    """

    progress = serializers.SerializerMethodField()  # type: ignore[assignment]
    collaborators = serializers.SerializerMethodField()
    jobs = serializers.SerializerMethodField()
    assets = serializers.SerializerMethodField()
    media = serializers.SerializerMethodField()
    clips = serializers.SerializerMethodField()
    active_sessions = serializers.SerializerMethodField()
    pending_invitations = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields,
            "collaborators",
            "jobs",
            "assets",
            "media",
            "clips",
            "active_sessions",
            "pending_invitations",
        ]

    def _items(self, name: str) -> list[dict[str, Any]]:
        return self.context.get("items", {}).get(name, [])

    @extend_schema_field(ProgressDetailSerializer)
    def get_progress(self, project: Project) -> dict[str, Any]:
        """The workflow's progress (projects.counts' progress, from the chat app), else the
        project's own fields with no steps named."""
        registered = self.context.get("progress")
        if registered:
            return dict(registered)
        return {
            "percentage": project.progress_percentage,
            "currentPhase": project.current_phase,
            "completedSteps": [],
            "nextSteps": [],
            "workflowSteps": [],
            "totalSteps": project.total_steps,
        }

    @extend_schema_field(CollaboratorSerializer(many=True))
    def get_collaborators(self, project: Project) -> Any:
        return CollaboratorSerializer(self.context.get("collaborators", []), many=True).data

    @extend_schema_field(ProjectJobSummarySerializer(many=True))
    def get_jobs(self, project: Project) -> Any:
        return ProjectJobSummarySerializer(self.context.get("recent_jobs", []), many=True).data

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_assets(self, project: Project) -> list[dict[str, Any]]:
        return self._items("assets")

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_media(self, project: Project) -> list[dict[str, Any]]:
        return self._items("assets")

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_clips(self, project: Project) -> list[dict[str, Any]]:
        return self._items("clips")

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_active_sessions(self, project: Project) -> list[dict[str, Any]]:
        return self._items("active_sessions")

    @extend_schema_field(InvitationSerializer(many=True))
    def get_pending_invitations(self, project: Project) -> Any:
        return InvitationSerializer(self.context.get("pending_invitations", []), many=True).data


class DuplicateResultSerializer(ProjectSerializer):
    original_project_id = serializers.CharField()
    copied_job_ids = serializers.ListField(child=serializers.CharField())
    asset_copy_job_id = serializers.CharField(allow_null=True)

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields,
            "original_project_id",
            "copied_job_ids",
            "asset_copy_job_id",
        ]


class DeleteResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    id = serializers.CharField()
    cleanup_job_id = serializers.CharField()
    cancelled_job_ids = serializers.ListField(child=serializers.CharField())


# --- input ---------------------------------------------------------------------------------

# What a client may send back unchanged from what it read; never applied.
READ_ONLY_FIELDS = (
    "id",
    "owner",
    "created_by",
    "organization",
    "role",
    "progress",
    "asset_count",
    "media_count",
    "job_count",
    "clip_count",
    "active_sessions_count",
    "created_at",
    "updated_at",
    "collaborators",
    "jobs",
    "assets",
    "media",
    "clips",
    "active_sessions",
    "pending_invitations",
)


class ProjectWriteSerializer(StrictSerializer):
    """POST /projects and PUT /projects/:id (partial): every document's fields."""

    title = StrictCharField(max_length=200, help_text="Also accepted as `name`.")
    description = StrictCharField(max_length=5000, required=False, allow_blank=True)
    status = ProjectStatusField(required=False)
    genre = StrictCharField(max_length=50, required=False, allow_blank=True)
    episode_count = StrictIntegerField(min_value=1, max_value=50, required=False)
    target_audience = StrictCharField(max_length=50, required=False, allow_blank=True)
    template = StrictCharField(max_length=100, required=False, allow_blank=True)
    settings = ProjectSettingsSerializer(
        required=False, help_text="Also accepted as `projectSettings`; updates merge."
    )
    organization_id = StrictCharField(
        max_length=40,
        required=False,
        allow_null=True,
        help_text="Share with an organization you are an admin or member of (null: none).",
    )
    field_aliases = {"name": "title", "project_settings": "settings"}
    ignored = READ_ONLY_FIELDS


class DuplicateSerializer(StrictSerializer):
    """StoryCore's duplicate: a name for the copy, and whether to copy its files and jobs."""

    name = StrictCharField(
        max_length=200,
        required=False,
        help_text="The copy's title (also `title`); default `<title> (copy)`.",
    )
    copy_assets = StrictBooleanField(
        required=False, default=True, help_text="Copy the project's files (by a job)."
    )
    copy_jobs = StrictBooleanField(
        required=False,
        default=False,
        help_text="Run the original's completed and pending jobs again for the copy.",
    )
    field_aliases = {"title": "name"}


class InviteSerializer(StrictSerializer):
    email = StrictEmailField(max_length=254)
    role = CollaboratorRoleField(required=False, default=CollaboratorRole.COLLABORATOR)


class ProjectJobCreateSerializer(StrictSerializer):
    """StoryCore's POST /projects/:id/jobs: a registered job type with its parameters."""

    type = StrictCharField(max_length=64)
    parameters = serializers.DictField(required=False, default=dict)
    priority = PriorityField(required=False, default=Priority.NORMAL)

    def validate_type(self, value: str) -> str:
        allowed = client_job_types()
        if value not in allowed:
            raise serializers.ValidationError(f"Must be one of: {', '.join(allowed)}.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            registry.get(attrs["type"]).estimate(attrs["parameters"])
        except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
            # The parameters come from the client: a type that cannot price them says so.
            raise serializers.ValidationError(
                {"parameters": [f"These parameters cannot be priced: {exc}"]}
            ) from None
        return attrs
