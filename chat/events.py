"""What a session's members receive over /api/v1/websocket, and the chat's webhooks.

Every event has one typed shape per `type` (the document's server events) and goes to the
session's channel-layer group after the transaction commits, so a member never hears of a
message that was rolled back.
"""

from __future__ import annotations

import logging
from typing import Any, Literal, TypedDict

from channels.layers import get_channel_layer
from django.db import transaction

from jobs import events as job_events
from jobs import webhooks

logger = logging.getLogger(__name__)

CHAT_EVENT = "chat.event"  # the channel-layer message type the consumer handles

EventType = Literal["message-received", "ai-response", "user-typing", "progress-update"]


class ChatEvent(TypedDict, total=False):
    type: EventType
    sessionId: str
    messageId: str
    position: int
    sender: dict[str, Any]
    user: dict[str, Any]
    content: str
    choices: list[dict[str, Any]]
    attachments: list[str]
    processingTime: int
    currentStep: str
    isTyping: bool
    projectId: str
    progress: dict[str, Any]
    timestamp: str


def session_group(session_id: str) -> str:
    return f"chat.session.{session_id}"


def send_now(session_id: str, event: ChatEvent) -> None:
    """Send one event to the session's members (from sync code, outside a transaction)."""
    layer = get_channel_layer()
    if layer is None:
        return

    async def send() -> None:
        try:
            await layer.group_send(
                session_group(session_id), {"type": CHAT_EVENT, "event": dict(event)}
            )
        except Exception:  # a down layer must not fail the answer; GET /chat/session works
            logger.warning("Could not send %s to session %s", event.get("type"), session_id)

    job_events.run_send(send)


def publish(session_id: str, event: ChatEvent) -> None:
    """Send after the commit."""
    transaction.on_commit(lambda: send_now(session_id, event))


def webhook(*, owner_id: str, event: str, data: dict[str, Any]) -> None:
    """A platform webhook (project.completed, media.processed, chat.ai_response) after commit."""
    transaction.on_commit(lambda: webhooks.dispatch(owner_id=owner_id, event=event, data=data))
