"""A buffer of view counts, so that reading an idea never writes to the database.

Each view adds 1 to a counter for (target type, target id, hour); a periodic Celery task
(`catalog.tasks.flush_views_task`, scheduled by beat) drains the buffer and adds the sums to
the database with F() updates, a few rows per flush instead of a write per read.

- With Redis (the production cache), the buffer is one Redis hash: `HINCRBY` per view, and the
  flush renames the hash away atomically before reading it, so views counted during a flush
  land in a fresh hash and none is lost or counted twice. Every process shares it.
- Without Redis (the embedded mode, whose cache is local memory) the buffer is a counter in
  this process's memory, as a local-memory cache would be: there the worker and beat run on
  threads of the web process (config/worker.py), so the flush sees it.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import ResponseError

HASH_KEY = "catalog:views"


class Key(NamedTuple):
    target_type: str
    target_id: str
    hour: int


def _field(key: Key) -> str:
    return f"{key.target_type}|{key.target_id}|{key.hour}"


def _parse(field: bytes | str) -> Key:
    text = field.decode() if isinstance(field, bytes) else field
    target_type, target_id, hour = text.rsplit("|", 2)
    return Key(target_type, target_id, int(hour))


def _redis() -> Any | None:
    """The Redis client of the default cache, or None when the cache is not Redis."""
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith("RedisCache"):
        return None
    return cache._cache.get_client(write=True)  # type: ignore[attr-defined]


_lock = threading.Lock()
_local: Counter[Key] = Counter()


def add(key: Key, count: int = 1) -> None:
    """Count `count` views of the target in the hour."""
    client = _redis()
    if client is None:
        with _lock:
            _local[key] += count
        return
    client.hincrby(cache.make_key(HASH_KEY), _field(key), count)


def drain() -> dict[Key, int]:
    """Take every buffered count out of the buffer (the caller adds them to the database)."""
    client = _redis()
    if client is None:
        with _lock:
            taken = dict(_local)
            _local.clear()
        return taken
    name = cache.make_key(HASH_KEY)
    draining = f"{name}:draining:{uuid.uuid4().hex}"
    try:
        client.rename(name, draining)
    except ResponseError as exc:  # "no such key": nothing was viewed since the last flush
        if "no such key" in str(exc).lower():
            return {}
        raise
    pipe = client.pipeline()
    pipe.hgetall(draining)
    pipe.delete(draining)
    fields, _ = pipe.execute()
    return {_parse(field): int(value) for field, value in fields.items()}


def restore(counts: dict[Key, int]) -> None:
    """Put drained counts back (the database write failed): the next flush retries them."""
    client = _redis()
    if client is None:
        with _lock:
            _local.update(counts)
        return
    pipe = client.pipeline()
    name = cache.make_key(HASH_KEY)
    for key, count in counts.items():
        pipe.hincrby(name, _field(key), count)
    pipe.execute()


def pending(key_prefix: tuple[str, str] | None = None) -> int:
    """How many views wait in the buffer (of one target when given): for tests and admins."""
    client = _redis()
    if client is None:
        with _lock:
            items = list(_local.items())
    else:
        items = [
            (_parse(field), int(value))
            for field, value in client.hgetall(cache.make_key(HASH_KEY)).items()
        ]
    return sum(
        count
        for key, count in items
        if key_prefix is None or (key.target_type, key.target_id) == key_prefix
    )
