"""Request and response shapes of the job and webhook endpoints."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import (
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictFloatField,
    StrictIntegerField,
    StrictURLField,
)
from config.api.serializers import StrictSerializer
from jobs import registry, webhooks
from jobs.models import (
    Job,
    JobLog,
    JobStage,
    Priority,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

PRIORITY_WORDS = [label for _, label in Priority.choices]


@extend_schema_field({"type": "string", "enum": PRIORITY_WORDS})
class PriorityField(serializers.Field):
    """`low`, `normal`, `high` or `urgent` on the wire; a number in the database."""

    def to_representation(self, value: int) -> str:
        return Priority(value).label

    def to_internal_value(self, data: Any) -> int:
        for value, label in Priority.choices:
            if data == label:
                return value
        raise serializers.ValidationError(f"Must be one of: {', '.join(PRIORITY_WORDS)}.")


class StageSerializer(serializers.ModelSerializer):
    duration = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = JobStage
        fields = ["name", "status", "progress", "duration", "started_at", "completed_at"]


class JobSerializer(serializers.ModelSerializer):
    """A job as every document's client reads it."""

    parameters = serializers.JSONField(source="input")
    priority = PriorityField()
    user_id = serializers.CharField(source="owner_id")
    project_id = serializers.SerializerMethodField()
    project_name = serializers.SerializerMethodField()
    scene_id = serializers.SerializerMethodField()
    stages = serializers.SerializerMethodField()
    estimated_cost = serializers.FloatField()
    actual_cost = serializers.FloatField()
    moderation_status = serializers.SerializerMethodField()
    queue_position = serializers.SerializerMethodField()
    estimated_start = serializers.SerializerMethodField()
    cancelled_at = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "type",
            "status",
            "stage",
            "progress",
            "message",
            "stages",
            "retry_count",
            "max_retries",
            "result",
            "error",
            "parameters",
            "priority",
            "user_id",
            "project_id",
            "project_name",
            "scene_id",
            "estimated_cost",
            "actual_cost",
            "moderation_status",
            "moderation_score",
            "queue_position",
            "estimated_start",
            "created_at",
            "queued_at",
            "started_at",
            "completed_at",
            "cancelled_at",
            "updated_at",
        ]

    def get_project_id(self, job: Job) -> str | None:
        return job.project_id or None

    def get_project_name(self, job: Job) -> str | None:
        return self.context.get("project_names", {}).get(job.project_id)

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_result(self, job: Job) -> Any:
        return registry.present_result(job.type, job.result)

    def get_scene_id(self, job: Job) -> str | None:
        return job.scene_id or None

    def get_moderation_status(self, job: Job) -> str | None:
        return job.moderation_status or None

    @extend_schema_field(StageSerializer(many=True))
    def get_stages(self, job: Job) -> Any:
        return StageSerializer(job.stages.all(), many=True).data

    def get_queue_position(self, job: Job) -> int | None:
        return self.context.get("queue_positions", {}).get(job.pk)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_estimated_start(self, job: Job) -> Any:
        start = self.context.get("estimated_starts", {}).get(job.pk)
        return serializers.DateTimeField().to_representation(start) if start else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_cancelled_at(self, job: Job) -> Any:
        if job.status != "cancelled" or job.cancel_requested_at is None:
            return None
        return serializers.DateTimeField().to_representation(job.cancel_requested_at)


class JobProgressSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.CharField()
    stage = serializers.CharField()
    progress = serializers.IntegerField()
    message = serializers.CharField()
    stages = StageSerializer(many=True)
    ws_url = serializers.CharField()


class JobLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobLog
        fields = ["timestamp", "level", "message", "details"]


class JobDetailSerializer(JobSerializer):
    """GET /jobs/:id: the job with its latest log lines (StoryCore's `logs`)."""

    logs = serializers.SerializerMethodField()

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "logs"]

    @extend_schema_field(JobLogSerializer(many=True))
    def get_logs(self, job: Job) -> Any:
        from jobs.selectors import job_latest_logs

        return JobLogSerializer(job_latest_logs(job=job), many=True).data


class JobUpdateSerializer(StrictSerializer):
    """What an owner may change (`PATCH /jobs/:id`): the priority while the job waits."""

    priority = PriorityField(required=False)
    worker_only = ("status", "progress", "stage", "result", "error", "message")

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            refused = {
                field: ["Written by the workers only; a client cannot set it."]
                for field in self.worker_only
                if field in data
            }
            if refused:
                raise serializers.ValidationError(refused)
        return super().to_internal_value(data)


class JobRetrySerializer(StrictSerializer):
    modified_text = StrictCharField(max_length=20_000, required=False)
    retry_parameters = serializers.DictField(required=False)


class CostEstimateRequestSerializer(StrictSerializer):
    """The film job API's estimate request, or any registered type with its parameters."""

    num_images = StrictIntegerField(min_value=0, max_value=1000, required=False, default=0)
    video_duration = StrictFloatField(min_value=0, max_value=3600, required=False, default=0)
    include_voice = StrictBooleanField(required=False, default=False)
    include_music = StrictBooleanField(required=False, default=False)
    type = StrictCharField(max_length=64, required=False)
    parameters = serializers.DictField(required=False)


class CostEstimateSerializer(serializers.Serializer):
    estimated_cost = serializers.FloatField()
    breakdown = serializers.DictField(child=serializers.FloatField())


class SignedUrlRequestSerializer(StrictSerializer):
    job_id = StrictCharField(max_length=40)


class SignedUrlSerializer(serializers.Serializer):
    url = serializers.CharField()
    expires_at = serializers.DateTimeField()


# --- webhooks ------------------------------------------------------------------------------

EVENT_CHOICES = [*webhooks.EVENTS, *webhooks.WILDCARDS]


class WebhookEndpointSerializer(serializers.ModelSerializer):
    delivery_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "delivery_count",
            "created_at",
            "updated_at",
        ]


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookEndpointInputSerializer(StrictSerializer):
    url = StrictURLField(max_length=2000)
    description = StrictCharField(max_length=500, required=False, allow_blank=True)
    events = serializers.ListField(
        child=StrictChoiceField(choices=EVENT_CHOICES),
        allow_empty=False,
        max_length=20,
        required=False,
    )
    is_active = StrictBooleanField(required=False)

    def validate_url(self, value: str) -> str:
        try:
            webhooks.check_target(value)
        except webhooks.UnsafeTarget as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "attempted_at", "status_code", "latency_ms", "error"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    job_id = serializers.CharField(allow_null=True)
    attempts = WebhookAttemptSerializer(many=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "job_id",
            "status",
            "attempt_count",
            "next_attempt_at",
            "payload",
            "attempts",
            "created_at",
        ]
