"""Benchmark: the audio part of the media pipeline (issue 4).

Measures, with wall and CPU (process) time, median of --reps runs each:

(a) `synthesize_music` for a --seconds bed, for every mood (genre drama) and every genre
    (mood neutral): the goal is a 60 s bed in well under a second or two;
(b) `narrate` with espeak-ng, per narrated shot (skipped without espeak-ng);
(c) `mix_soundtrack` of --seconds of shots, every other one narrated, with music: ducking,
    limiter, WAV write (music synthesis included).

/proc/loadavg is printed before and after: the machine may be shared, so timings are noisy.

    DATA_DIR=/tmp/bench .venv/bin/python bench/audio.py [--seconds 60 --reps 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/audio.py` puts bench/ first, not the root
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from media_pipeline.audio import mix_soundtrack, narrate, synthesize_music  # noqa: E402
from media_pipeline.backends.base import NullReporter  # noqa: E402
from media_pipeline.request import GENRES, MOODS, Shot  # noqa: E402


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return "n/a"


def timed(fn: Callable[[], Any], reps: int) -> dict[str, float]:
    walls, cpus = [], []
    for _ in range(reps):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, Any] = {"seconds": args.seconds, "load_before": loadavg()}

    beds = {}
    for mood in MOODS:
        beds[f"drama/{mood}"] = timed(
            lambda m=mood: synthesize_music(duration=args.seconds, genre="drama", mood=m, seed=1),
            args.reps,
        )
    for genre in GENRES:
        beds[f"{genre}/neutral"] = timed(
            lambda g=genre: synthesize_music(
                duration=args.seconds, genre=g, mood="neutral", seed=1
            ),
            args.reps,
        )
    results["music"] = beds
    results["music_worst_cpu_s"] = max(b["cpu_s"] for b in beds.values())
    results["music_median_cpu_s"] = statistics.median(b["cpu_s"] for b in beds.values())

    shot_seconds = 5.0
    count = max(1, round(args.seconds / shot_seconds))
    shots = [
        Shot(
            prompt=f"shot {i}",
            narration="The wind carried the smell of rain across the valley." if i % 2 else "",
            duration=shot_seconds,
        )
        for i in range(count)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if shutil.which("espeak-ng"):
            spoken = sum(1 for s in shots if s.spoken_text)
            timing = timed(
                lambda: narrate(shots, voice="en", workdir=work, reporter=NullReporter()),
                args.reps,
            )
            results["narrate_per_shot"] = {k: v / spoken for k, v in timing.items()}
            clips = narrate(shots, voice="en", workdir=work, reporter=NullReporter())
        else:
            results["narrate_per_shot"] = "skipped: espeak-ng is not installed"
            clips = [None] * len(shots)
        durations = [s.duration for s in shots]
        results["mix"] = timed(
            lambda: mix_soundtrack(
                durations=durations,
                clips=clips,
                music=True,
                genre="adventure",
                mood="epic",
                seed=3,
                out=work / "mix.wav",
            ),
            args.reps,
        )
    results["load_after"] = loadavg()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
