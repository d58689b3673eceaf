"""Benchmark: the whole render, as a video job does it (media pipeline issue 4).

Soundtrack (espeak-ng narration per shot, music bed, ducked mix), frames from the animatic
backend, one ffmpeg process packaging MP4 + two HLS renditions + thumbnail + poster: the
work of `media_pipeline.pipeline.render_to_files`, timed step by step, for `--seconds` of
1280x720 at 24 fps. The result is the real-time factor (seconds of video per wall second).
The shots are bench/animatic.py's (every camera move and transition, narration, dialogue).

    .venv/bin/python bench/render_pipeline.py --seconds 20
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from bench.animatic import build_request  # noqa: E402
from media_pipeline import pipeline  # noqa: E402
from media_pipeline.backends.base import NullReporter  # noqa: E402


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=24)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    request = build_request(
        seconds=args.seconds, width=args.width, height=args.height, fps=args.fps, style="cinematic"
    )
    rows = []
    for run in range(args.runs):
        load_before = loadavg()
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            started, cpu0 = time.perf_counter(), cpu_seconds()
            soundtrack = pipeline.make_soundtrack(request, workdir=work, reporter=NullReporter())
            audio_done = time.perf_counter()
            packaged, _ = pipeline.render_video(
                soundtrack.request,
                backend=pipeline.video_backend("animatic"),
                soundtrack=soundtrack.path,
                outdir=work / "out",
                reporter=NullReporter(),
            )
            ended, cpu1 = time.perf_counter(), cpu_seconds()
        wall = ended - started
        rows.append(
            {
                "run": run,
                "video_seconds": round(packaged.info.duration, 3),
                "soundtrack_s": round(audio_done - started, 3),
                "frames_and_packaging_s": round(ended - audio_done, 3),
                "wall_s": round(wall, 3),
                "x_real_time": round(packaged.info.duration / wall, 2),
                "cpu_s": round(cpu1 - cpu0, 2),
                "narrated": soundtrack.narrated,
                "loadavg_before": load_before,
                "loadavg_after": loadavg(),
            }
        )
    print(
        json.dumps(
            {"rows": rows, "cpus": os.cpu_count(), "python": platform.python_version()}, indent=2
        )
    )
    print()
    print(
        "| run | video s | soundtrack s | frames + packaging s | wall s | x real time | CPU s |",
        end="",
    )
    print(" load avg |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['run']} | {r['video_seconds']} | {r['soundtrack_s']} | "
            f"{r['frames_and_packaging_s']} | {r['wall_s']} | **{r['x_real_time']}** | "
            f"{r['cpu_s']} | {r['loadavg_before']} → {r['loadavg_after']} |"
        )


if __name__ == "__main__":
    main()
