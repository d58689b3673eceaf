"""HLS renditions an adaptive player can choose between: the master playlist's BANDWIDTH rises
with the resolution, and the smaller picture is encoded at the lower bitrate."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from media_pipeline import packaging
from media_pipeline.backends.base import NullReporter
from tests.media_pipeline.test_packaging import moving_frames, write_tone

FPS, SECONDS = 24, 2


def flat_frames(count: int, width: int, height: int) -> Iterator[np.ndarray]:
    """A title card: flat colour blocks that barely change (the animatic's easy case)."""
    frame = np.zeros((height, width, 3), np.uint8)
    frame[: height // 2] = (30, 40, 90)
    frame[height // 2 :] = (200, 180, 120)
    for i in range(count):
        frame[height // 3 : height // 3 + 8, : (i + 1) * width // count] = (250, 250, 250)
        yield frame


def noisy_frames(count: int, width: int, height: int) -> Iterator[np.ndarray]:
    """Film grain over a gradient: the hard case for any encoder."""
    rng = np.random.default_rng(7)
    base = np.linspace(0, 200, width, dtype=np.float32)[None, :, None]
    for _ in range(count):
        grain = rng.normal(0, 12, (height, width, 3)).astype(np.float32)
        yield np.clip(base + grain, 0, 255).astype(np.uint8)


CONTENT = {"moving": moving_frames, "flat": flat_frames, "noisy": noisy_frames}


def master_streams(master: Path) -> list[dict[str, Any]]:
    """Each #EXT-X-STREAM-INF of a master playlist: its attributes and its playlist."""
    lines = master.read_text().splitlines()
    streams = []
    for i, line in enumerate(lines):
        if line.startswith("#EXT-X-STREAM-INF:"):
            attributes = dict(re.findall(r'([A-Z-]+)=("[^"]*"|[^,]*)', line.split(":", 1)[1]))
            width, height = (int(v) for v in attributes["RESOLUTION"].split("x"))
            streams.append(
                {
                    "pixels": width * height,
                    "bandwidth": int(attributes["BANDWIDTH"]),
                    "average": int(attributes["AVERAGE-BANDWIDTH"]),
                    "playlist": master.parent / lines[i + 1],
                }
            )
    return streams


def video_bitrate(playlist: Path) -> float:
    """Bits per second of the variant's video packets alone (the audio is the same in both)."""
    with av.open(str(playlist)) as container:
        stream = container.streams.video[0]
        total = sum(packet.size for packet in container.demux(stream) if packet.size)
    return total * 8 / SECONDS


def package(tmp_path: Path, content: str, width: int, height: int) -> packaging.PackagedVideo:
    return packaging.package(
        CONTENT[content](FPS * SECONDS, width, height),
        width=width,
        height=height,
        fps=FPS,
        frame_count=FPS * SECONDS,
        audio=write_tone(tmp_path / "tone.wav", SECONDS),
        outdir=tmp_path / "out",
        reporter=NullReporter(),
    )


def assert_ordered_for_a_player(master: Path) -> list[dict[str, Any]]:
    streams = sorted(master_streams(master), key=lambda s: s["pixels"])
    assert len(streams) == 2
    small, large = streams
    assert small["bandwidth"] < large["bandwidth"], streams
    assert small["average"] < large["average"], streams
    assert video_bitrate(small["playlist"]) < video_bitrate(large["playlist"])
    return streams


@pytest.mark.parametrize("content", sorted(CONTENT))
@pytest.mark.parametrize("size", [(1280, 720), (640, 360)])
def test_bandwidth_rises_with_resolution_and_the_small_picture_costs_fewer_bits(
    tmp_path, content, size
):
    packaged = package(tmp_path, content, *size)
    assert_ordered_for_a_player(packaged.master_playlist)


class Logged(NullReporter):
    def __init__(self) -> None:
        self.lines: list[str] = []

    def log(self, message: str, level: str = "info", **details: Any) -> None:
        self.lines.append(message)


def test_a_lower_rendition_that_came_out_larger_is_encoded_again_under_the_main_one(
    tmp_path, monkeypatch
):
    # Settings that make the one encode's lower rendition the larger stream.
    monkeypatch.setattr(packaging, "LOW_CRF", 0)
    monkeypatch.setattr(packaging, "LOW_BITS_PER_PIXEL", 20.0)
    reporter = Logged()
    packaged = packaging.package(
        moving_frames(FPS * SECONDS, 640, 360),
        width=640,
        height=360,
        fps=FPS,
        frame_count=FPS * SECONDS,
        audio=None,
        outdir=tmp_path / "out",
        reporter=reporter,
    )
    assert any("encoding it again" in line for line in reporter.lines), reporter.lines
    streams = assert_ordered_for_a_player(packaged.master_playlist)
    # The re-encoded variant is whole: it decodes for as long as the video lasts.
    with av.open(str(streams[0]["playlist"])) as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert abs(frames - FPS * SECONDS) <= 1
    assert [r.width for r in packaged.renditions] == [640, 320]
