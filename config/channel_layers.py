"""The Redis channel layer, with a receive that always ends when it is cancelled.

On Python 3.11, `asyncio.wait_for` loses a cancellation that arrives as the awaited operation
completes (CPython gh-86296, fixed in 3.12). redis-py sends every command through
`wait_for(writer.drain(), socket_timeout)`, so a consumer cancelled while channels_redis
connects or sends its blocking pop can lose the cancellation and go on popping, every 5 s,
for ever: the consumer's task never ends, and neither does its event loop's shutdown. With
redis-py's default 5 s read timeout that loop ended by accident (the read timed out as the
5 s pop did), and the same race dropped idle consumers. Here the pop runs in a task of its
own, cancelled again until it has ended, so settings can give Redis reads a timeout longer
than the pop.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels_redis.core import RedisChannelLayer as BaseRedisChannelLayer

RECANCEL_SECONDS = 0.1


def _cancel_until_done(task: asyncio.Task[Any]) -> None:
    if not task.done():
        task.cancel()
        task.get_loop().call_later(RECANCEL_SECONDS, _cancel_until_done, task)


class RedisChannelLayer(BaseRedisChannelLayer):
    """channels_redis's layer; `receive` ends promptly when cancelled, whatever the race."""

    async def receive(self, channel: str) -> dict[str, Any]:
        receiving = asyncio.ensure_future(super().receive(channel))
        try:
            return await asyncio.shield(receiving)
        except asyncio.CancelledError:
            receiving.add_done_callback(_consume_outcome)
            _cancel_until_done(receiving)
            raise


def _consume_outcome(task: asyncio.Task[Any]) -> None:
    # Nobody awaits an abandoned receive: retrieve its end, so asyncio does not log it.
    if not task.cancelled():
        task.exception()
