"""Files in Django storage (local disk or S3): finished outputs in, trees of them walked,
copied and removed (a job's outputs, a project's files), and stored files back out.

Prefixes given to walk/delete_tree/copy_tree end in `/`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage, default_storage

Progress = Callable[[int, int], None]


def output_prefix(owner_id: str, job_id: str) -> str:
    """Where a job's files live in storage; the owner's id makes ownership checkable."""
    return f"users/{owner_id}/jobs/{job_id}"


def owner_of(name: str) -> str | None:
    """The user id a stored output belongs to, from its name (None: not an output)."""
    parts = name.split("/")
    if len(parts) >= 4 and parts[0] == "users" and parts[2] == "jobs" and ".." not in parts:
        return parts[1]
    return None


def upload_tree(local_dir: Path, prefix: str) -> dict[str, str]:
    """Copy every file under `local_dir` to storage under `prefix`; {relative: storage name}.

    A file already stored under its name (a rerun after a crash) is kept, not uploaded again.
    """
    stored: dict[str, str] = {}
    for path in sorted(p for p in local_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(local_dir).as_posix()
        name = f"{prefix}/{relative}"
        if not default_storage.exists(name):
            with path.open("rb") as handle:
                saved = default_storage.save(name, File(handle))
            if saved != name:  # storage renamed it: a concurrent rerun stored it first
                default_storage.delete(saved)
        stored[relative] = name
    return stored


def delete_outputs(*, owner_id: str, job_id: str) -> int:
    """Remove a job's stored outputs (a cancelled render's, say)."""
    return delete_tree(f"{output_prefix(owner_id, job_id)}/")


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


@contextmanager
def local_copy(name: str) -> Iterator[Path]:
    """A stored file as a local path (a temporary copy on S3), removed afterwards."""
    suffix = Path(name).suffix
    try:
        local = Path(default_storage.path(name))
    except NotImplementedError:  # remote storage (S3): no local path
        local = None
    if local is not None:
        yield local
        return
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / f"input{suffix}"
        with default_storage.open(name, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out)
        yield target
