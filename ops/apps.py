from __future__ import annotations

from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: the platform's own logs, metrics, health and operators' commands."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from config.maintenance import register_file_area
        from ops import files, prometheus, tracing

        register_file_area(files.JOB_OUTPUTS)

        prometheus.connect_celery_signals()
        tracing.connect()
