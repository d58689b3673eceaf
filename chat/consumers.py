"""/api/v1/websocket: the AI Movie Platform's live chat protocol.

The token comes as `?token=` or an `Authorization: Bearer` header (accounts.websocket); a
connection without a valid one is refused at the handshake. The server goes by the token's
user, never by a `userId` in a message. Clients send:

- `join-session` {sessionId, lastMessageId?}: members only; a stranger gets an error event
  (NOT_FOUND) and nothing of the session. With `lastMessageId` the member first receives what
  was said after it (`message-received` and `ai-response`, in order): a reconnect catches up.
- `chat-message` {sessionId, message, attachments?}, `choice-selected` {sessionId, choiceId,
  customInput?}: as POST /chat/message and /chat/choice (owner and collaborators).
- `typing` {sessionId, isTyping}, `leave-session` {sessionId}, `ping`.

Members joined to a session receive `message-received`, `ai-response`, `user-typing` and
`progress-update` (chat.events). Per-plan concurrent connections (5 free, 20 pro, enterprise
unlimited) are counted in the shared cache; the one over the limit gets an error event and is
closed with code 4429.
"""

from __future__ import annotations

import contextlib
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.cache import cache

from chat import events, selectors, services
from chat.models import ChatMessage
from config.api.errors import ApiError
from config.api.responses import iso

CLOSE_UNAUTHORIZED = 4401
CLOSE_TOO_MANY_CONNECTIONS = 4429
COUNTER_TTL = 6 * 3600  # a crashed process's connections stop counting after this


def _counter_key(user_id: str) -> str:
    return f"chat:ws:connections:{user_id}"


@database_sync_to_async
def _access(user: Any, session_id: str) -> selectors.SessionAccess | None:
    return selectors.session_access_for(user=user, session_id=session_id)


@database_sync_to_async
def _missed(session_id: str, last_message_id: str) -> list[dict[str, Any]] | None:
    """What was said after `last_message_id` (None if it is not this session's)."""
    last = ChatMessage.objects.filter(pk=last_message_id, session_id=session_id).first()
    if last is None:
        return None
    session = last.session
    out: list[dict[str, Any]] = []
    for message in selectors.session_messages(session=session, after_position=last.position):
        if message.role == "assistant":
            out.append(dict(services.ai_response_event(session, message)))
        else:
            author = message.author
            out.append(
                {
                    "type": "message-received",
                    "sessionId": session_id,
                    "messageId": message.pk,
                    "position": message.position,
                    "sender": services._sender(author) if author else {},
                    "content": message.content,
                    "attachments": list(message.attachments),
                    "timestamp": iso(message.created_at),
                    "replayed": True,
                }
            )
    for event in out:
        event["replayed"] = True
    return out


@database_sync_to_async
def _post(access: selectors.SessionAccess, user: Any, content: dict[str, Any]) -> None:
    text = content.get("message")
    attachments = content.get("attachments") or []
    if not isinstance(text, str) or not text.strip():
        raise _BadMessage("message", "A non-empty message is required.")
    if len(text) > services.MAX_MESSAGE_CHARS:
        raise _BadMessage("message", f"At most {services.MAX_MESSAGE_CHARS} characters.")
    if not isinstance(attachments, list) or not all(isinstance(a, str) for a in attachments):
        raise _BadMessage("attachments", "A list of media ids.")
    services.message_post(
        session=access.session, user=user, text=text.strip(), attachments=attachments
    )


@database_sync_to_async
def _choose(access: selectors.SessionAccess, user: Any, content: dict[str, Any]) -> None:
    choice_id, custom = content.get("choiceId"), content.get("customInput") or ""
    if not isinstance(choice_id, str) or not choice_id:
        raise _BadMessage("choiceId", "A choice id is required.")
    if not isinstance(custom, str) or len(custom) > services.MAX_MESSAGE_CHARS:
        raise _BadMessage("customInput", "Text of at most 5000 characters.")
    services.choice_select(
        session=access.session, user=user, choice_id=choice_id, custom_input=custom
    )


