"""Packaging frames into MP4 + HLS + stills, read back with PyAV."""

from __future__ import annotations

import subprocess
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image

from media_pipeline import packaging
from media_pipeline.backends.base import Cancelled, NullReporter
from media_pipeline.ffmpeg import FfmpegError
from media_pipeline.packaging import (
    PackagedVideo,
    PackagingError,
    low_rendition_size,
    package,
    probe,
)
from tests.media_pipeline.reporters import Recorder

WIDTH, HEIGHT, FPS, SECONDS = 256, 144, 24, 2
FRAMES = FPS * SECONDS


def moving_frames(count: int = FRAMES, width: int = WIDTH, height: int = HEIGHT) -> Iterator:
    """A moving gradient, yielded from ONE reused buffer (as backends may do)."""
    buffer = np.zeros((height, width, 3), np.uint8)
    x = np.arange(width)[None, :]
    y = np.arange(height)[:, None]
    for i in range(count):
        buffer[..., 0] = (x * 255 // width + i * 5) % 256
        buffer[..., 1] = (y * 255 // height + i * 3) % 256
        buffer[..., 2] = (x + y + i * 7) % 256
        yield buffer


def write_tone(path: Path, seconds: float, rate: int = 44100, channels: int = 1) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    mono = (0.5 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.repeat(mono, channels).tobytes())
    return path


def run_package(outdir: Path, audio: Path | None = None, **overrides: Any) -> PackagedVideo:
    kwargs: dict[str, Any] = {
        "width": WIDTH,
        "height": HEIGHT,
        "fps": FPS,
        "frame_count": FRAMES,
        "audio": audio,
        "outdir": outdir,
        "reporter": NullReporter(),
    }
    kwargs.update(overrides)
    frames = kwargs.pop("frames", None) or moving_frames(
        kwargs["frame_count"], kwargs["width"], kwargs["height"]
    )
    return package(frames, **kwargs)


@pytest.fixture(scope="module")
def with_tone(tmp_path_factory) -> PackagedVideo:
    tmp = tmp_path_factory.mktemp("tone")
    # Mono 44.1 kHz and shorter than the video: packaging resamples, upmixes and pads it.
    return run_package(tmp / "out", audio=write_tone(tmp / "tone.wav", 1.5))


@pytest.fixture(scope="module")
def silent(tmp_path_factory) -> PackagedVideo:
    return run_package(tmp_path_factory.mktemp("silent") / "out")


def audio_rms(path: Path) -> float:
    with av.open(str(path)) as container:
        samples = [
            frame.to_ndarray().astype(np.float64).ravel() for frame in container.decode(audio=0)
        ]
    data = np.concatenate(samples)
    return float(np.sqrt(np.mean(data**2)))


def top_level_boxes(path: Path) -> list[str]:
    boxes, data, offset = [], path.read_bytes(), 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        boxes.append(data[offset + 4 : offset + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        offset += size if size else len(data)
    return boxes


def test_the_mp4_holds_h264_high_yuv420p_and_aac_48k_stereo(with_tone):
    info = probe(with_tone.mp4)
    assert (info.video_codec, info.video_profile, info.pixel_format) == (
        "h264",
        "High",
        "yuv420p",
    )
    assert (info.audio_codec, info.sample_rate, info.channels) == ("aac", 48000, 2)
    assert (info.width, info.height, info.fps) == (WIDTH, HEIGHT, FPS)
    assert info.bitrate > 0
    assert with_tone.info == info


def test_the_mp4_is_faststart_with_moov_before_mdat(with_tone):
    boxes = top_level_boxes(with_tone.mp4)
    assert boxes.index("moov") < boxes.index("mdat")


def test_the_mp4_lasts_frame_count_over_fps_within_one_frame(with_tone, silent):
    for video in (with_tone, silent):
        assert abs(video.info.duration - SECONDS) <= 1 / FPS
        with av.open(str(video.mp4)) as container:
            assert sum(1 for _ in container.decode(video=0)) == FRAMES


def test_the_frames_are_encoded_as_given(tmp_path):
    video = run_package(tmp_path / "out")
    expected = list(frame.copy() for frame in moving_frames())
    with av.open(str(video.mp4)) as container:
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    # Lossy, and chroma is subsampled: the mean error stays small, frame for frame.
    errors = [np.abs(a.astype(int) - b.astype(int)).mean() for a, b in zip(decoded, expected)]
    assert max(errors) < 12


def test_the_master_playlist_has_two_renditions_with_resolution_bandwidth_codecs(with_tone):
    text = with_tone.master_playlist.read_text()
    assert text.startswith("#EXTM3U")
    lines = text.splitlines()
    streams = [i for i, line in enumerate(lines) if line.startswith("#EXT-X-STREAM-INF:")]
    assert len(streams) == 2
    sizes = []
    for i in streams:
        attributes = lines[i]
        assert "BANDWIDTH=" in attributes
        assert 'CODECS="avc1.' in attributes and 'mp4a.40.2"' in attributes
        sizes.append(attributes.split("RESOLUTION=")[1].split(",")[0])
        assert (with_tone.master_playlist.parent / lines[i + 1]).is_file()
    assert sizes == [f"{WIDTH}x{HEIGHT}", "228x128"]
    assert [r.bandwidth for r in with_tone.renditions] == [
        int(lines[i].split("BANDWIDTH=")[1].split(",")[0]) for i in streams
    ]


def test_each_variant_lists_segments_that_exist_decode_and_last_as_long_as_the_video(
    with_tone,
):
    for rendition in with_tone.renditions:
        listed = [
            line
            for line in rendition.playlist.read_text().splitlines()
            if line and not line.startswith("#")
        ]
        durations = [
            float(line.split(":")[1].split(",")[0])
            for line in rendition.playlist.read_text().splitlines()
            if line.startswith("#EXTINF:")
        ]
        assert [rendition.playlist.parent / name for name in listed] == list(rendition.segments)
        assert abs(sum(durations) - with_tone.info.duration) <= 1 / FPS
        frames = 0
        for segment in rendition.segments:
            with av.open(str(segment)) as container:
                for frame in container.decode(video=0):
                    assert (frame.width, frame.height) == (rendition.width, rendition.height)
                    frames += 1
        assert frames == FRAMES
    assert set(with_tone.hls_files) == {
        p for p in with_tone.master_playlist.parent.rglob("*") if p.is_file()
    }


def test_the_thumbnail_and_poster_are_jpegs_of_the_right_sizes(with_tone):
    with Image.open(with_tone.thumbnail) as thumbnail:
        assert thumbnail.format == "JPEG"
        assert thumbnail.size == (256, 144)  # narrower than 320: never upscaled
    with Image.open(with_tone.poster) as poster:
        assert poster.format == "JPEG"
        assert poster.size == (WIDTH, HEIGHT)


def test_a_wide_video_gets_a_320_px_thumbnail(tmp_path):
    video = run_package(tmp_path / "out", width=640, height=360, frame_count=6)
    with Image.open(video.thumbnail) as thumbnail:
        assert thumbnail.size == (320, 180)
    assert [(r.width, r.height) for r in video.renditions] == [(640, 360), (320, 180)]


def test_a_given_soundtrack_is_mixed_in_and_otherwise_the_track_is_silent(with_tone, silent):
    assert audio_rms(with_tone.mp4) > 0.05
    assert audio_rms(silent.mp4) < 1e-4
    assert silent.info.has_audio and silent.info.audio_codec == "aac"


def test_progress_is_reported_every_12_frames_up_to_one(tmp_path):
    reporter = Recorder()
    run_package(tmp_path / "out", reporter=reporter)
    assert reporter.fractions[:4] == [12 / FRAMES, 24 / FRAMES, 36 / FRAMES, 48 / FRAMES]
    assert reporter.fractions[-1] == 1.0
    assert reporter.checks >= FRAMES


REAL_POPEN = subprocess.Popen


class PopenSpy:
    """Wraps subprocess.Popen to keep the processes packaging starts."""

    started: list[subprocess.Popen] = []

    def __new__(cls, *args, **kwargs):
        proc = REAL_POPEN(*args, **kwargs)
        cls.started.append(proc)
        return proc


def test_cancelling_mid_stream_kills_ffmpeg_and_leaves_no_outputs(tmp_path, monkeypatch):
    PopenSpy.started = []
    monkeypatch.setattr(packaging.subprocess, "Popen", PopenSpy)
    outdir = tmp_path / "out"
    with pytest.raises(Cancelled):
        run_package(outdir, reporter=Recorder(cancel_at=20))
    assert len(PopenSpy.started) == 1
    assert PopenSpy.started[0].poll() is not None  # killed and reaped
    assert list(outdir.iterdir()) == []


def test_a_cancelling_backend_is_handled_like_a_cancelled_job(tmp_path):
    def frames():
        yield from moving_frames(10)
        raise Cancelled

    with pytest.raises(Cancelled):
        run_package(tmp_path / "out", frames=frames())
    assert list((tmp_path / "out").iterdir()) == []


def test_a_failing_ffmpeg_raises_with_its_stderr_and_leaves_no_outputs(tmp_path):
    not_a_wav = tmp_path / "broken.wav"
    not_a_wav.write_bytes(b"this is not audio" * 100)
    with pytest.raises(FfmpegError) as raised:
        run_package(tmp_path / "out", audio=not_a_wav)
    assert "broken.wav" in str(raised.value)
    assert raised.value.returncode not in (0, None)
    assert list((tmp_path / "out").iterdir()) == []


def test_too_few_frames_or_frames_of_the_wrong_shape_are_refused(tmp_path):
    with pytest.raises(PackagingError, match="Got 10 frames, 48 announced"):
        run_package(tmp_path / "a", frames=moving_frames(10))
    with pytest.raises(PackagingError, match="Frame 0"):
        run_package(tmp_path / "b", frames=moving_frames(5, width=128))
    with pytest.raises(PackagingError, match="even"):
        run_package(tmp_path / "c", width=255)
    assert list((tmp_path / "a").iterdir()) == list((tmp_path / "b").iterdir()) == []


def test_packaging_again_replaces_the_previous_outputs(tmp_path):
    first = run_package(tmp_path / "out", frame_count=FRAMES)
    second = run_package(tmp_path / "out", frame_count=FPS)
    assert second.mp4 == first.mp4
    assert abs(probe(second.mp4).duration - 1.0) <= 1 / FPS
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "hls",
        "poster.jpg",
        "thumbnail.jpg",
        "video.mp4",
    ]


@pytest.mark.parametrize(
    ("size", "low"),
    [
        ((1920, 1080), (640, 360)),
        ((1280, 720), (640, 360)),
        ((720, 1280), (360, 640)),
        ((640, 360), (320, 180)),
        ((256, 144), (228, 128)),
        ((160, 96), (160, 96)),
    ],
)
def test_the_lower_rendition_is_360p_or_half_size_with_sides_of_at_least_128(size, low):
    assert low_rendition_size(*size) == low


def test_probe_reads_an_audio_only_file(tmp_path):
    info = probe(write_tone(tmp_path / "tone.wav", 1.0, rate=22050, channels=2))
    assert (info.has_video, info.has_audio) == (False, True)
    assert (info.audio_codec, info.sample_rate, info.channels) == ("pcm_s16le", 22050, 2)
    assert info.width is None and abs(info.duration - 1.0) < 0.01
