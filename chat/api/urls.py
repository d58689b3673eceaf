from __future__ import annotations

from chat.api import views
from config.api.routes import route

urlpatterns = [
    route("chat/message", views.ChatMessageView.as_view(), "chat-message"),
    route("chat/choice", views.ChatChoiceView.as_view(), "chat-choice"),
    route("chat/upload", views.ChatUploadView.as_view(), "chat-upload"),
    route("chat/sessions", views.ChatSessionListView.as_view(), "chat-sessions"),
    route("chat/session/<session_id>", views.ChatSessionView.as_view(), "chat-session"),
    route("chat/session/<session_id>/pause", views.ChatSessionPauseView.as_view(), "chat-pause"),
    route("chat/session/<session_id>/resume", views.ChatSessionResumeView.as_view(), "chat-resume"),
]
