"""WebSocket routes (API_CONVENTIONS.md: /ws, /ws/jobs/<id>, /api/v1/websocket)."""

from __future__ import annotations

from django.urls import re_path

from chat.consumers import ChatConsumer
from jobs.consumers import JobEventsConsumer, JobStreamConsumer

websocket_urlpatterns = [
    re_path(r"^ws/?$", JobEventsConsumer.as_asgi()),
    re_path(r"^ws/jobs/(?P<job_id>[^/]+)/?$", JobStreamConsumer.as_asgi()),
    re_path(r"^api/v1/websocket/?$", ChatConsumer.as_asgi()),
]
