"""`manage.py render`: a prompt or a render request (JSON) to MP4 + HLS, with a progress bar.

For operators: try a backend on a worker machine, or render outside the job queue.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from media_pipeline import pipeline
from media_pipeline.request import RenderRequest, RenderRequestInvalid


class BarReporter:
    """A Reporter that moves a tqdm bar and prints log lines above it."""

    def __init__(self, bar: tqdm) -> None:
        self.bar = bar

    def progress(self, fraction: float, message: str | None = None) -> None:
        self.bar.n = round(max(self.bar.n, fraction * 100), 1)
        if message:
            self.bar.set_postfix_str(message, refresh=False)
        self.bar.refresh()

    def check_cancelled(self) -> None:
        pass

    def log(self, message: str, level: str = "info", **details: Any) -> None:
        self.bar.write(f"[{level}] {message}" + (f" {details}" if details else ""))


class Command(BaseCommand):
    help = "Render a prompt (or a render request JSON file) to MP4, HLS, thumbnail and poster."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prompt", nargs="?", help="What the video shows (one shot per line)")
        parser.add_argument("--request", type=Path, help="A render request as JSON instead")
        parser.add_argument("--duration", type=float, default=10.0)
        parser.add_argument("--resolution", default="1280x720")
        parser.add_argument("--fps", type=int, default=24)
        parser.add_argument("--style", default="cinematic")
        parser.add_argument("--voice", default="en", help='A narration voice, or "none"')
        parser.add_argument("--backend", choices=("animatic", "diffusers"), default="")
        parser.add_argument(
            "--out",
            type=Path,
            default=Path("render-out"),
            help="The folder the files go into (made if missing; it must be empty)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            request = self._request(options)
        except (RenderRequestInvalid, ValueError, OSError) as exc:
            raise CommandError(str(exc)) from None
        out: Path = options["out"]
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise CommandError(f"--out {out}: give a new or empty folder.")
        # The narration and soundtrack are scratch work: they stay in a temporary folder,
        # and only the finished files move into --out.
        with (
            tempfile.TemporaryDirectory(prefix="render-") as scratch,
            tqdm(
                total=100, unit="%", desc="render", bar_format="{l_bar}{bar}| {n:.0f}% {postfix}"
            ) as bar,
        ):
            packaged, manifest, _ = pipeline.render_to_files(
                request,
                workdir=Path(scratch),
                reporter=BarReporter(bar),
                backend=options["backend"],
            )
            finished = packaged.mp4.parent
            out.mkdir(parents=True, exist_ok=True)
            for entry in finished.iterdir():
                shutil.move(entry, out / entry.name)
            bar.n = 100
            bar.refresh()
        info = packaged.info
        self.stdout.write(
            self.style.SUCCESS(
                f"{info.duration:.2f} s, {info.width}x{info.height}, "
                f"{info.size / 1e6:.1f} MB ({manifest.backend})"
            )
        )
        for path in (packaged.mp4, packaged.master_playlist, packaged.thumbnail, packaged.poster):
            self.stdout.write(f"  {out / path.relative_to(finished)}")

    def _request(self, options: dict[str, Any]) -> RenderRequest:
        if options["request"]:
            return RenderRequest.from_dict(json.loads(options["request"].read_text()))
        if not options["prompt"]:
            raise CommandError("Give a prompt or --request FILE.")
        from storytext.script import script_to_shots

        width, _, height = options["resolution"].lower().partition("x")
        shots = script_to_shots(
            options["prompt"], total_duration=options["duration"], style=options["style"]
        )
        voice = None if options["voice"] == "none" else options["voice"]
        return RenderRequest.from_dict(
            {
                "shots": [shot.to_dict() for shot in shots],
                "width": int(width),
                "height": int(height),
                "fps": options["fps"],
                "style": options["style"],
                "options": {"voice": voice},
            }
        )
