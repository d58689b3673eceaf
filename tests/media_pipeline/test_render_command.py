"""`manage.py render`: an operator renders a prompt outside the job queue."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from media_pipeline.packaging import probe


def test_rendering_a_prompt_writes_a_playable_video_and_reports_it(tmp_path):
    out = io.StringIO()
    call_command(
        "render",
        "A red fox runs through snow.\nThe moon rises.",
        "--duration=2",
        "--resolution=320x180",
        "--fps=12",
        "--voice=none",
        f"--out={tmp_path}",
        stdout=out,
        stderr=io.StringIO(),
    )
    info = probe(tmp_path / "out" / "video.mp4")
    assert (info.width, info.height, info.has_audio) == (320, 180, True)
    assert info.duration == pytest.approx(2, abs=0.1)
    assert "320x180" in out.getvalue() and "master.m3u8" in out.getvalue()


def test_a_bad_request_file_is_a_command_error(tmp_path):
    request = tmp_path / "request.json"
    request.write_text('{"shots": [{"prompt": ""}]}')
    with pytest.raises(CommandError, match="prompt"):
        call_command("render", f"--request={request}", f"--out={tmp_path}")
