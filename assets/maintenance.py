"""What the operators' commands need from the assets app (config.maintenance registries):
the embeddings `manage.py reindex` recomputes, and the stored files `manage.py storage`
judges (an owner's assets under `users/<owner>/assets/<asset>/`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db.models import Q
from django.utils import timezone

from assets import analysis, embeddings
from assets.choices import AssetStatus, EmbeddingStatus
from assets.models import Asset
from config.maintenance import EmbeddingSource, FileArea

PREFIX = "users/"


def embedding_keys(stale_only: bool) -> list[str]:
    """The assets to embed, in key order: all analysed ones, or those not embedded by the
    model that embeds now."""
    assets = Asset.objects.exclude(status=AssetStatus.ANALYZING)
    if stale_only:
        current = embeddings.encoder().name
        assets = assets.filter(Q(embedding__isnull=True) | ~Q(embedding_model=current))
    return list(assets.order_by("pk").values_list("pk", flat=True))


def embed(keys: Sequence[str]) -> int:
    """Embed these assets with the current model and store the vectors; returns how many."""
    stored = 0
    for asset in Asset.objects.filter(pk__in=keys).order_by("pk"):
        stored += store_embedding(asset)
    return stored


def store_embedding(asset: Asset) -> int:
    """The asset's vector from its text as it is now, stored with the model's name."""
    encoder = embeddings.encoder()
    vector = encoder.encode_one(analysis.embedding_text_of(asset))
    now = timezone.now()
    return Asset.objects.filter(pk=asset.pk).update(
        embedding=embeddings.to_bytes(vector),
        embedding_status=EmbeddingStatus.COMPLETE,
        embedding_model=encoder.name,
        embedded_at=now,
        updated_at=now,
    )


def owner_of(name: str) -> str | None:
    """The owner a stored name says it belongs to, for names in an owner's asset folder."""
    parts = name.split("/")
    if len(parts) >= 4 and parts[0] == "users" and parts[2] == "assets" and ".." not in parts:
        return parts[1]
    return None


def referenced(names: Sequence[str]) -> set[str]:
    """Names some asset row points to (its file or its thumbnail)."""
    names = [name for name in names if owner_of(name) is not None]
    rows = Asset.objects.filter(Q(file__in=names) | Q(thumbnail__in=names))
    pointed = {value for pair in rows.values_list("file", "thumbnail") for value in pair}
    return {name for name in names if name in pointed}


def references() -> Iterator[tuple[str, str]]:
    """(asset id, storage name) for every file an owner's asset row points to."""
    rows = Asset.objects.filter(file__startswith=PREFIX).values_list("pk", "file", "thumbnail")
    for pk, file, thumbnail in rows.iterator(chunk_size=500):
        yield from ((pk, name) for name in (file, thumbnail) if name)


EMBEDDINGS = EmbeddingSource(name="assets", keys=embedding_keys, embed=embed)
OWNER_ASSETS = FileArea(
    name="assets",
    prefix=PREFIX,
    owner_of=owner_of,
    referenced=referenced,
    references=references,
)
