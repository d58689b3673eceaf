"""What every operators' command shares: exit codes scripts can trust, and progress bars.

Exit codes: 0 done (or, with --dry-run, nothing failed while looking); 1 the work failed or
found problems it could not fix (the output says which); 2 bad usage (Django's CommandError
default, and argparse's own).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

T = TypeVar("T")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Failed(CommandError):
    """The work failed or found problems: exit status 1."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=EXIT_FAILED)


class UsageError(CommandError):
    """Bad arguments: exit status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=EXIT_USAGE)


class OpsCommand(BaseCommand):
    """A command with `--no-progress` and tqdm bars on stderr (so stdout stays parseable)."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter  # keep the help's lines
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw progress bars on stderr."
        )
        return parser

    def execute(self, *args: Any, **options: Any) -> Any:
        self._progress = not options.get("no_progress", False)
        return super().execute(*args, **options)

    def progress(
        self, items: Iterable[T], *, total: int | None = None, desc: str = ""
    ) -> Iterator[T]:
        return iter(
            tqdm(
                items,
                total=total,
                desc=desc,
                unit="item",
                file=sys.stderr,
                disable=not getattr(self, "_progress", True),
                leave=False,
            )
        )

    def add_dry_run(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would be done, change nothing (exit 0 unless looking failed).",
        )
