"""Running ffmpeg: where it is, what it can do, and one runner with progress and cancellation.

ffmpeg comes with the imageio-ffmpeg wheel (a static build with libx264, AAC, HLS, libvpx,
vid.stab), so every worker has the same one. Its stderr goes to a temporary file, never to a
pipe nobody reads (a full pipe would stall it); when it fails, the tail of that file is the
error's message.
"""

from __future__ import annotations

import contextlib
import functools
import os
import select
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import imageio_ffmpeg

from media_pipeline.backends.base import Reporter

STDERR_TAIL_CHARS = 2000


class FfmpegError(RuntimeError):
    """ffmpeg exited with an error; the message ends with the tail of its stderr."""

    def __init__(self, what: str, returncode: int | None, stderr_tail: str) -> None:
        super().__init__(f"{what} (ffmpeg exit status {returncode}):\n{stderr_tail}".rstrip())
        self.returncode = returncode
        self.stderr_tail = stderr_tail


@functools.cache
def ffmpeg_exe() -> str:
    """The path of the ffmpeg binary."""
    return imageio_ffmpeg.get_ffmpeg_exe()


@functools.cache
def available_filters() -> frozenset[str]:
    """Names of the filters this ffmpeg build has."""
    out = subprocess.run(  # noqa: S603 - our own binary, fixed arguments
        [ffmpeg_exe(), "-hide_banner", "-filters"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        # Filter lines read " TS hqdn3d  V->V  Apply ..."; the header lines have no "->".
        if len(parts) >= 3 and "->" in parts[2]:
            names.add(parts[1])
    return frozenset(names)


def has_filter(name: str) -> bool:
    """Whether this ffmpeg build has the filter `name`."""
    return name in available_filters()


def base_args(loglevel: str = "warning") -> list[str]:
    """The start of every command: the binary, quiet but for warnings, overwriting outputs."""
    return [ffmpeg_exe(), "-hide_banner", "-nostats", "-loglevel", loglevel, "-y"]


def read_tail(stream: IO[bytes], limit: int = STDERR_TAIL_CHARS) -> str:
    """The last `limit` characters written to a temporary stderr file."""
    stream.flush()
    size = stream.seek(0, os.SEEK_END)
    stream.seek(max(0, size - limit * 4))
    return stream.read().decode("utf-8", "replace")[-limit:].strip()


def kill(proc: subprocess.Popen[bytes]) -> None:
    """Stop ffmpeg now and reap it (it may hold half-written outputs open)."""
    if proc.poll() is None:
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def run(
    args: Sequence[str],
    *,
    what: str,
    reporter: Reporter,
    duration: float | None,
    span: tuple[float, float] = (0.0, 1.0),
    cwd: Path | None = None,
    loglevel: str = "warning",
) -> str:
    """Run one ffmpeg command (the options after `base_args()`); return its stderr tail.

    Progress is ffmpeg's `-progress` `out_time` against `duration` (seconds of input),
    mapped into `span` of the reporter's 0-1. The reporter is asked about cancellation
    between progress lines and at least every quarter second; on Cancelled, ffmpeg is killed
    and the exception propagates. A non-zero exit raises FfmpegError. `loglevel` "info" makes
    filters' reports (loudnorm's measurements) part of the returned tail.
    """
    command = [
        *base_args(loglevel), "-progress", "pipe:1", "-stats_period", "0.25", *args
    ]  # fmt: skip
    start, end = span
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(  # noqa: S603 - our own binary, arguments built here
            command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr
        )
        assert proc.stdout is not None
        try:
            buffer = b""
            last_fraction = -1.0
            fd = proc.stdout.fileno()
            # poll, not select: select() refuses descriptors past 1024, which a long-lived
            # worker (or a test process) holding many files reaches.
            poller = select.poll()
            poller.register(fd, select.POLLIN | select.POLLHUP)
            while True:
                reporter.check_cancelled()
                ready = poller.poll(250)
                if not ready:
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    key, _, value = line.decode("ascii", "replace").strip().partition("=")
                    # out_time_ms is in microseconds too (a historic misnomer).
                    if key != "out_time_us" or not duration or not value.lstrip("-").isdigit():
                        continue
                    fraction = min(1.0, max(0.0, int(value) / 1e6 / duration))
                    if fraction - last_fraction >= 0.01:
                        last_fraction = fraction
                        reporter.progress(start + (end - start) * fraction)
            returncode = proc.wait()
        except BaseException:
            kill(proc)
            raise
        finally:
            proc.stdout.close()
        tail = read_tail(stderr)
    if returncode != 0:
        raise FfmpegError(what, returncode, tail)
    reporter.progress(end)
    return tail
