"""config.settings, with the channel layer's Redis client configured for how it is used.

redis-py 8 reads with a 5 s socket timeout by default; channels_redis blocks 5 s in BZPOPMIN
(`brpop_timeout`), so after 5 s without a message the read times out, the exception ends the
consumer that was receiving, and its WebSocket closes (1006). Its asyncio pool also allows
100 connections, fewer than the group_discard calls of a mass disconnect.
"""

from config.settings import *  # noqa: F403
from config.settings import CACHE_KEY_PREFIX, REDIS_URL

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [{"address": REDIS_URL, "socket_timeout": 15, "max_connections": 2000}],
            "prefix": f"{CACHE_KEY_PREFIX}:asgi",
        },
    }
}
