"""`manage.py storage`: every user's usage, and files without rows or rows without files."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import CommandParser

from config.maintenance import file_areas
from media_pipeline.storage import walk
from ops.management.base import Failed, OpsCommand

BATCH = 500


class Command(OpsCommand):
    help = (
        "Check the media storage against the database.\n\n"
        "  storage usage [--json]        recompute every user's usage in bytes from the stored "
        "files (walks the storage)\n"
        "  storage orphans               list files no row points to, and rows whose files are "
        "gone\n"
        "  storage orphans --delete      remove the files no row points to\n"
        "  storage orphans --delete --dry-run   say what --delete would remove\n\n"
        "Rows whose files are gone are listed, never changed: they are users' data.\n"
        "Exit status: 0 done and nothing left to fix (or a dry run); 1 orphaned files found and "
        "not deleted, or rows whose files are gone; 2 bad usage."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        usage = sub.add_parser("usage", help="Every user's usage in bytes.")
        usage.add_argument("--json", action="store_true", help="{userId: bytes} as JSON.")
        orphans = sub.add_parser("orphans", help="Files without rows, rows without files.")
        orphans.add_argument("--delete", action="store_true", help="Remove orphaned files.")
        self.add_dry_run(orphans)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _usage(self, options: dict[str, Any]) -> None:
        usage: dict[str, int] = defaultdict(int)
        files: dict[str, int] = defaultdict(int)
        for area in file_areas().values():
            for name in self.progress(walk(area.prefix), desc=f"sizing {area.name}"):
                owner = area.owner_of(name)
                if owner is None:
                    continue
                usage[owner] += default_storage.size(name)
                files[owner] += 1
        if options["json"]:
            self.stdout.write(json.dumps(dict(sorted(usage.items())), sort_keys=True))
            return
        self.stdout.write(f"{len(usage)} users store {sum(usage.values())} bytes")
        for owner, size in sorted(usage.items(), key=lambda item: -item[1]):
            self.stdout.write(f"{owner}  {size:>14} bytes  {files[owner]:>7} files")

    def _orphans(self, options: dict[str, Any]) -> None:
        orphaned: list[str] = []
        missing: list[tuple[str, str]] = []
        for area in file_areas().values():
            batch: list[str] = []
            for name in self.progress(walk(area.prefix), desc=f"scanning {area.name}"):
                # Areas share prefixes (`users/` holds job outputs and assets): an area
                # judges only the names it claims, never another area's files.
                if area.owner_of(name) is None:
                    continue
                batch.append(name)
                if len(batch) >= BATCH:
                    orphaned += sorted(set(batch) - area.referenced(batch))
                    batch = []
            if batch:
                orphaned += sorted(set(batch) - area.referenced(batch))
            for row, name in self.progress(area.references(), desc=f"checking {area.name} rows"):
                if not default_storage.exists(name):
                    missing.append((row, name))
        delete, dry_run = options["delete"], options["dry_run"]
        for name in orphaned:
            prefix = "would delete" if delete and dry_run else "orphaned file"
            self.stdout.write(f"{prefix}: {name}")
        if delete and not dry_run:
            for name in self.progress(orphaned, total=len(orphaned), desc="deleting"):
                default_storage.delete(name)
                self.stdout.write(f"deleted: {name}")
        for row, name in missing:
            self.stdout.write(f"missing file: {name} (row {row})")
        self.stdout.write(
            f"{len(orphaned)} orphaned files{' deleted' if delete and not dry_run else ''}, "
            f"{len(missing)} rows whose files are gone."
        )
        if dry_run:
            return
        problems = []
        if orphaned and not delete:
            problems.append(f"{len(orphaned)} orphaned files (remove them with --delete)")
        if missing:
            problems.append(f"{len(missing)} rows point to files that are gone")
        if problems:
            raise Failed("; ".join(problems))
