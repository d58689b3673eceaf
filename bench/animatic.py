"""Benchmark: how fast the animatic backend draws frames (media pipeline issue 4).

Draws `--seconds` of video (default 20) at 1280x720, 24 fps: a multi-shot request with
narration and dialogue captions, a title card, and every camera move and transition, and
counts frames per second and the real-time factor (video seconds per wall second). Frames are
drawn and dropped: no encoding (the whole pipeline, render plus encode, is measured apart).
The goal is at least 2x real time on 2 cores (48+ frames/s at 24 fps).

The machine's load average before and after is printed with the result, since other work on
a shared machine slows the drawing; `cpu_s` (this process's CPU time) is the steadier figure.

    .venv/bin/python bench/animatic.py --seconds 20
    .venv/bin/python bench/animatic.py --seconds 10 --width 1920 --height 1080 --threads 1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/animatic.py` puts bench/ first, not the root
    sys.path.insert(0, str(ROOT))

from media_pipeline.backends.animatic import AnimaticBackend  # noqa: E402
from media_pipeline.backends.base import NullReporter  # noqa: E402
from media_pipeline.request import CAMERA_MOVES, TRANSITIONS, RenderRequest, Shot  # noqa: E402

PROMPTS = (
    ("A wide establishing shot of a city skyline at night", "The city never sleeps.", ()),
    ("A detective in the rain on a dark street", "", (("Mara", "Who's there?"),)),
    ("Two friends walk through a forest at sunset", "They walked until the light was gone.", ()),
    ("A boat on the sea under the moon", "Out on the water, nobody could hear them.", ()),
    ("A castle on snowy mountains", "", (("Knight", "We ride at dawn."), ("Queen", "Go."))),
    ("A close-up of a robot in a laboratory", "It had waited a long time.", ()),
    ("A spaceship in orbit around a planet", "Home was a pale dot now.", ()),
    ("A village by the sea on a sunny day", "Summer came back, as it always did.", ()),
)


def build_request(
    *, seconds: float, width: int, height: int, fps: int, style: str
) -> RenderRequest:
    """Shots of about 4 s cycling through the prompts, camera moves and transitions."""
    shots = []
    left, i = seconds, 0
    while left > 1e-6:
        duration = min(4.0, left) if left - 4.0 >= 0.5 or left <= 4.0 else left / 2
        prompt, narration, dialogue = PROMPTS[i % len(PROMPTS)]
        shots.append(
            Shot(
                prompt=prompt,
                narration=narration,
                dialogue=dialogue,
                duration=duration,
                camera=CAMERA_MOVES[(i + 1) % len(CAMERA_MOVES)],
                transition=TRANSITIONS[i % len(TRANSITIONS)],
            )
        )
        left -= duration
        i += 1
    return RenderRequest(
        shots=tuple(shots),
        width=width,
        height=height,
        fps=fps,
        seed=1,
        style=style,
        title="The Long Night",
    )


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=24)
    parser.add_argument("--style", default="cinematic")
    parser.add_argument("--threads", type=int, default=None, help="drawing threads (default 2)")
    args = parser.parse_args()

    request = build_request(
        seconds=args.seconds, width=args.width, height=args.height, fps=args.fps, style=args.style
    )
    backend = AnimaticBackend(threads=args.threads)
    load_before = loadavg()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    first = None
    count = 0
    for _frame in backend.frames(request, NullReporter()):
        count += 1
        if first is None:
            first = time.perf_counter() - start
    wall = time.perf_counter() - start
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    assert count == request.frame_count, (count, request.frame_count)

    result = {
        "benchmark": "animatic",
        "width": args.width,
        "height": args.height,
        "fps": args.fps,
        "style": args.style,
        "threads": backend.threads,
        "shots": len(request.shots),
        "frames": count,
        "video_s": round(request.duration, 3),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "first_frame_s": round(first or 0.0, 3),
        "frames_per_s": round(count / wall, 1),
        "realtime_factor": round(request.duration / wall, 2),
        "frames_per_cpu_s": round(count / cpu, 1) if cpu else None,
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    print(json.dumps(result, indent=2))
    print()
    print(
        "| size | fps | style | threads | frames | wall s | frames/s | x real time | CPU s "
        "| load avg (before → after) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.width}x{args.height} | {args.fps} | {args.style} | {backend.threads} | {count} "
        f"| {wall:.2f} | {count / wall:.1f} | {request.duration / wall:.2f} | {cpu:.2f} "
        f"| {load_before.split()[0]} → {loadavg().split()[0]} |"
    )


if __name__ == "__main__":
    main()
