"""Benchmark: media_pipeline.packaging.package against one bare ffmpeg encode (issue 4).

The same frames (default 20 s of 1280x720 at 24 fps: a moving colour gradient over a
drifting noise texture with a moving block, generated once into memory, deterministic) and
the same WAV (a two-tone chord) are encoded, alternately, 3 times each:

(a) `package(...)`: MP4 + two-rendition HLS + thumbnail + poster + PyAV read-back;
(b) one bare ffmpeg command: rawvideo rgb24 on stdin -> libx264 MP4 + AAC from the WAV, with
    exactly package's main-rendition arguments (`main_video_args`, `audio_args`,
    `+faststart`), fed from the same in-memory frames the same way (one write per frame).

The goal is package <= 1.1x bare (ratio of median wall times). Wall times, CPU times (user +
system of this process and ffmpeg: less sensitive than wall time to other load on a shared
machine), the ratios, and /proc/loadavg before and after every run are printed as JSON and as
a markdown table.

    .venv/bin/python bench/packaging_speed.py [--seconds 20 --width 1280 --height 720 --fps 24
                                         --reps 3 --out /tmp/packaging_bench.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/packaging_speed.py` puts bench/ first, not the root
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from media_pipeline import ffmpeg  # noqa: E402
from media_pipeline.backends.base import NullReporter  # noqa: E402
from media_pipeline.packaging import audio_args, main_video_args, package  # noqa: E402


def make_frames(width: int, height: int, fps: int, count: int) -> np.ndarray:
    """Deterministic moving content: gradient waves, drifting noise, a moving block."""
    rng = np.random.default_rng(1234)
    noise = rng.integers(-12, 13, size=(height + 128, width + 128), dtype=np.int16)
    y = np.arange(height, dtype=np.float32)[:, None]
    x = np.arange(width, dtype=np.float32)[None, :]
    frames = np.empty((count, height, width, 3), dtype=np.uint8)
    block = max(16, height // 6)
    for i in range(count):
        t = i / fps
        dx, dy = (i * 3) % 128, (i * 2) % 128
        grain = noise[dy : dy + height, dx : dx + width]
        r = 128 + 90 * np.sin(x / 97 + t * 2.0) + 0 * y
        g = 128 + 90 * np.sin(y / 53 - t * 1.3) + 0 * x
        b = 128 + 90 * np.sin((x + y) / 71 + t * 0.7)
        frame = np.stack([r + grain, g + grain, b - grain], axis=-1)
        bx = int((width - block) * (0.5 + 0.5 * np.sin(t * 0.9)))
        by = int((height - block) * (0.5 + 0.5 * np.cos(t * 0.6)))
        frame[by : by + block, bx : bx + block] = (240, 220, 40)
        frames[i] = frame.clip(0, 255).astype(np.uint8)
    return frames


def make_wav(path: Path, seconds: float, rate: int = 48000) -> None:
    """A stereo two-tone chord, 16-bit."""
    t = np.arange(int(seconds * rate)) / rate
    left = 0.3 * np.sin(2 * np.pi * 220 * t) + 0.2 * np.sin(2 * np.pi * 330 * t)
    right = 0.3 * np.sin(2 * np.pi * 277 * t) + 0.2 * np.sin(2 * np.pi * 440 * t)
    samples = (np.stack([left, right], axis=1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())


def bare(frames: np.ndarray, fps: int, wav: Path, out: Path) -> None:
    """One ffmpeg command, package's main-rendition settings, frames on stdin."""
    _count, height, width, _ = frames.shape
    command = [
        *ffmpeg.base_args(),
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
        "-framerate", str(fps), "-i", "pipe:0",
        "-i", str(wav),
        "-map", "0:v", "-map", "1:a",
        *main_video_args(fps), *audio_args(),
        "-movflags", "+faststart", str(out),
    ]  # fmt: skip
    proc = subprocess.Popen(command, stdin=subprocess.PIPE)  # noqa: S603
    assert proc.stdin is not None
    for frame in frames:
        proc.stdin.write(frame.data)
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("bare ffmpeg failed")


