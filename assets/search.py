"""Semantic search: cosine similarity between a query's MiniLM vector and the assets'.

The index is exact and in-process: every embedded asset's unit vector in one float32 matrix
(100,000 assets: 150 MB, one matrix-vector product of a few milliseconds), with each row's
owner, project, kind and media type as integer codes so that what a caller may see is a numpy
mask, not a query per row. Before each search one aggregate query (count and newest change)
(the newest `updated_at`, an index lookup) tells whether the table moved; rows changed since
are read in. The ranked candidates are then fetched through the same visibility selector as
every list (`assets_by_ids`), so a row deleted, removed or unshared since never shows; a
candidate that no longer exists at all is dropped from the index there and then.

pgvector (HNSW) would replace the matrix in PostgreSQL; this PostgreSQL 15 has no `vector`
extension packaged (no `postgresql-15-pgvector` in its apt sources), so the exact index serves
both databases.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from django.db.models import Max
from threadpoolctl import ThreadpoolController

from accounts.models import User
from assets import embeddings, selectors
from assets.analysis import STOP_WORDS
from assets.models import Asset


class _Codes:
    """Strings to small integers (owner, project, kind, media type columns of the index)."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {"": 0}

    def __call__(self, value: str | None) -> int:
        key = value or ""
        code = self.codes.get(key)
        if code is None:
            code = self.codes[key] = len(self.codes)
        return code

    def get(self, value: str) -> int | None:
        return self.codes.get(value)


@dataclass
class VectorIndex:
    """The embedded assets' vectors and the columns search filters on."""

    ids: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    matrix: np.ndarray = field(
        default_factory=lambda: np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32)
    )
    owner: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    project: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    kind: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    media_type: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    live: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    codes: _Codes = field(default_factory=_Codes)
    latest: datetime | None = None  # the newest change read in
    lock: threading.Lock = field(default_factory=threading.Lock)

    _COLUMNS = ("pk", "owner_id", "project_id", "kind", "media_type", "removed_at", "embedding")

    def _embedded(self) -> Any:
        return Asset.objects.filter(embedding__isnull=False)

    def sync(self) -> None:
        """Bring the index in step with the table (one index lookup when nothing moved)."""
        latest = Asset.objects.aggregate(latest=Max("updated_at"))["latest"]
        with self.lock:
            if latest == self.latest and latest is not None:
                return
            if self.latest is None:
                self._load(self._embedded(), replace=True)
            else:
                self._load(self._embedded().filter(updated_at__gte=self.latest), replace=False)
            self.latest = latest

    def forget(self, ids: list[str]) -> None:
        """Take rows that no longer exist out of the results (deleted assets)."""
        with self.lock:
            for pk in ids:
                row = self.rows.get(pk)
                if row is not None:
                    self.live[row] = False

    def _load(self, queryset: Any, *, replace: bool) -> None:
        rows = list(queryset.order_by().values_list(*self._COLUMNS))
        if replace:
            self.ids, self.rows = [], {}
            self.matrix = np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32)
            for name in ("owner", "project", "kind", "media_type"):
                setattr(self, name, np.zeros(0, dtype=np.int32))
            self.live = np.zeros(0, dtype=bool)
        new = [r for r in rows if r[0] not in self.rows]
        start = len(self.ids)
        if new:
            self.ids.extend(r[0] for r in new)
            self.rows.update({r[0]: start + i for i, r in enumerate(new)})
            grow = len(new)
            self.matrix = np.concatenate(
                [self.matrix, np.zeros((grow, embeddings.DIMENSIONS), dtype=np.float32)]
            )
            for name in ("owner", "project", "kind", "media_type"):
                setattr(self, name, np.concatenate([getattr(self, name), np.zeros(grow, np.int32)]))
            self.live = np.concatenate([self.live, np.zeros(grow, dtype=bool)])
        for pk, owner_id, project_id, kind, media_type, removed_at, vector in rows:
            row = self.rows[pk]
            self.matrix[row] = embeddings.from_bytes(vector)
            self.owner[row] = self.codes(owner_id)
            self.project[row] = self.codes(project_id)
            self.kind[row] = self.codes(f"kind:{kind}")
            self.media_type[row] = self.codes(f"media:{media_type}")
            self.live[row] = removed_at is None

    def rank(
        self,
        query: np.ndarray,
        *,
        owner_id: str,
        project_ids: list[str],
        only_project: str | None,
        kinds: list[str] | None,
        media_types: list[str] | None,
        threshold: float,
        top: int,
    ) -> tuple[list[tuple[str, float]], int]:
        """The `top` best rows the mask lets through, at or above `threshold`, and how many
        rows pass the threshold in all."""
        with self.lock, _blas().limit(limits=1, user_api="blas"):
            if not self.ids:
                return [], 0
            owner = self.codes.get(owner_id)
            allowed = [c for c in (self.codes.get(p) for p in project_ids) if c]
            mask = self.live & (
                (self.owner == owner) if owner is not None else np.zeros(len(self.ids), bool)
            )
            if allowed:
                mask |= self.live & np.isin(self.project, allowed)
            if only_project is not None:
                mask &= self.project == (self.codes.get(only_project) or -1)
            if kinds:
                mask &= np.isin(self.kind, [self.codes.get(f"kind:{k}") or -1 for k in kinds])
            if media_types:
                mask &= np.isin(
                    self.media_type, [self.codes.get(f"media:{m}") or -1 for m in media_types]
                )
            scores = self.matrix @ query
            scores[~mask] = -2.0
            passing = np.flatnonzero(scores >= threshold)
            total = int(passing.size)
            if total > top:
                best = passing[np.argpartition(-scores[passing], top - 1)[:top]]
            else:
                best = passing
            best = best[np.argsort(-scores[best], kind="stable")]
            return [(self.ids[i], float(scores[i])) for i in best], total


