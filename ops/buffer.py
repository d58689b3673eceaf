"""The log store's write buffer: entries wait in the shared cache, beat writes them in bulk.

A request costs an append to a list in its own process (microseconds, no SQL, no network):
every second, or at 50 entries, a process sends what it holds to a Redis list in one RPUSH.
`logs_flush` drains the Redis list in batches, atomically (two flushing processes never
write an entry twice); beat runs it every OPS_LOG_FLUSH_SECONDS, and GET /logs and GET
/metrics run it first, so what they read is at most about a second old. A process that dies
loses at most its last second of entries.

Without Redis (embedded mode: one process serves and runs beat) the process's list is the
buffer. Lists are keyed by the cache's key prefix (tests get one each).
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

from django.core.cache import cache

KEY = "ops:log-buffer"
# Entries nobody flushed (beat stopped for a day) expire with the list.
TTL_SECONDS = 24 * 3600
SEND_EVERY_SECONDS = 1.0
SEND_AT = 50

_pending: dict[str, list[str]] = {}
_lock = threading.Lock()
_sender: dict[str, Any] = {"pid": None}


def _redis() -> Any | None:
    backend = getattr(cache, "_cache", None)
    if backend is None or not hasattr(backend, "get_client"):
        return None
    return backend.get_client(KEY, write=True)


def _send(client: Any) -> None:
    """Move this process's pending entries to the Redis lists (one RPUSH per list)."""
    with _lock:
        batches = {key: items for key, items in _pending.items() if items}
        for key in batches:
            _pending[key] = []
    for key, items in batches.items():
        if client.rpush(key, *items) == len(items):  # the push that created the list
            client.expire(key, TTL_SECONDS)


def _sender_loop() -> None:
    while True:
        time.sleep(SEND_EVERY_SECONDS)
        try:
            client = _redis()
            if client is not None:
                _send(client)
        except Exception:  # noqa: S112  (Redis away: the entries wait for the next turn)
            continue


def _ensure_sender() -> None:
    """One sending thread per process (a forked Celery child starts its own)."""
    if _sender["pid"] == os.getpid():
        return
    _sender["pid"] = os.getpid()
    threading.Thread(target=_sender_loop, name="ops-log-buffer", daemon=True).start()


def push(entry: dict[str, Any]) -> None:
    """Queue one entry (JSON-ready values) for the store."""
    payload = json.dumps(entry, default=str)
    key = cache.make_key(KEY)
    with _lock:
        waiting = _pending.setdefault(key, [])
        waiting.append(payload)
        full = len(waiting) >= SEND_AT
    if not hasattr(getattr(cache, "_cache", None), "get_client"):
        return  # no Redis: the process's list is the buffer
    _ensure_sender()
    if full:
        _send(_redis())


def drain(count: int) -> list[dict[str, Any]]:
    """Take up to `count` entries, oldest first; each is taken by one caller only."""
    key = cache.make_key(KEY)
    client = _redis()
    if client is None:
        with _lock:
            waiting = _pending.get(key, [])
            taken, _pending[key] = waiting[:count], waiting[count:]
    else:
        _send(client)  # this process's own entries first
        pipe = client.pipeline(transaction=True)
        pipe.lrange(key, 0, count - 1)
        pipe.ltrim(key, count, -1)
        taken = pipe.execute()[0]
    return [json.loads(item) for item in taken]


def size() -> int:
    """Entries waiting: this process's and, with Redis, the shared list's."""
    key = cache.make_key(KEY)
    with _lock:
        local = len(_pending.get(key, []))
    client = _redis()
    return local + (int(client.llen(key)) if client is not None else 0)
