from __future__ import annotations

from django.apps import AppConfig


class ChatConfig(AppConfig):
    """The guided chat workflow; registers its project counts, lists and progress."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "chat"

    def ready(self) -> None:
        from chat import selectors, services
        from jobs import events
        from projects import counts

        counts.register_project_count("active_sessions_count", selectors.project_active_counts)
        counts.register_project_items("active_sessions", selectors.project_active_sessions)
        counts.register_project_progress(selectors.project_progress)
        events.add_listener(services.on_job_event)
