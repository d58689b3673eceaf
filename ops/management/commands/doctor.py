"""`manage.py doctor`: check the installation and say what to fix."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import CommandParser

from ops import doctor
from ops.management.base import Failed, OpsCommand


class Command(OpsCommand):
    help = (
        "Check configuration, database (and pending migrations), Redis, storage, workers, "
        "ffmpeg, espeak-ng, GPU and model paths; each check prints ok, warn or fail, and "
        "what to fix.\n\n"
        "  doctor [--only NAME ...] [--json]\n\n"
        f"Checks: {', '.join(doctor.CHECKS)}.\n"
        "Exit status: 0 no check failed (warnings allowed); 1 some check failed; 2 bad usage."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", action="append", choices=list(doctor.CHECKS), metavar="NAME")
        parser.add_argument("--json", action="store_true", help="One JSON object per check.")

    def handle(self, *args: Any, **options: Any) -> None:
        findings = []
        for name in self.progress(options["only"] or list(doctor.CHECKS), desc="checking"):
            findings += doctor.run([name])
        for finding in findings:
            if options["json"]:
                self.stdout.write(json.dumps(asdict(finding)))
                continue
            mark = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}[finding.status]
            line = f"[{mark}] {finding.name}: {finding.detail}"
            if finding.fix:
                line += f"\n       fix: {finding.fix}"
            self.stdout.write(line)
        failed = [f.name for f in findings if f.status == doctor.FAIL]
        if failed:
            raise Failed(f"{len(failed)} checks failed: {', '.join(failed)}")
