"""Benchmark: what the optimize endpoint's tunings save, measured over many probe runs.

POST /ai/models/:id/optimize measures one run of its probe with the model's defaults and one
with the tuned parameters (studio/tuning.py); one pair of wall-clock runs is noisy, so this
repeats the same pair `--rounds` times for each level of a model and task and prints, as
markdown, the median seconds and peak memory of each and the median speed improvement
(1 - tuned / defaults). The tests check that the endpoint reports what it measured; whether
a level is faster is this benchmark's to say.

    .venv/bin/python bench/model_tuning.py --rounds 15

docs/benchmarks.md ("Model tuning (issue 13)") has the results.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/model_tuning.py` puts bench/ first
    sys.path.insert(0, str(ROOT))


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="bench-model-tuning-"))
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="mdl_animatic")
    parser.add_argument("--task", default="video_generation")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    _setup_django()
    from tqdm import tqdm

    from media_pipeline import registry
    from studio import tuning

    spec = registry.get(args.model)
    defaults = {**tuning._defaults(spec), "seed": 0}
    kind = tuning.TASK_KIND[args.task]
    tuning._probe(spec, args.task, defaults)()  # warm-up, as the endpoint does
    print(f"{spec.id}, {args.task}: median of {args.rounds} rounds (defaults, then tuned)\n")
    print("| level | tuned parameters | defaults s | tuned s | speed improvement | "
          "defaults peak MB | tuned peak MB |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for level, tuned in tuning.LEVELS[kind].items():
        parameters = {**defaults, **tuned}
        base, fast, gains = [], [], []
        for _ in tqdm(range(args.rounds), desc=level, leave=False):
            before = tuning._measure(tuning._probe(spec, args.task, defaults))
            after = tuning._measure(tuning._probe(spec, args.task, parameters))
            base.append(before)
            fast.append(after)
            gains.append(1 - after["seconds"] / before["seconds"])
        print(
            f"| {level} | {tuned} | {statistics.median(b['seconds'] for b in base):.3f} | "
            f"{statistics.median(f['seconds'] for f in fast):.3f} | "
            f"{statistics.median(gains):+.0%} | "
            f"{statistics.median(b['peakMemory'] for b in base) / 1e6:.1f} | "
            f"{statistics.median(f['peakMemory'] for f in fast) / 1e6:.1f} |"
        )


if __name__ == "__main__":
    main()
