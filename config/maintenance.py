"""Registries that domain apps fill for the operators' commands (`manage.py reindex`,
`manage.py storage`), so that neither the commands nor any hub module know every domain.

Each app registers in its own `AppConfig.ready()`; `ops` reads the registries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EmbeddingSource:
    """Rows whose embeddings `manage.py reindex` recomputes, in batches, resumably.

    - `keys(stale_only)`: the sortable keys (primary keys) of the rows to embed, in order;
      with stale_only, only rows whose embedding is missing or from another model.
    - `embed(keys)`: compute and store the embeddings of these rows; returns how many it
      stored (rows gone meanwhile are skipped).
    - `model`: the name of the model that embeds now (shown, and compared by `keys`).
    """

    name: str
    keys: Callable[[bool], Sequence[Any]]
    embed: Callable[[Sequence[Any]], int]
    model: str = ""


@dataclass(frozen=True)
class FileArea:
    """Stored files that rows own, under one storage prefix (`manage.py storage`).

    - `owner_of(name)`: the user id a stored file's name says it belongs to, or None.
    - `referenced(names)`: which of these stored names some row still points to.
    - `missing()`: (row, storage name) of the rows that point to files, to check they exist.
    """

    name: str
    prefix: str
    owner_of: Callable[[str], str | None]
    referenced: Callable[[Sequence[str]], set[str]]
    references: Callable[[], Iterable[tuple[str, str]]]


_embedding_sources: dict[str, EmbeddingSource] = {}
_file_areas: dict[str, FileArea] = {}


def register_embedding_source(source: EmbeddingSource) -> None:
    _embedding_sources[source.name] = source


def embedding_sources() -> dict[str, EmbeddingSource]:
    return dict(_embedding_sources)


def unregister_embedding_source(name: str) -> None:
    _embedding_sources.pop(name, None)


def register_file_area(area: FileArea) -> None:
    _file_areas[area.name] = area


def file_areas() -> dict[str, FileArea]:
    return dict(_file_areas)
