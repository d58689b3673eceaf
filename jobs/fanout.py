"""Job events fanned out once per process: one channel-layer subscriber per event loop.

Each WebSocket consumer used to have its own channel-layer channel and join the groups
itself, so an event for 1,000 subscribers of a job meant 1,000 layer messages, 1,000 receives
and 1,000 JSON encodings in the server process (docs/benchmarks.md, issue 3). Here the
process's `Hub` holds one layer channel, joins each group once while any local consumer
follows it, encodes each event once and hands it to those consumers, which queue it for their
socket without waiting (`Subscriber.offer`), so one slow client cannot hold up the others.

Lifecycle: a hub starts receiving when its first group is joined, and stops (its receive task
cancelled and awaited, its channel forgotten) when its last group is left, and on `shutdown()`
(ASGI lifespan shutdown). Nothing is left pending on the channel layer when an event loop
ends: a receive blocked in Redis would otherwise hold the loop's shutdown until its socket
timed out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from typing import Any, Protocol

from channels.layers import BaseChannelLayer, get_channel_layer

logger = logging.getLogger(__name__)

EVENT_TYPE = "job.event"
RETRY_SECONDS = 1.0  # after a failed receive (Redis away), so that the loop does not spin


class Subscriber(Protocol):
    def offer(self, group: str, event: dict[str, Any], text: str) -> None:
        """Take an event of `group` (and its JSON text) for the socket; must not block."""


class Hub:
    """The channel-layer subscriber of one event loop, for the consumers that run on it."""

    def __init__(self, layer: BaseChannelLayer) -> None:
        self.layer = layer
        self.members: dict[str, set[Subscriber]] = {}
        self.channel: str | None = None
        self._task: asyncio.Task[None] | None = None
        # Joins and leaves that reach the layer run one at a time, so that a group_add and a
        # group_discard of the same group cannot cross on their way to Redis.
        self._lock = asyncio.Lock()

    @property
    def receiving(self) -> bool:
        return self._task is not None and not self._task.done()

    async def join(self, group: str, subscriber: Subscriber) -> None:
        """Deliver `group`'s events to `subscriber`; on return, the layer has the membership."""
        async with self._lock:
            local = self.members.get(group)
            if local is None:
                if self.channel is None:
                    self.channel = await self.layer.new_channel()
                try:
                    await self.layer.group_add(group, self.channel)
                except BaseException:
                    if not self.members:
                        await self._stop()
                    raise
                local = self.members[group] = set()
                if self._task is None:
                    self._task = asyncio.get_running_loop().create_task(
                        self._receive_forever(self.channel), name="jobs.fanout.Hub"
                    )
            local.add(subscriber)

    async def leave(self, group: str, subscriber: Subscriber) -> None:
        """Stop delivering `group` to `subscriber`; the last one out leaves the layer group."""
        local = self.members.get(group)
        if local is None or subscriber not in local:
            return
        local.discard(subscriber)
        if local:
            return
        async with self._lock:
            if self.members.get(group):  # someone joined again meanwhile
                return
            self.members.pop(group, None)
            try:
                if self.channel is not None:
                    await self.layer.group_discard(group, self.channel)
            finally:
                if not self.members:
                    await self._stop()

    async def close(self) -> None:
        """Leave every group and stop receiving (lifespan shutdown)."""
        async with self._lock:
            groups, self.members = list(self.members), {}
            try:
                if self.channel is not None:
                    for group in groups:
                        await self.layer.group_discard(group, self.channel)
            finally:
                await self._stop()

    async def _stop(self) -> None:
        task, self._task, self.channel = self._task, None, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _receive_forever(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except Exception:  # the layer's server away: say so, wait, and try again
                logger.warning("Job events: receive from the channel layer failed", exc_info=True)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            try:
                self.deliver(message)
            except Exception:  # one bad message must not stop the hub
                logger.exception("Job events: could not deliver %r", message.get("type"))

    def deliver(self, message: dict[str, Any]) -> None:
        """Hand a layer message to the local subscribers of its group, encoded once."""
        group = message.get("group")
        if message.get("type") != EVENT_TYPE or not isinstance(group, str):
            logger.warning("Job events: ignored a message without a job event and its group")
            return
        local = self.members.get(group)
        if not local:
            return
        event = message["event"]
        text = json.dumps(event)  # what AsyncJsonWebsocketConsumer.send_json would send
        for subscriber in tuple(local):
            subscriber.offer(group, event, text)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub | None:
    """The running event loop's hub (None without a channel layer); made on first use."""
    layer = get_channel_layer()
    if layer is None:
        return None
    loop = asyncio.get_running_loop()
    current = _hubs.get(loop)
    # A new layer (settings changed, as tests do) gets a new hub; the old one keeps serving
    # the consumers that joined through it until they leave.
    if current is None or current.layer is not layer:
        current = _hubs[loop] = Hub(layer)
    return current


async def shutdown() -> None:
    """Close the running event loop's hub, if it has one."""
    current = _hubs.pop(asyncio.get_running_loop(), None)
    if current is not None:
        await current.close()
