"""Signed HLS links that strict players accept: ffmpeg (the bundled imageio-ffmpeg build)
reads a signed master playlist, its variants and their segments over HTTP from a live
server, every link ending in the file's own name and extension."""

from __future__ import annotations

import re
import subprocess
from urllib.parse import urlsplit

import pytest
import requests

from config.files import signed_url
from media_pipeline import storage
from media_pipeline.backends.base import NullReporter
from media_pipeline.ffmpeg import ffmpeg_exe
from media_pipeline.packaging import package
from tests.media_pipeline.test_packaging import moving_frames, write_tone

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH, HEIGHT, FPS, SECONDS = 320, 180, 12, 6


@pytest.fixture
def stored_master(tmp_path) -> str:
    """A packaged video uploaded to storage, as a job's upload stage stores it."""
    out = tmp_path / "render"
    package(
        moving_frames(FPS * SECONDS, WIDTH, HEIGHT),
        width=WIDTH,
        height=HEIGHT,
        fps=FPS,
        frame_count=FPS * SECONDS,
        audio=write_tone(tmp_path / "tone.wav", SECONDS),
        outdir=out,
        reporter=NullReporter(),
    )
    stored = storage.upload_tree(out, "users/usr_hls/jobs/job_hls")
    return stored["hls/master.m3u8"]


def uris(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]


def test_every_signed_hls_link_ends_in_its_files_name(live_server, settings, stored_master):
    settings.PUBLIC_BASE_URL = live_server.url
    master_url = signed_url(stored_master)[0]
    assert urlsplit(master_url).path.endswith("/master.m3u8")
    master = requests.get(master_url, timeout=10)
    assert master.status_code == 200
    assert master.headers["Content-Type"] == "application/vnd.apple.mpegurl"
    variants = uris(master.text)
    assert len(variants) == 2
    for variant in variants:
        assert urlsplit(variant).path.endswith("/index.m3u8"), variant
        segments = uris(requests.get(variant, timeout=10).text)
        assert segments and all(urlsplit(s).path.endswith(".ts") for s in segments), segments
        first = requests.get(segments[0], timeout=10)
        assert first.status_code == 200 and first.content[0] == 0x47  # an MPEG-TS sync byte


def test_a_signed_link_with_another_files_name_is_not_found(live_server, settings, stored_master):
    settings.PUBLIC_BASE_URL = live_server.url
    master_url = signed_url(stored_master)[0]
    renamed = master_url.rsplit("/", 1)[0] + "/video.mp4"
    response = requests.get(renamed, timeout=10)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_ffmpeg_reads_the_signed_master_playlist_and_both_variants(
    live_server, settings, stored_master
):
    settings.PUBLIC_BASE_URL = live_server.url
    master_url = signed_url(stored_master)[0]
    # Every video stream of every variant, decoded to nothing: each segment is fetched.
    command = [ffmpeg_exe(), "-hide_banner", "-nostats", "-i", master_url]
    done = subprocess.run(
        [*command, "-map", "0:v", "-map", "0:a:0", "-f", "null", "-"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = done.stderr
    assert done.returncode == 0, log[-3000:]
    assert "allowed_segment_extensions" not in log and "Error" not in log, log[-3000:]
    sizes = set(re.findall(r"Video: h264 .*?, (\d+x\d+)", log))
    assert sizes == {f"{WIDTH}x{HEIGHT}", "228x128"}, log[-3000:]
    # Decoded to the end: the last progress line reports the whole video's duration.
    times = re.findall(r"time=(\d+):(\d+):(\d+\.\d+)", log)
    assert times, log[-3000:]
    hours, minutes, seconds = times[-1]
    assert abs(int(hours) * 3600 + int(minutes) * 60 + float(seconds) - SECONDS) < 0.5
