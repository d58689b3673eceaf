"""Benchmark: the content screen's precision, recall and speed on the labelled set (issue 6).

Runs the offline rule screen (`MODERATION_BACKEND=rules`) over the labelled texts in
`tests/moderation/screening_set.py` and prints, as markdown:

- precision, recall and F1 per category (a category counts as predicted when its score reaches
  MODERATION_REVIEW_THRESHOLD) and overall, at two levels: `flag` (flagged or rejected) and
  `reject` (the job ends moderation_failed); an acceptable text flagged at all is a false
  positive at both levels;
- the same for the held-out texts (written after the rules were tuned, measured, then used
  to add vocabulary: no longer unseen) and the fresh texts (written last, never tuned on: the
  honest estimate for text the screen has not seen);
- speed: texts per second on one core over `--repeat` passes, per-text latency p50/p99, and
  the cold start (building the lexicon and compiling the rules, once per process).

    .venv/bin/python bench/screening.py --repeat 20

docs/benchmarks.md ("Content screening (issue 6)") has the results.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/screening.py` puts bench/ first, not the root
    sys.path.insert(0, str(ROOT))


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="bench-screening-"))
    os.environ["MODERATION_BACKEND"] = "rules"
    import django

    django.setup()


def _table(title: str, counts: dict, categories: tuple[str, ...]) -> str:
    rows = [
        f"**{title}**",
        "",
        "| category | texts | TP | FP | FN | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in (*categories, "overall_flag", "overall_reject"):
        c = counts.get(name)
        if c is None:
            continue
        label = {"overall_flag": "**overall (flag)**", "overall_reject": "**overall (reject)**"}
        rows.append(
            f"| {label.get(name, name)} | {c.tp + c.fn} | {c.tp} | {c.fp} | {c.fn} | "
            f"{c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f} |"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="passes over the set for speed")
    parser.add_argument("--out", type=Path, help="also write the numbers as JSON here")
    parser.add_argument("--show-errors", action="store_true", help="list misclassified texts")
    args = parser.parse_args()

    started = time.perf_counter()
    _setup_django()
    from django.conf import settings

    cold_started = time.perf_counter()
    from moderation.screening import CATEGORIES, get_backend, screen_text
    from tests.moderation.screening_set import (
        ACCEPTABLE,
        FRESH,
        HELD_OUT,
        SAMPLES,
        VIOLATING,
        measure,
    )

    get_backend()  # importing compiles the rules; the backend builds its lexicon, once
    cold = time.perf_counter() - cold_started
    review = settings.MODERATION_REVIEW_THRESHOLD

    report: dict = {"threshold": settings.MODERATION_THRESHOLD, "review_threshold": review}
    tables = []
    sets = (("labelled set", SAMPLES), ("held out", HELD_OUT), ("fresh", FRESH))
    for name, samples in sets:
        results = [screen_text(s.text) for s in samples]
        counts = measure(samples, results, review_threshold=review)
        violating = sum(s.violating for s in samples)
        tables.append(
            _table(
                f"{name}: {len(samples)} texts ({len(samples) - violating} acceptable, "
                f"{violating} violating)",
                counts,
                CATEGORIES,
            )
        )
        report[name] = {
            k: {"tp": c.tp, "fp": c.fp, "fn": c.fn, "precision": c.precision, "recall": c.recall}
            for k, c in counts.items()
        }
        if args.show_errors:
            for sample, result in zip(samples, results, strict=True):
                wrong = (sample.violating and not result.rejected) or (
                    not sample.violating and result.flagged
                )
                if wrong:
                    print(f"  {result.status:9} {result.score:.2f} {sample.labels} {sample.text!r}")

    latencies: list[float] = []
    texts = [s.text for s in SAMPLES]
    run_started = time.perf_counter()
    for _ in range(args.repeat):
        for text in texts:
            t0 = time.perf_counter()
            screen_text(text)
            latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - run_started
    latencies.sort()
    speed = {
        "texts": len(latencies),
        "texts_per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "max_ms": latencies[-1] * 1000,
        "cold_start_ms": cold * 1000,
        "mean_chars": sum(map(len, texts)) / len(texts),
    }
    report["speed"] = speed
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []

    print(f"Content screening benchmark (rules backend, threshold {report['threshold']}, "
          f"review {review}); {len(ACCEPTABLE)} + {len(VIOLATING)} labelled texts\n")  # fmt: skip
    print("\n\n".join(tables))
    print(
        f"\n**speed** (one process, one core): {speed['texts_per_second']:,.0f} texts/s over "
        f"{speed['texts']:,} screenings of texts averaging {speed['mean_chars']:.0f} characters; "
        f"latency p50 {speed['p50_ms']:.2f} ms, p99 {speed['p99_ms']:.2f} ms, "
        f"max {speed['max_ms']:.2f} ms; cold start {speed['cold_start_ms']:.0f} ms. "
        f"loadavg {' '.join(load)}; total {time.perf_counter() - started:.1f} s"
    )
    if args.out:
        args.out.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
