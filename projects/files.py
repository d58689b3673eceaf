"""A project's files in Django storage: everything under `projects/<project id>/`.

Works on any storage that lists folders (the local disk, S3 through django-storages); the
media apps save a project's files under its prefix so that these can find them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from django.core.files.storage import Storage, default_storage

Progress = Callable[[int, int], None]


def project_prefix(project_id: str) -> str:
    return f"projects/{project_id}/"


def walk(prefix: str, storage: Storage | None = None) -> Iterator[str]:
    """The names of every file under `prefix`, at any depth."""
    storage = storage or default_storage
    try:
        folders, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{prefix}{name}"
    for folder in folders:
        yield from walk(f"{prefix}{folder}/", storage)


def _report(progress: Progress | None, done: int, total: int) -> None:
    # About a hundred reports at most, whatever the number of files.
    if progress is not None and (done == total or done % max(1, total // 100) == 0):
        progress(done, total)


def delete_tree(prefix: str, *, progress: Progress | None = None) -> int:
    """Delete every file under `prefix` (and, on local disk, the folders left empty)."""
    names = list(walk(prefix))
    for done, name in enumerate(names, start=1):
        default_storage.delete(name)
        _report(progress, done, len(names))
    _remove_empty_folders(prefix)
    return len(names)


def copy_tree(source: str, target: str, *, progress: Progress | None = None) -> int:
    """Copy every file under `source` to the same place under `target`.

    A file already at its target is kept, so a rerun after a lost worker copies only the rest.
    """
    names = list(walk(source))
    copied = 0
    for done, name in enumerate(names, start=1):
        destination = f"{target}{name[len(source) :]}"
        if not default_storage.exists(destination):
            with default_storage.open(name, "rb") as content:
                default_storage.save(destination, content)
            copied += 1
        _report(progress, done, len(names))
    return copied


def _remove_empty_folders(prefix: str) -> None:
    try:
        root = Path(default_storage.path(prefix))
    except NotImplementedError:  # object storage has no folders to leave behind
        return
    if not root.is_dir():
        return
    for folder, _subfolders, _files in sorted(os.walk(root), key=lambda w: -len(w[0])):
        try:
            Path(folder).rmdir()
        except OSError:  # not empty: a file arrived meanwhile; keep it
            continue
