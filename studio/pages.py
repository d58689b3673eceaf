"""The browser page of the studio: sign in, render a prompt, watch it progress, play it."""

from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from media_pipeline.request import MOODS, STYLES


class StudioView(TemplateView):
    """GET /studio/: the page talks to the public API and the job's WebSocket itself."""

    template_name = "studio/studio.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "styles": STYLES, "moods": MOODS}
