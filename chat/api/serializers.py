"""Chat API input and output (the AI Movie Platform's "Chat API Endpoints")."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from chat.choices import STEPS, SessionStatus
from chat.services import MAX_ATTACHMENTS, MAX_MESSAGE_CHARS
from config.api.fields import StrictCharField
from config.api.serializers import StrictSerializer

MEDIA_TYPE_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,49}$"  # as the assets app's uploads

# --- input ---------------------------------------------------------------------------------


class MessageInputSerializer(StrictSerializer):
    """POST /chat/message: `projectId` and no `sessionId` starts a session."""

    project_id = StrictCharField(required=False, max_length=40)
    session_id = StrictCharField(required=False, max_length=40)
    message = StrictCharField(max_length=MAX_MESSAGE_CHARS, trim_whitespace=True)
    attachments = serializers.ListField(
        child=StrictCharField(max_length=40), required=False, max_length=MAX_ATTACHMENTS
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("project_id") and not attrs.get("session_id"):
            raise serializers.ValidationError(
                {"project_id": ["Give projectId to start a session, or sessionId to continue one."]}
            )
        return attrs


class ChoiceInputSerializer(StrictSerializer):
    """POST /chat/choice."""

    session_id = StrictCharField(max_length=40)
    choice_id = StrictCharField(max_length=40)
    custom_input = StrictCharField(
        required=False, allow_blank=True, max_length=MAX_MESSAGE_CHARS, trim_whitespace=True
    )


class UploadInputSerializer(StrictSerializer):
    """POST /chat/upload (multipart): one `file` attached to a session."""

    session_id = StrictCharField(max_length=40)
    project_id = StrictCharField(required=False, max_length=40)
    file = serializers.FileField(allow_empty_file=True)
    description = StrictCharField(required=False, allow_blank=True, max_length=5000)
    media_type = serializers.RegexField(MEDIA_TYPE_PATTERN, required=False)


# --- output --------------------------------------------------------------------------------


class ChoiceSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    metadata = serializers.DictField()


class AiResponseSerializer(serializers.Serializer):
    message_id = serializers.CharField()
    content = serializers.CharField()
    choices = ChoiceSerializer(many=True)
    current_step = serializers.ChoiceField(choices=STEPS)
    next_step = serializers.CharField(allow_null=True)
    processing_time = serializers.IntegerField(help_text="Milliseconds.")
    text_backend = serializers.CharField()


class SessionSummarySerializer(serializers.Serializer):
    id = serializers.CharField()
    project_id = serializers.CharField()
    current_step = serializers.ChoiceField(choices=STEPS)
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    progress = serializers.IntegerField()


class MessageResultSerializer(serializers.Serializer):
    message_id = serializers.CharField()
    session_id = serializers.CharField()
    session_started = serializers.BooleanField()
    ai_response = AiResponseSerializer()
    session = SessionSummarySerializer()


class ProgressUpdateSerializer(serializers.Serializer):
    percentage = serializers.IntegerField()
    completed_steps = serializers.ListField(child=serializers.CharField())
    next_steps = serializers.ListField(child=serializers.CharField())


class ChoiceResultSerializer(serializers.Serializer):
    session_id = serializers.CharField()
    message_id = serializers.CharField()
    workflow_advanced = serializers.BooleanField()
    new_step = serializers.ChoiceField(choices=STEPS)
    progress_update = ProgressUpdateSerializer()
    ai_response = AiResponseSerializer()
    scene_id = serializers.CharField(allow_null=True)
    job_id = serializers.CharField(allow_null=True)
    session = SessionSummarySerializer()


class AiAnalysisSerializer(serializers.Serializer):
    description = serializers.CharField(allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField())
    style_elements = serializers.ListField(child=serializers.CharField())
    suitable_for = serializers.ListField(child=serializers.CharField())


class EmbeddingStateSerializer(serializers.Serializer):
    status = serializers.CharField()
    estimated_completion = serializers.CharField(allow_null=True)


class UploadResultSerializer(serializers.Serializer):
    media_id = serializers.CharField()
    session_id = serializers.CharField()
    filename = serializers.CharField()
    mime_type = serializers.CharField()
    size = serializers.IntegerField()
    processing_status = serializers.CharField()
    ai_analysis = AiAnalysisSerializer(allow_null=True)
    embedding = EmbeddingStateSerializer()


class HistoryMessageSerializer(serializers.Serializer):
    id = serializers.CharField()
    role = serializers.ChoiceField(choices=["user", "assistant"])
    content = serializers.CharField()
    timestamp = serializers.CharField()
    step = serializers.CharField()
    user_id = serializers.CharField(allow_null=True)
    attachments = serializers.ListField(child=serializers.CharField())
    choices = ChoiceSerializer(many=True, required=False)
    metadata = serializers.DictField()


class ChatWorkflowStepSerializer(serializers.Serializer):
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=["completed", "current", "pending"])


class SessionProgressSerializer(serializers.Serializer):
    percentage = serializers.IntegerField()
    current_phase = serializers.CharField()
    completed_steps = serializers.ListField(child=serializers.CharField())
    next_steps = serializers.ListField(child=serializers.CharField())
    workflow_steps = ChatWorkflowStepSerializer(many=True)
    total_steps = serializers.IntegerField()


class SessionDetailSerializer(serializers.Serializer):
    id = serializers.CharField()
    project_id = serializers.CharField()
    user_id = serializers.CharField()
    current_step = serializers.ChoiceField(choices=STEPS)
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    created_at = serializers.CharField()
    last_activity = serializers.CharField()
    message_count = serializers.IntegerField()
    conversation_history = HistoryMessageSerializer(many=True)
    context_data = serializers.DictField()
    progress = SessionProgressSerializer()
    scene_id = serializers.CharField(allow_null=True)
    job_id = serializers.CharField(allow_null=True)
    role = serializers.CharField(help_text="The caller's role: owner, collaborator or viewer.")


class SessionListItemSerializer(serializers.Serializer):
    id = serializers.CharField()
    project_id = serializers.CharField()
    project_title = serializers.CharField()
    current_step = serializers.ChoiceField(choices=STEPS)
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    progress = serializers.IntegerField()
    last_activity = serializers.CharField()
    created_at = serializers.CharField()
    message_count = serializers.IntegerField()
