"""WebSocket consumers for job events.

`/ws` speaks StoryForge's protocol: the client sends
`{"type": "subscribe", "channel": "job" | "scene" | "user", "jobId" | "sceneId" | "userId",
"token", "lastEventId"?}` (and `unsubscribe`), and receives `job_progress`, `job_complete`,
`job_failed` (and `job_cancelled`, `job_log`) events. `/ws/jobs/<jobId>` streams one job.
A client that reconnects with `lastEventId` first gets the events it missed, then live ones,
each once and in order.

Live events come from this process's hub (jobs.fanout), not from a channel-layer channel per
connection: the hub joins each group once and offers each event, encoded once, to the
consumers that follow it. A consumer queues what it is offered and writes it from its own
task, so a client that reads slowly delays nobody else; one that falls `OUTBOX_LIMIT` events
behind is closed with code 4408 and catches up by reconnecting with `lastEventId`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth.models import AnonymousUser

from accounts.websocket import user_for_token
from jobs import events, fanout, registry
from jobs.models import Job, JobEvent

REPLAY_LIMIT = 1000
SEEN_LIMIT = 2000
OUTBOX_LIMIT = 200  # live events queued for one socket before it is closed (code 4408)
CLOSE_REVOKED = 4401  # the user's access was revoked (a ban): signing in again is refused
CLOSE_TOO_SLOW = 4408

# Who may follow a scene's jobs: the scenes app registers its rule (scenes are public unless
# removed); with no rule registered, any signed-in user may.
ChannelRule = Callable[[Any, str], bool]
_channel_rules: dict[str, ChannelRule] = {}


def register_channel_rule(channel: str, rule: ChannelRule) -> None:
    _channel_rules[channel] = rule


@database_sync_to_async
def _own_job(user: Any, job_id: str) -> Job | None:
    return Job.objects.filter(pk=job_id, owner_id=user.pk).first()


@database_sync_to_async
def _missed(
    job_id: str | None, after: int, *, owner_id: str | None = None, scene_id: str | None = None
) -> list[dict[str, Any]]:
    stored = JobEvent.objects.filter(id__gt=after)
    if job_id:
        stored = stored.filter(job_id=job_id)
    if owner_id:
        stored = stored.filter(job__owner_id=owner_id)
    if scene_id:
        stored = stored.filter(job__scene_id=scene_id)
    replay = []
    for event in stored.select_related("job").order_by("id")[:REPLAY_LIMIT]:
        message = {**event.payload, "eventId": event.pk}
        if "result" in message:
            # Links signed when the event was published may have expired: sign them anew.
            message["result"] = registry.present_result(event.job.type, event.job.result)
        replay.append(message)
    return replay


@database_sync_to_async
def _latest_event_id(job_id: str) -> int | None:
    return (
        JobEvent.objects.filter(job_id=job_id).order_by("-id").values_list("id", flat=True).first()
    )


@database_sync_to_async
def _allowed(channel: str, user: Any, target: str) -> bool:
    rule = _channel_rules.get(channel)
    return rule(user, target) if rule else True


class JobEventsConsumer(AsyncJsonWebsocketConsumer):
    """`/ws`: subscribe to jobs, scenes or the user's own stream."""

    # No channel-layer channel per connection: the process's hub receives for all of them
    # (get_channel_layer() answers None for an alias that is not configured).
    channel_layer_alias = "jobs.consumers:no-channel-per-connection"

    async def connect(self) -> None:
        self.user = self.scope.get("user") or AnonymousUser()
        self.groups_joined: set[str] = set()
        self.hub = fanout.hub()
        # Per job, the highest eventId a replay or snapshot covered: live events up to it were
        # sent already. Live events are not dropped for arriving out of id order (two
        # processes publish), only for being sent before (`seen`, bounded).
        self.covered: dict[str, int] = {}
        self.seen: dict[int, None] = {}
        # Live events waiting for the socket: (group, event, its JSON). `_writer` writes them;
        # while a subscription sends its snapshot or replay (`_holds`), they wait.
        self.outbox: deque[tuple[str, dict[str, Any], str]] = deque()
        self._writer: asyncio.Task[None] | None = None
        self._holds = 0
        self._closer: asyncio.Task[None] | None = None  # set once the socket is being closed
        await self.accept()

    async def disconnect(self, code: int) -> None:
        self.outbox.clear()
        for task in (self._writer, self._closer):
            if task is not None:
                task.cancel()
        if self.hub is not None:
            for group in self.groups_joined:
                await self.hub.leave(group, self)
        self.groups_joined.clear()

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        # The parent raises on a binary frame or bad JSON, which would drop the connection.
        try:
            content = await self.decode_json(text_data) if text_data else None
        except ValueError:
            content = None
        if content is None:
            await self.error("VALIDATION_ERROR", "Messages are JSON objects in text frames")
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            await self.error("VALIDATION_ERROR", "Messages are JSON objects")
            return
        kind = content.get("type")
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "subscribe":
            await self.subscribe(content)
        elif kind == "unsubscribe":
            await self.unsubscribe(content)
        else:
            await self.error("VALIDATION_ERROR", "type must be subscribe, unsubscribe or ping")

    async def error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    async def _authenticate(self, content: dict[str, Any]) -> bool:
        token = content.get("token")
        if isinstance(token, str) and token:
            user = await user_for_token(token)
            if user is None:
                await self.error("UNAUTHORIZED", "Invalid or expired token")
                return False
            self.user = user
        if not self.user.is_authenticated:
            await self.error("UNAUTHORIZED", "Send a token to subscribe")
            return False
        return True

    def _target(self, content: dict[str, Any]) -> tuple[str, str] | None:
        channel = content.get("channel")
        key = {"job": "jobId", "scene": "sceneId", "user": "userId"}.get(str(channel))
        if key is None:
            return None
        target = content.get(key) or (self.user.pk if channel == "user" else None)
        if target == "me" and channel == "user":
            target = self.user.pk
        return (str(channel), str(target)) if isinstance(target, str) and target else None

    async def subscribe(self, content: dict[str, Any]) -> None:
        if not await self._authenticate(content):
            return
        target = self._target(content)
        if target is None:
            await self.error(
                "VALIDATION_ERROR", "channel must be job (with jobId), scene (sceneId) or user"
            )
            return
        self._holds += 1  # live events wait until the snapshot or replay is out
        try:
            await self._subscribe(*target, after=_event_id(content.get("lastEventId")))
        finally:
            self._holds -= 1
            self._write_soon()

    async def _subscribe(self, channel: str, target_id: str, *, after: int | None) -> None:
        replay: list[dict[str, Any]] = []
        if channel == "job":
            job = await _own_job(self.user, target_id)
            if job is None:
                await self.error("NOT_FOUND", "Job not found", jobId=target_id)
                return
            group = events.job_group(target_id)
        elif channel == "user":
            if target_id != self.user.pk:
                await self.error("FORBIDDEN", "You can only follow your own jobs")
                return
            group = events.user_group(target_id)
        else:
            if not await _allowed("scene", self.user, target_id):
                await self.error("NOT_FOUND", "Scene not found", sceneId=target_id)
                return
            group = events.scene_group(target_id)
        if self.hub is None:
            await self.error("SERVICE_UNAVAILABLE", "Live events are not available")
            return
        await self.hub.join(group, self)
        self.groups_joined.add(group)
        if self.user.is_authenticated:  # so that revoking the user's access ends this socket
            session = events.session_group(str(self.user.pk))
            if session not in self.groups_joined:
                await self.hub.join(session, self)
                self.groups_joined.add(session)
        await self.send_json({"type": "subscribed", "channel": channel, "id": target_id})
        if after is not None:
            replay = await _missed(
                target_id if channel == "job" else None,
                after,
                owner_id=target_id if channel == "user" else None,
                scene_id=target_id if channel == "scene" else None,
            )
        elif channel == "job":
            replay = [await self._snapshot(job)]
        for message in replay:
            await self._deliver(message)
            job_id = message.get("jobId", "")
            self.covered[job_id] = max(self.covered.get(job_id, 0), message.get("eventId") or 0)

    async def _snapshot(self, job: Job) -> dict[str, Any]:
        """The job as it is now, so a new subscriber need not wait for the next event."""
        latest = await _latest_event_id(job.pk)
        # Read the job after its latest event id (and after joining its group): an event that
        # landed since the ownership check is then in the snapshot or delivered live.
        with contextlib.suppress(Job.DoesNotExist):  # deleted meanwhile: keep what we know
            await database_sync_to_async(job.refresh_from_db)()
        kind = {
            "completed": "job_complete",
            "failed": "job_failed",
            "cancelled": "job_cancelled",
        }.get(job.status, "job_progress")
        message: dict[str, Any] = {"type": kind, **events.snapshot(job), "eventId": latest or 0}
        if job.status == "completed":
            message["result"] = await database_sync_to_async(registry.present_result)(
                job.type, job.result
            )
        if job.error:
            message["error"] = job.error
        return message

    async def unsubscribe(self, content: dict[str, Any]) -> None:
        target = self._target(content)
        if target is None:
            await self.error("VALIDATION_ERROR", "Name the channel and id to unsubscribe from")
            return
        channel, target_id = target
        group = {"job": events.job_group, "scene": events.scene_group, "user": events.user_group}[
            channel
        ](target_id)
        if group in self.groups_joined and self.hub is not None:
            await self.hub.leave(group, self)
        self.groups_joined.discard(group)
        if self.outbox:  # what that group sent and is not out yet stays unsent
            self.outbox = deque(item for item in self.outbox if item[0] != group)
        await self.send_json({"type": "unsubscribed", "channel": channel, "id": target_id})

    def _first_time(self, event_id: int) -> bool:
        """Whether the event was not sent before (through another subscription, or a replay)."""
        if not event_id:
            return True
        if event_id in self.seen:
            return False
        self.seen[event_id] = None
        if len(self.seen) > SEEN_LIMIT:
            self.seen.pop(next(iter(self.seen)))
        return True

    async def _deliver(self, message: dict[str, Any]) -> None:
        if self._first_time(message.get("eventId") or 0):
            await self.send_json(message)

    def offer(self, group: str, event: dict[str, Any], text: str) -> None:
        """A live event from the hub (jobs.fanout): queue it for the socket, never wait."""
        if self._closer is not None:
            return
        if event.get("type") == events.SESSION_REVOKED:
            # The user was banned (or their access revoked): nothing more reaches this socket.
            self._close_soon(CLOSE_REVOKED)
            return
        self.outbox.append((group, event, text))
        if len(self.outbox) > OUTBOX_LIMIT:
            # The client has stopped reading. Rather than hold events without bound, close:
            # it reconnects with lastEventId and the replay brings what it missed.
            self._close_soon(CLOSE_TOO_SLOW)
            return
        self._write_soon()

    def _close_soon(self, code: int) -> None:
        """Drop what is queued, stop the writer and close the socket with `code`."""
        self.outbox.clear()
        if self._writer is not None:
            self._writer.cancel()  # it waits for the socket; what it held is replayed
        self._closer = asyncio.get_running_loop().create_task(self._close_quietly(code))

    def _write_soon(self) -> None:
        if self.outbox and self._writer is None and not self._holds and self._closer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write_outbox())

    async def _write_outbox(self) -> None:
        try:
            while self.outbox and not self._holds:
                _, event, text = self.outbox.popleft()
                event_id = event.get("eventId") or 0
                if event_id <= self.covered.get(event.get("jobId", ""), 0):
                    continue  # already in the replay or the snapshot this client got
                if self._first_time(event_id):
                    await self.send(text_data=text)
        except Exception:  # the client is gone: its disconnect ends the consumer
            self.outbox.clear()
        finally:
            if self._writer is asyncio.current_task():
                self._writer = None

    async def _close_quietly(self, code: int) -> None:
        with contextlib.suppress(Exception):  # the client may be gone already
            await self.close(code=code)


class JobStreamConsumer(JobEventsConsumer):
    """`/ws/jobs/<jobId>`: the `wsUrl` of GET /jobs/:id/progress; streams that one job."""

    async def connect(self) -> None:
        await super().connect()
        job_id = self.scope["url_route"]["kwargs"]["job_id"]
        if not self.user.is_authenticated:
            await self.error("UNAUTHORIZED", "Send a token (?token= or Authorization header)")
            await self.close(code=4401)
            return
        query_last = _query_int(self.scope, "lastEventId")
        await self.subscribe({"channel": "job", "jobId": job_id, "lastEventId": query_last})
        if events.job_group(job_id) not in self.groups_joined:
            await self.close(code=4404)  # not the caller's job: nothing to stream


def _query_int(scope: dict[str, Any], name: str) -> int | None:
    values = parse_qs(scope.get("query_string", b"").decode()).get(name)
    return _event_id(values[0]) if values else None


def _event_id(value: Any) -> int | None:
    """An event id from a message or a query string: an integer, or its digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