class _BadMessage(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """One member's connection: joins sessions, speaks for the token's user."""

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.joined: set[str] = set()
        self.counted = False
        if self.user is None or not self.user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHORIZED)  # refused at the handshake
            return
        await self.accept()
        limit = self.user.limits.websocket_connections
        if limit is not None:
            key = _counter_key(self.user.pk)
            await cache.aadd(key, 0, timeout=COUNTER_TTL)
            count = await cache.aincr(key)
            self.counted = True
            if count > limit:
                # This one never counted: the slot is given back before the close.
                self.counted = False
                await cache.adecr(key)
                await self.error(
                    "WEBSOCKET_ERROR",
                    f"Your plan allows {limit} concurrent WebSocket connections",
                    limit=limit,
                    closeCode=CLOSE_TOO_MANY_CONNECTIONS,
                )
                await self.close(code=CLOSE_TOO_MANY_CONNECTIONS)

    async def disconnect(self, code: int) -> None:
        for session_id in self.joined:
            await self.channel_layer.group_discard(
                events.session_group(session_id), self.channel_name
            )
        self.joined.clear()
        if self.counted:
            self.counted = False
            with contextlib.suppress(ValueError):  # the counter expired meanwhile
                await cache.adecr(_counter_key(self.user.pk))

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        try:
            content = await self.decode_json(text_data) if text_data else None
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self.error("VALIDATION_ERROR", "Messages are JSON objects in text frames")
            return
        await self.receive_json(content)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        kind = content.get("type")
        handler = {
            "join-session": self.join,
            "leave-session": self.leave,
            "chat-message": self.chat_message,
            "choice-selected": self.choice_selected,
            "typing": self.typing,
        }.get(str(kind))
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif handler is None:
            await self.error(
                "VALIDATION_ERROR",
                "type must be join-session, leave-session, chat-message, typing, "
                "choice-selected or ping",
            )
        else:
            await handler(content)

    async def error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    async def _member(self, content: dict[str, Any]) -> selectors.SessionAccess | None:
        session_id = content.get("sessionId")
        if not isinstance(session_id, str) or not session_id:
            await self.error("VALIDATION_ERROR", "sessionId is required")
            return None
        access = await _access(self.user, session_id)
        if access is None:
            await self.error("NOT_FOUND", "Session not found", sessionId=session_id)
            return None
        return access

    async def join(self, content: dict[str, Any]) -> None:
        access = await self._member(content)
        if access is None:
            return
        session = access.session
        await self.channel_layer.group_add(events.session_group(session.pk), self.channel_name)
        self.joined.add(session.pk)
        progress = await database_sync_to_async(selectors.progress_of)(session)
        await self.send_json(
            {
                "type": "session-joined",
                "sessionId": session.pk,
                "projectId": session.project_id,
                "currentStep": session.current_step,
                "status": session.status,
                "role": access.role,
                "progress": progress,
            }
        )
        last = content.get("lastMessageId")
        if isinstance(last, str) and last:
            missed = await _missed(session.pk, last)
            if missed is None:
                await self.error("NOT_FOUND", "lastMessageId is not a message of this session")
                return
            for event in missed:
                await self.send_json(event)

    async def leave(self, content: dict[str, Any]) -> None:
        session_id = content.get("sessionId")
        if isinstance(session_id, str) and session_id in self.joined:
            self.joined.discard(session_id)
            await self.channel_layer.group_discard(
                events.session_group(session_id), self.channel_name
            )

    async def _act(self, content: dict[str, Any], act: Any) -> None:
        access = await self._member(content)
        if access is None:
            return
        if not access.can_take_part:
            await self.error("FORBIDDEN", "Viewers can read this chat but not take part in it")
            return
        try:
            await act(access, self.user, content)
        except _BadMessage as bad:
            await self.error(
                "VALIDATION_ERROR",
                bad.message,
                details=[{"field": bad.field, "message": bad.message}],
            )
        except ApiError as error:
            await self.error(str(error.code), error.message, details=error.details)

    async def chat_message(self, content: dict[str, Any]) -> None:
        await self._act(content, _post)

    async def choice_selected(self, content: dict[str, Any]) -> None:
        await self._act(content, _choose)

    async def typing(self, content: dict[str, Any]) -> None:
        access = await self._member(content)
        if access is None:
            return
        if access.session.pk not in self.joined:
            await self.error("VALIDATION_ERROR", "Join the session first")
            return
        await self.channel_layer.group_send(
            events.session_group(access.session.pk),
            {
                "type": events.CHAT_EVENT,
                "origin": self.channel_name,
                "event": {
                    "type": "user-typing",
                    "sessionId": access.session.pk,
                    "user": {
                        "id": self.user.pk,
                        "name": self.user.get_full_name() or self.user.username,
                    },
                    "isTyping": bool(content.get("isTyping", True)),
                },
            },
        )

    async def chat_event(self, message: dict[str, Any]) -> None:
        """A session event from the channel layer (`chat.event`)."""
        if message.get("origin") == self.channel_name:
            return  # one's own typing is not echoed
        await self.send_json(message["event"])
