"""`manage.py reindex`: recompute embeddings in batches, resumably, after a model change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser

from config.maintenance import EmbeddingSource, embedding_sources
from ops.management.base import Failed, OpsCommand, UsageError


def checkpoint_path(source: str) -> Path:
    return Path(settings.DATA_DIR) / "reindex" / f"{source}.json"


class Command(OpsCommand):
    help = (
        "Recompute embeddings of the sources apps register (config.maintenance."
        "register_embedding_source), batch by batch.\n\n"
        "  reindex                      every source, rows whose embedding is missing or from "
        "another model\n"
        "  reindex --all                every row (after a model change that keeps its name)\n"
        "  reindex --source NAME ...    only these sources\n"
        "  reindex --list               the registered sources and what is stale\n"
        "  reindex --dry-run            count what would be embedded\n\n"
        "Resumable: after each batch the last key is kept in DATA_DIR/reindex/<source>.json; a "
        "run that stopped goes on after it (--restart starts over). A finished source forgets "
        "its checkpoint.\n"
        "Exit status: 0 done; 1 a batch failed (the checkpoint keeps the work done); 2 bad usage."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", action="append", default=[], metavar="NAME")
        parser.add_argument("--all", action="store_true", help="Every row, not only stale ones.")
        parser.add_argument("--batch-size", type=int, default=64)
        parser.add_argument("--restart", action="store_true", help="Ignore the checkpoints.")
        parser.add_argument("--list", action="store_true", help="List the sources and stop.")
        self.add_dry_run(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        sources = embedding_sources()
        if options["batch_size"] < 1:
            raise UsageError("--batch-size must be at least 1")
        unknown = [name for name in options["source"] if name not in sources]
        if unknown:
            known = ", ".join(sorted(sources)) or "none registered"
            raise UsageError(f"Unknown source {', '.join(unknown)} (known: {known})")
        chosen = [sources[name] for name in options["source"] or sorted(sources)]
        if options["list"]:
            for source in chosen:
                stale = len(source.keys(True))
                self.stdout.write(f"{source.name}  model={source.model or '-'}  stale={stale}")
            return
        if not chosen:
            self.stdout.write("No embedding sources are registered: nothing to reindex.")
            return
        for source in chosen:
            self._reindex(source, options)

    def _reindex(self, source: EmbeddingSource, options: dict[str, Any]) -> None:
        path = checkpoint_path(source.name)
        after = None
        if path.exists() and not options["restart"]:
            after = json.loads(path.read_text()).get("after")
        keys = list(source.keys(not options["all"]))
        if after is not None:
            keys = [key for key in keys if key > after]
        if options["dry_run"]:
            resumed = f" (resuming after {after})" if after is not None else ""
            self.stdout.write(f"{source.name}: would embed {len(keys)} rows{resumed}")
            return
        size = options["batch_size"]
        batches = [keys[i : i + size] for i in range(0, len(keys), size)]
        done = 0
        for batch in self.progress(batches, total=len(batches), desc=source.name):
            try:
                done += source.embed(batch)
            except Exception as error:
                raise Failed(
                    f"{source.name}: a batch failed ({type(error).__name__}: {error}); "
                    f"{done} rows embedded; run again to resume"
                ) from error
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"after": batch[-1], "done": done}, default=str))
        path.unlink(missing_ok=True)
        self.stdout.write(f"{source.name}: {done} rows embedded")
