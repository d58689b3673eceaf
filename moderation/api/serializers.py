"""Moderation's request and response shapes (StoryForge section 7)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.serializers import StrictSerializer
from moderation.models import REPORT_ACTIONS, ModerationAction, ModerationWarning, ReportReason
from moderation.selectors import QueueItem


class ReportCreateSerializer(StrictSerializer):
    target_type = serializers.CharField(max_length=16)
    target_id = serializers.CharField(max_length=40)
    # Checked by the service (400 naming `reason` with the documented values).
    reason = serializers.CharField(max_length=32)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ReportCreatedSerializer(serializers.Serializer):
    report_id = serializers.CharField()
    status = serializers.CharField()
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    created_at = serializers.DateTimeField()
    message = serializers.CharField()


class UserRefSerializer(serializers.Serializer):
    id = serializers.CharField()
    username = serializers.CharField()


class QueueItemSerializer(serializers.Serializer):
    """A queue row: the earliest open report on a target, with every report's count."""

    id = serializers.CharField(source="report.pk")
    target_type = serializers.CharField(source="report.target_type")
    target_id = serializers.CharField(source="report.target_id")
    reporter = UserRefSerializer(source="report.reporter")
    reason = serializers.CharField(source="report.reason")
    description = serializers.CharField(source="report.description")
    status = serializers.CharField(source="report.status")
    created_at = serializers.DateTimeField(source="report.created_at")
    report_count = serializers.IntegerField()
    reasons = serializers.DictField(child=serializers.IntegerField())
    first_reported_at = serializers.DateTimeField()
    last_reported_at = serializers.DateTimeField()
    target_owner = serializers.SerializerMethodField()
    target = serializers.DictField()
    action_taken = serializers.CharField(source="report.action_taken", allow_null=True)
    resolved_at = serializers.DateTimeField(source="report.resolved_at", allow_null=True)

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_target_owner(self, item: QueueItem) -> Any:
        owner = item.report.target_owner
        return UserRefSerializer(owner).data if owner is not None else None


class ActionRequestSerializer(StrictSerializer):
    action = serializers.ChoiceField(choices=[str(a) for a in REPORT_ACTIONS])
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReverseRequestSerializer(StrictSerializer):
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ModerationActionSerializer(serializers.ModelSerializer):
    """One entry of the audit log."""

    moderator = UserRefSerializer()
    target_owner = UserRefSerializer(allow_null=True)
    reverses = serializers.CharField(source="reverses_id", allow_null=True)
    reversed_by = serializers.CharField(source="reversed_by_id", allow_null=True)

    class Meta:
        model = ModerationAction
        fields = [
            "id",
            "action",
            "moderator",
            "target_type",
            "target_id",
            "target_owner",
            "notes",
            "details",
            "reverses",
            "created_at",
            "reversed_at",
            "reversed_by",
        ]


class WarningSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModerationWarning
        fields = [
            "id",
            "reason",
            "message",
            "target_type",
            "target_id",
            "created_at",
            "withdrawn_at",
        ]
