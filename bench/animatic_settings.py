"""Benchmark: does the animatic draw the world of its script? (issue 13)

Renders every script of the labelled set in `tests/media_pipeline/animatic_settings.py` as a
film job would (the script's shots, each drawn by the CPU animatic) and checks what was drawn
against the labels: the setting of every shot, its time of day and weather where labelled,
the subjects that must appear and those that must not. Prints, as markdown, the accuracy per
label and overall on the development part (tuned on), the held-out part (set aside before
any tuning, never tuned on) and the fresh part (written after the renderer was frozen), and
each miss.

    .venv/bin/python bench/animatic_settings.py

docs/benchmarks.md ("Animatic settings (issue 13)") has the results.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/animatic_settings.py` puts bench/ first
    sys.path.insert(0, str(ROOT))


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="bench-animatic-settings-"))
    os.environ["LLM_BASE_URL"] = ""  # the rule script reader, as offline jobs use
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="320x180", help="the frames' size (WxH)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    _setup_django()
    from tqdm import tqdm

    from tests.media_pipeline.animatic_settings import DEV, FRESH, HELD_OUT, judge

    started = time.perf_counter()
    rows = []
    misses = []
    for name, cases in (("development", DEV), ("held out", HELD_OUT), ("fresh", FRESH)):
        verdicts = [judge(c, width=width, height=height) for c in tqdm(cases, desc=name)]
        n = len(verdicts)

        def share(values: list[bool], n: int = n) -> str:
            return f"{sum(values)}/{len(values)} ({100 * sum(values) / max(1, len(values)):.0f} %)"

        timed = [v.time_ok for v in verdicts if v.case.time is not None]
        weathered = [v.weather_ok for v in verdicts if v.case.weather is not None]
        rows.append(
            f"| {name} | {n} | {share([v.setting_ok for v in verdicts])} | {share(timed)} | "
            f"{share(weathered)} | {share([v.subjects_ok for v in verdicts])} | "
            f"**{share([v.ok for v in verdicts])}** |"
        )
        for v in verdicts:
            if not v.ok:
                wrong = [
                    f"setting {'/'.join(sorted(set(v.settings)))} (want {v.case.setting})"
                    if not v.setting_ok
                    else "",
                    f"time {'/'.join(sorted(set(v.times)))} (want {v.case.time})"
                    if not v.time_ok
                    else "",
                    f"weather {'/'.join(sorted({str(w) for w in v.weathers}))} "
                    f"(want {v.case.weather})"
                    if not v.weather_ok
                    else "",
                    (
                        f"missing {sorted(v.case.subjects - v.drawn)}, "
                        f"unwanted {sorted(v.case.never & v.drawn)}"
                    )
                    if not v.subjects_ok
                    else "",
                ]
                misses.append(f"- {name}, `{v.case.id}`: " + "; ".join(w for w in wrong if w))
    seconds = time.perf_counter() - started
    total = len(DEV) + len(HELD_OUT) + len(FRESH)
    print(f"Frames {width}x{height}; {total} scripts in {seconds:.1f} s.\n")
    print("| part | scripts | setting | time (labelled) | weather (labelled) | subjects | all |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print("\nMisses:\n" + ("\n".join(misses) if misses else "- none"))


if __name__ == "__main__":
    main()
