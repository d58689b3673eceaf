from __future__ import annotations

from config.api.routes import route
from moderation.api import views

urlpatterns = [
    route("report", views.ReportCreateView.as_view(), "report"),
    route("moderation/queue", views.QueueView.as_view(), "moderation-queue"),
    route("moderation/actions", views.ActionListView.as_view(), "moderation-actions"),
    route(
        "moderation/actions/<action_id>/reverse",
        views.ActionReverseView.as_view(),
        "moderation-action-reverse",
    ),
    route("moderation/warnings", views.WarningListView.as_view(), "moderation-warnings"),
    route("moderation/<report_id>/action", views.ActionView.as_view(), "moderation-report-action"),
]
