"""config.settings, with channels_redis' Redis pub/sub layer instead of the list-based one."""

from config.settings import *  # noqa: F403
from config.settings import CACHE_KEY_PREFIX, REDIS_URL

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{CACHE_KEY_PREFIX}:asgi"},
    }
}
