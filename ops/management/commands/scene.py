"""`manage.py scene create`: a scene from a script file, its render followed in the terminal."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandParser
from tqdm import tqdm

from config.api.errors import ApiError
from jobs.models import Job, JobStatus
from ops.management.base import Failed, OpsCommand, UsageError
from scenes import services


class Command(OpsCommand):
    help = (
        "Create a scene as POST /scenes does, from a script in a file.\n\n"
        "  scene create --idea IDEA_ID --script FILE --user EMAIL [--title T] [--follow]\n\n"
        "--follow shows the render job's stage and progress until it ends (Ctrl-C stops "
        "following, not the job). The job runs on the workers: start them first (or "
        "`manage.py serve`, whose embedded worker takes it).\n"
        "Exit status: 0 created (with --follow: the job completed); 1 the job failed, was "
        "cancelled or refused, or --timeout passed; 2 bad usage (unknown idea, user or file)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a scene from a script file.")
        create.add_argument("--idea", required=True, metavar="IDEA_ID")
        create.add_argument("--script", required=True, metavar="FILE", help="'-' for stdin.")
        create.add_argument("--user", required=True, metavar="EMAIL", help="The scene's creator.")
        create.add_argument("--title", help="Default: the idea's title.")
        create.add_argument("--description", default="")
        create.add_argument("--follow", action="store_true", help="Follow the job to its end.")
        create.add_argument("--timeout", type=float, default=3600, help="Seconds (--follow).")
        create.add_argument("--interval", type=float, default=0.5, help=argparse_suppress())

    def handle(self, *args: Any, **options: Any) -> None:
        creator = get_user_model().objects.filter(email__iexact=options["user"]).first()
        if creator is None:
            raise UsageError(f"No user with the e-mail {options['user']}")
        if options["script"] == "-":
            import sys

            script = sys.stdin.read()
        else:
            path = Path(options["script"])
            if not path.is_file():
                raise UsageError(f"No such file: {path}")
            script = path.read_text(encoding="utf-8")
        from catalog.models import Idea

        idea = Idea.objects.filter(pk=options["idea"]).first()
        if idea is None:
            raise UsageError(f"No such idea: {options['idea']}")
        try:
            scene, job = services.scene_create(
                creator=creator,
                idea_id=idea.pk,
                title=options["title"] or idea.title,
                initial_script=script,
                description=options["description"],
            )
        except ApiError as error:
            raise UsageError(f"The scene was refused: {error.detail}") from None
        self.stdout.write(f"Scene {scene.pk} created; job {job.pk} renders its first segment.")
        if options["follow"]:
            self._follow(job, timeout=options["timeout"], interval=options["interval"])

    def _follow(self, job: Job, *, timeout: float, interval: float) -> None:
        deadline = time.monotonic() + timeout
        bar = tqdm(
            total=100,
            unit="%",
            desc="queued",
            disable=not self._progress,
            file=self.stderr._out,
            leave=True,
        )
        last: tuple[str, str] | None = None
        try:
            while True:
                job.refresh_from_db()
                bar.set_description(job.stage or job.status)
                bar.update(job.progress - bar.n)
                if (job.status, job.stage) != last:
                    last = (job.status, job.stage)
                    self.stdout.write(f"{job.status}: {job.stage} {job.progress}% {job.message}")
                if job.is_finished:
                    break
                if time.monotonic() > deadline:
                    raise Failed(f"Job {job.pk} is still {job.status} after {timeout:.0f} s")
                time.sleep(interval)
        finally:
            bar.close()
        if job.status != JobStatus.COMPLETED:
            raise Failed(f"Job {job.pk} ended {job.status}: {job.error}")
        self.stdout.write(f"Job {job.pk} completed.")


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS
