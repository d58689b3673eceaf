"""The log store's write buffer: entries wait in the shared cache, beat writes them in bulk.

A request costs one RPUSH to Redis instead of an INSERT (and no SQL inside the request: a
query budget of a view does not grow). `logs_flush` drains the list in batches, atomically,
so that two flushing processes never write an entry twice; beat runs it every
OPS_LOG_FLUSH_SECONDS and GET /logs and GET /metrics run it before they read.

Without Redis (embedded mode: one process serves and runs beat) the buffer is a list in the
process, under the cache's key prefix.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from django.core.cache import cache

KEY = "ops:log-buffer"
# Entries nobody flushed (beat stopped for a day) expire with the list.
TTL_SECONDS = 24 * 3600

_local: dict[str, list[str]] = {}
_lock = threading.Lock()


def _redis() -> Any | None:
    backend = getattr(cache, "_cache", None)
    if backend is None or not hasattr(backend, "get_client"):
        return None
    return backend.get_client(KEY, write=True)


def push(entry: dict[str, Any]) -> None:
    """Queue one entry (JSON-ready values) for the store."""
    payload = json.dumps(entry, default=str)
    key = cache.make_key(KEY)
    client = _redis()
    if client is None:
        with _lock:
            _local.setdefault(key, []).append(payload)
        return
    pipe = client.pipeline(transaction=False)
    pipe.rpush(key, payload)
    pipe.expire(key, TTL_SECONDS)
    pipe.execute()


def drain(count: int) -> list[dict[str, Any]]:
    """Take up to `count` entries, oldest first; each is taken by one caller only."""
    key = cache.make_key(KEY)
    client = _redis()
    if client is None:
        with _lock:
            waiting = _local.get(key, [])
            taken, _local[key] = waiting[:count], waiting[count:]
    else:
        pipe = client.pipeline(transaction=True)
        pipe.lrange(key, 0, count - 1)
        pipe.ltrim(key, count, -1)
        taken = pipe.execute()[0]
    return [json.loads(item) for item in taken]


def size() -> int:
    key = cache.make_key(KEY)
    client = _redis()
    if client is None:
        with _lock:
            return len(_local.get(key, []))
    return int(client.llen(key))
