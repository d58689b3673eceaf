"""Finished files into Django storage (local disk or S3), and back out for processing."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage


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


def delete_tree(prefix: str) -> int:
    """Remove everything stored under `prefix` (a cancelled or deleted output)."""
    removed = 0
    directories, files = _listdir(prefix)
    for name in files:
        default_storage.delete(f"{prefix}/{name}")
        removed += 1
    for directory in directories:
        removed += delete_tree(f"{prefix}/{directory}")
    return removed


def _listdir(prefix: str) -> tuple[list[str], list[str]]:
    try:
        return default_storage.listdir(prefix)
    except FileNotFoundError:
        return [], []


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