def cpu_seconds() -> float:
    """User + system CPU time of this process and its waited-for children (ffmpeg)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=24)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args()

    count = round(args.seconds * args.fps)
    started = time.perf_counter()
    frames = make_frames(args.width, args.height, args.fps, count)
    generation = time.perf_counter() - started
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="packaging-bench-") as tmp:
        work = Path(tmp)
        wav = work / "tone.wav"
        make_wav(wav, count / args.fps)
        for rep in range(args.reps):
            # Alternate which goes first, so a drift in machine load hits both alike.
            order = ("bare", "package") if rep % 2 == 0 else ("package", "bare")
            for kind in order:
                before = loadavg()
                cpu0 = cpu_seconds()
                t0 = time.perf_counter()
                if kind == "bare":
                    bare(frames, args.fps, wav, work / "bare.mp4")
                    size = (work / "bare.mp4").stat().st_size
                else:
                    result = package(
                        iter(frames),
                        width=args.width,
                        height=args.height,
                        fps=args.fps,
                        frame_count=count,
                        audio=wav,
                        outdir=work / "package",
                        reporter=NullReporter(),
                    )
                    size = result.mp4.stat().st_size
                wall = time.perf_counter() - t0
                cpu = cpu_seconds() - cpu0
                runs.append(
                    {
                        "rep": rep,
                        "kind": kind,
                        "wall_s": round(wall, 3),
                        "cpu_s": round(cpu, 3),
                        "mp4_bytes": size,
                        "loadavg_before": before,
                        "loadavg_after": loadavg(),
                    }
                )
                print(
                    f"rep {rep} {kind:8s} {wall:7.2f} s wall {cpu:7.2f} s cpu  load {before}",
                    file=sys.stderr,
                )

    walls = {k: [r["wall_s"] for r in runs if r["kind"] == k] for k in ("bare", "package")}
    medians = {k: statistics.median(v) for k, v in walls.items()}
    cpus = {k: [r["cpu_s"] for r in runs if r["kind"] == k] for k in ("bare", "package")}
    cpu_medians = {k: statistics.median(v) for k, v in cpus.items()}
    pairs = [p / b for b, p in zip(walls["bare"], walls["package"], strict=True)]
    report = {
        "frames": count,
        "size": f"{args.width}x{args.height}",
        "fps": args.fps,
        "seconds": count / args.fps,
        "frame_generation_s": round(generation, 2),
        "main_rendition": main_video_args(args.fps),
        "runs": runs,
        "median_s": medians,
        "ratio_of_medians": round(medians["package"] / medians["bare"], 3),
        "ratio_per_rep": [round(r, 3) for r in pairs],
        # CPU time is less sensitive to other load on the machine than wall time.
        "cpu_median_s": cpu_medians,
        "cpu_ratio_of_medians": round(cpu_medians["package"] / cpu_medians["bare"], 3),
        "goal": "package <= 1.1 x bare",
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text)
    print()
    print("| rep | bare (s) | package (s) | package / bare | cpu bare / package (s) | loadavg |")
    print("|---|---|---|---|---|---|")
    for rep in range(args.reps):
        b = next(r for r in runs if r["rep"] == rep and r["kind"] == "bare")
        p = next(r for r in runs if r["rep"] == rep and r["kind"] == "package")
        ratio = p["wall_s"] / b["wall_s"]
        walls_text = f"{b['wall_s']:.2f} | {p['wall_s']:.2f} | {ratio:.3f}"
        cpu_text = f"{b['cpu_s']:.1f} / {p['cpu_s']:.1f}"
        print(f"| {rep} | {walls_text} | {cpu_text} | {b['loadavg_before']} |")
    print(
        f"| median | {medians['bare']:.2f} | {medians['package']:.2f} "
        f"| **{report['ratio_of_medians']:.3f}** "
        f"| {cpu_medians['bare']:.1f} / {cpu_medians['package']:.1f} "
        f"(x{report['cpu_ratio_of_medians']:.3f}) | |"
    )


if __name__ == "__main__":
    main()
