"""Jobs and webhooks in the Django admin: follow, cancel and retry work; inspect deliveries."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from jobs import services, webhooks
from jobs.models import (
    FINISHED_STATUSES,
    Job,
    JobLog,
    JobStage,
    JobStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class JobStageInline(ReadOnlyInline):
    model = JobStage
    fields = readonly_fields = (
        "position",
        "name",
        "status",
        "progress",
        "runs",
        "started_at",
        "completed_at",
    )


class JobLogInline(ReadOnlyInline):
    model = JobLog
    fields = readonly_fields = ("timestamp", "level", "message", "details")
    ordering = ["-timestamp"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "type",
        "owner",
        "status",
        "stage",
        "progress",
        "queue",
        "priority",
        "attempts",
        "created_at",
    ]
    list_filter = ["status", "type", "queue", "priority", "created_at"]
    search_fields = ["id", "owner__email", "owner__username", "project_id", "scene_id"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Job._meta.fields]
    inlines = [JobStageInline, JobLogInline]
    actions = ["cancel_jobs", "retry_jobs"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # jobs come from the API and the apps, never typed in by hand

    @admin.action(description="Cancel the selected jobs")
    def cancel_jobs(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        cancelled = 0
        for job in queryset.exclude(status__in=FINISHED_STATUSES):
            try:
                services.job_cancel(job=job)
                cancelled += 1
            except services.JobNotCancellable:
                continue
        self.message_user(request, f"Cancelled {cancelled} jobs.", messages.SUCCESS)

    @admin.action(description="Retry the selected failed jobs")
    def retry_jobs(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        retried, refused = 0, 0
        for job in queryset.filter(status=JobStatus.FAILED):
            try:
                services.job_retry(job=job)
                retried += 1
            except (services.JobNotRetryable, services.CostLimit):
                refused += 1
        level = messages.SUCCESS if not refused else messages.WARNING
        self.message_user(request, f"Retried {retried} jobs; {refused} could not be.", level)


class WebhookAttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = readonly_fields = ("number", "attempted_at", "status_code", "latency_ms", "error")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["id", "url", "owner", "is_active", "created_at"]
    list_filter = ["is_active", "created_at"]
    search_fields = ["id", "url", "owner__email"]
    list_select_related = ["owner"]
    readonly_fields = ["id", "secret", "created_at", "updated_at"]
    autocomplete_fields = ["owner"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "endpoint", "status", "attempt_count", "created_at"]
    list_filter = ["status", "event", "created_at"]
    search_fields = ["id", "endpoint__url", "job__id"]
    list_select_related = ["endpoint"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    inlines = [WebhookAttemptInline]
    actions = ["replay"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Send the selected deliveries again")
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        for delivery in queryset:
            webhooks.replay(delivery)
        self.message_user(request, f"Queued {queryset.count()} deliveries again.", messages.SUCCESS)
