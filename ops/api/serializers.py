"""Response shapes of the operators' endpoints (StoryCore, "System Management Endpoints")."""

from __future__ import annotations

from rest_framework import serializers

from ops.models import LogEntry


class MemorySerializer(serializers.Serializer):
    used = serializers.IntegerField(help_text="Bytes.")
    total = serializers.IntegerField(help_text="Bytes.")
    percentage = serializers.FloatField(help_text="Percent of total.")


class CpuSerializer(serializers.Serializer):
    usage = serializers.FloatField(help_text="Percent of all cores since the previous reading.")
    cores = serializers.IntegerField()


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["healthy", "unhealthy"])
    timestamp = serializers.DateTimeField()
    version = serializers.CharField()
    checks = serializers.DictField(
        child=serializers.ChoiceField(choices=["healthy", "unhealthy", "not_configured"]),
        help_text="database, redis, storage, gpuWorkers (StoryCore's comfyui), workers.",
    )
    uptime = serializers.IntegerField(help_text="Seconds this process has run.")
    memory = MemorySerializer()
    cpu = CpuSerializer()


class DiskSerializer(MemorySerializer):
    pass


class SystemMetricsSerializer(serializers.Serializer):
    uptime = serializers.IntegerField(help_text="Seconds.")
    memory = MemorySerializer()
    cpu = CpuSerializer()
    disk = DiskSerializer()


class RequestCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    successful = serializers.IntegerField(help_text="Status below 400.")
    failed = serializers.IntegerField(help_text="Status 400 or above.")
    average_response_time = serializers.FloatField(help_text="Milliseconds.")


class ApiMetricsSerializer(serializers.Serializer):
    requests = RequestCountsSerializer()
    endpoints = serializers.DictField(
        child=serializers.IntegerField(), help_text="Requests per route."
    )


class JobMetricsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    completed = serializers.IntegerField()
    failed = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    running = serializers.IntegerField()
    average_processing_time = serializers.FloatField(help_text="Seconds.")
    queue_length = serializers.IntegerField(help_text="Jobs waiting, all queues.")
    queues = serializers.DictField(child=serializers.IntegerField(), help_text="Per queue.")


class StorageMetricsSerializer(serializers.Serializer):
    total = serializers.IntegerField(allow_null=True, help_text="Bytes.")
    used = serializers.IntegerField(allow_null=True, help_text="Bytes.")
    available = serializers.IntegerField(allow_null=True, help_text="Bytes.")
    files = serializers.IntegerField(allow_null=True)


class MetricsSerializer(serializers.Serializer):
    timestamp = serializers.DateTimeField()
    time_range = serializers.CharField()
    system = SystemMetricsSerializer(required=False)
    api = ApiMetricsSerializer(required=False)
    jobs = JobMetricsSerializer(required=False)
    storage = StorageMetricsSerializer(required=False)


class LogEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = LogEntry
        fields = ["timestamp", "level", "service", "message", "details"]
