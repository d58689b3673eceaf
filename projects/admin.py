"""Projects and invitations in the Django admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from projects import selectors, services
from projects.models import Collaborator, Invitation, InvitationStatus, Project, ProjectStatus


class CollaboratorInline(admin.TabularInline):
    model = Collaborator
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "added_at"]
    readonly_fields = ["added_at"]


class ProjectAdminForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "title",
            "description",
            "status",
            "owner",
            "organization",
            "genre",
            "episode_count",
            "target_audience",
            "template",
            "settings",
            "progress_percentage",
            "current_phase",
            "completed_steps",
            "total_steps",
        ]

    def clean_status(self) -> str:
        status = self.cleaned_data["status"]
        if status == ProjectStatus.DELETED and (
            self.instance.pk is None or self.instance.status != ProjectStatus.DELETED
        ):
            raise forms.ValidationError(
                "Use the delete action: it also stops the project's jobs and removes its files."
            )
        return status


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    form = ProjectAdminForm
    list_display = ["title", "owner", "organization", "status", "genre", "job_count", "created_at"]
    list_filter = ["status", "genre", "organization", "created_at"]
    search_fields = ["title", "description", "id", "owner__email", "owner__username"]
    list_select_related = ["owner", "organization"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["owner", "organization"]
    readonly_fields = ["id", "created_at", "updated_at", "deleted_at"]
    fieldsets = (
        (None, {"fields": ("id", "title", "description", "status", "owner", "organization")}),
        (
            "Story",
            {"fields": ("genre", "episode_count", "target_audience", "template", "settings")},
        ),
        (
            "Progress",
            {
                "fields": (
                    "progress_percentage",
                    "current_phase",
                    "completed_steps",
                    "total_steps",
                )
            },
        ),
        ("Dates", {"fields": ("created_at", "updated_at", "deleted_at")}),
    )
    inlines = [CollaboratorInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return super().get_queryset(request).annotate(_job_count=selectors.job_count_annotation())

    @admin.display(description="Jobs", ordering="_job_count")
    def job_count(self, project: Project) -> int:
        return project._job_count  # type: ignore[attr-defined]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.is_deleted:  # being purged by its cleanup job
            return [field.name for field in Project._meta.fields]
        return self.readonly_fields

    def delete_model(self, request: HttpRequest, obj: Project) -> None:
        # As DELETE /projects/:id does: jobs stop and a job removes the files, then the row.
        if obj.is_deleted:
            super().delete_model(request, obj)
        else:
            services.project_delete(project=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        for project in queryset:
            self.delete_model(request, project)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "project", "role", "status", "invited_by", "sent_at", "expires_at"]
    list_filter = ["status", "role", "sent_at"]
    search_fields = ["email", "id", "project__title", "project__id", "invited_by__email"]
    list_select_related = ["project", "invited_by"]
    autocomplete_fields = ["project", "invited_by"]
    readonly_fields = ["id", "token", "sent_at", "responded_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # invitations are sent from the API, with their e-mail

    @admin.action(description="Revoke the selected pending invitations")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        revoked = sum(
            invitation.mark_revoked()
            for invitation in queryset.filter(status=InvitationStatus.PENDING)
        )
        self.message_user(request, f"Revoked {revoked} invitations.", messages.SUCCESS)
