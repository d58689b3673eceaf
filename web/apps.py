"""The browser site's app config."""

from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    """Server-rendered pages (templates, static files); no models of its own."""

    name = "web"
    verbose_name = "Browser pages"