_controller: list[ThreadpoolController] = []


def _blas() -> ThreadpoolController:
    """threadpoolctl's view of the loaded BLAS, found once (finding it costs ~7 ms)."""
    if not _controller:
        _controller.append(ThreadpoolController())
    return _controller[0]


_index = VectorIndex()


def index() -> VectorIndex:
    """The process's index (synced before each search)."""
    return _index


@dataclass
class SearchResult:
    asset: Asset
    similarity: float
    matching_elements: list[str]


@dataclass
class SearchPage:
    results: list[SearchResult]
    total: int
    model: str
    processing_ms: float


_TERM = re.compile(r"[a-z0-9][a-z0-9'-]*")


def matching_elements(query: str, asset: Asset) -> list[str]:
    """The query's words and two-word phrases that the asset's text contains."""
    text = " ".join(
        [
            asset.name,
            asset.description,
            " ".join(asset.tags),
            str(asset.analysis.get("description", "")),
            " ".join(asset.analysis.get("tags", [])),
            " ".join(c.get("name", "") for c in asset.technical.get("palette", [])),
        ]
    ).lower()
    words = set(_TERM.findall(text))
    terms = _TERM.findall(query.lower())
    found: list[str] = []
    for first, second in itertools.pairwise(terms):
        if first in STOP_WORDS or second in STOP_WORDS:
            continue
        phrase = f"{first} {second}"
        if phrase in text and phrase not in found:
            found.append(phrase)
    for term in terms:
        if term not in STOP_WORDS and term in words and not any(term in f for f in found):
            found.append(term)
    return found[:10]


def asset_search(
    *,
    user: User,
    query: str,
    project_id: str | None = None,
    kinds: list[str] | None = None,
    media_types: list[str] | None = None,
    threshold: float = 0.0,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """The assets the user may see, most similar to `query` first."""
    started = time.perf_counter()
    encoder = embeddings.encoder()
    vector = encoder.encode_one(query)
    project_ids = selectors.visible_project_ids(user)
    vector_index = index()
    vector_index.sync()
    wanted = offset + limit
    # A few spare candidates for rows that the database no longer shows (deleted meanwhile).
    ranked, total = vector_index.rank(
        vector,
        owner_id=user.pk,
        project_ids=project_ids,
        only_project=project_id,
        kinds=kinds,
        media_types=media_types,
        threshold=threshold,
        top=wanted + 10,
    )
    visible = selectors.assets_by_ids([pk for pk, _ in ranked], user=user, project_ids=project_ids)
    missing = [pk for pk, _ in ranked if pk not in visible]
    if missing:  # deleted ones leave the index; removed or unshared ones stay masked out
        gone = set(missing) - set(Asset.objects.filter(pk__in=missing).values_list("pk", flat=True))
        vector_index.forget(list(gone))
    results = [
        SearchResult(visible[pk], score, matching_elements(query, visible[pk]))
        for pk, score in ranked
        if pk in visible
    ][offset:wanted]
    total -= len(missing)
    return SearchPage(
        results=results,
        total=max(total, 0),
        model=encoder.name,
        processing_ms=round((time.perf_counter() - started) * 1000, 1),
    )
