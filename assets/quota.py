"""Storage quotas: every byte a user owns, against their plan's limit (1 GiB / 10 GiB / 1 TiB).

A user owns their assets (their rows' `size`, the bytes stored) and everything the platform
stored for their jobs under `users/<id>/jobs/` (rendered videos, the clips made from them,
thumbnails, HLS segments), measured in storage itself: local disk or one S3 listing. The job
outputs are cached a few seconds (ASSET_OUTPUT_USAGE_CACHE_SECONDS); assets are summed on every
call, so deleting one frees its space at once.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.db.models import Sum

from accounts.models import User
from assets.models import Asset
from config.api.errors import SubscriptionLimit


def _prefix_bytes(prefix: str) -> int:
    """The bytes stored under `prefix` (ending in `/`): a folder walk or an S3 listing."""
    storage: Any = default_storage
    if isinstance(storage, FileSystemStorage):
        root = storage.path(prefix)
        total = 0
        for folder, _dirs, files in os.walk(root):
            total += sum(os.path.getsize(os.path.join(folder, name)) for name in files)
        return total
    bucket = getattr(storage, "bucket", None)
    if bucket is not None:  # django-storages' S3Storage
        location = getattr(storage, "location", "")
        key = f"{location.rstrip('/')}/{prefix}" if location else prefix
        return sum(obj.size for obj in bucket.objects.filter(Prefix=key))
    raise RuntimeError(f"Cannot measure stored bytes on {type(storage).__name__}")


def output_bytes(user_id: str) -> int:
    """The bytes of the user's job outputs (cached a few seconds)."""
    key = f"assets:output-bytes:{user_id}"
    cached = cache.get(key)
    if cached is not None:
        return int(cached)
    total = _prefix_bytes(f"users/{user_id}/jobs/")
    cache.set(key, total, settings.ASSET_OUTPUT_USAGE_CACHE_SECONDS)
    return total


def asset_bytes(user_id: str) -> int:
    return Asset.objects.filter(owner_id=user_id).aggregate(total=Sum("size"))["total"] or 0


def storage_used(user: User) -> int:
    """The profile's `usage.storageUsed`: assets and job outputs, in bytes."""
    return asset_bytes(user.pk) + output_bytes(user.pk)


def storage_check(*, user: User, adding: int) -> None:
    """402 SUBSCRIPTION_LIMIT if `adding` more bytes would pass the user's storage limit.

    Called with the user's row locked (accounts.services.user_lock), so two uploads racing
    cannot both fit into the last free bytes.
    """
    limit = user.limits.storage_bytes
    used = storage_used(user)
    if used + adding > limit:
        raise SubscriptionLimit(
            f"This upload needs {adding} bytes; {max(0, limit - used)} of your plan's "
            f"{limit} bytes of storage are free",
            details={"storageUsed": used, "storageLimit": limit, "fileSize": adding},
        )
