"""config.asgi, with `job.event` dispatched without Channels' per-message DB housekeeping.

Channels 4.2+ runs `aclose_old_connections()` (a sync_to_async hop onto the one
thread-sensitive executor) before every handler of every message. `job_event` touches no
database, so for a fan-out to N subscribers that is N serialised thread hops per event.
"""

from __future__ import annotations

from typing import Any

from channels.consumer import AsyncConsumer

from config.asgi import application
from jobs.consumers import JobEventsConsumer

__all__ = ["application"]


async def dispatch(self: Any, message: dict[str, Any]) -> None:
    if message["type"] == "job.event":
        await self.job_event(message)
        return
    await AsyncConsumer.dispatch(self, message)


JobEventsConsumer.dispatch = dispatch
