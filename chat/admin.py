from __future__ import annotations

from django.contrib import admin

from chat.models import ChatMessage, ChatSession


@admin.register(ChatSession)
class ChatSessionAdmin(admin.ModelAdmin):
    list_display = ("id", "project", "user", "current_step", "status", "last_activity")
    list_filter = ("status", "current_step")
    raw_id_fields = ("project", "user")


@admin.register(ChatMessage)
class ChatMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "session", "position", "role", "step", "created_at")
    raw_id_fields = ("session", "author")
