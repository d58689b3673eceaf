"""WebSocket routes of every app (API_CONVENTIONS.md: /ws, /ws/jobs/<id>, /api/v1/websocket)."""

from __future__ import annotations

websocket_urlpatterns: list = []
