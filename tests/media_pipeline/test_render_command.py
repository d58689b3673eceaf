"""`manage.py render`: an operator renders a prompt outside the job queue."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from media_pipeline.packaging import probe


def test_rendering_a_prompt_writes_a_playable_video_into_the_out_folder_and_nothing_beside_it(
    tmp_path,
):
    target = tmp_path / "render"
    out = io.StringIO()
    call_command(
        "render",
        "A red fox runs through snow.\nThe moon rises.",
        "--duration=2",
        "--resolution=320x180",
        "--fps=12",
        "--voice=none",
        f"--out={target}",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert list(tmp_path.iterdir()) == [target]
    files = {path.relative_to(target).as_posix() for path in target.rglob("*") if path.is_file()}
    assert {"video.mp4", "hls/master.m3u8", "thumbnail.jpg", "poster.jpg", "manifest.json"} <= files
    assert all(
        name.endswith((".mp4", ".m3u8", ".ts", ".jpg", "manifest.json")) for name in files
    ), files
    info = probe(target / "video.mp4")
    assert (info.width, info.height, info.has_audio) == (320, 180, True)
    assert info.duration == pytest.approx(2, abs=0.1)
    assert "320x180" in out.getvalue()
    assert f"{target / 'video.mp4'}\n" in out.getvalue()
    assert f"{target / 'hls' / 'master.m3u8'}\n" in out.getvalue()


def test_rendering_into_a_folder_that_holds_files_is_refused(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(CommandError, match="empty"):
        call_command("render", "A red fox.", "--voice=none", f"--out={tmp_path}")
    assert [path.name for path in tmp_path.iterdir()] == ["keep.txt"]


def test_a_bad_request_file_is_a_command_error(tmp_path):
    request = tmp_path / "request.json"
    request.write_text('{"shots": [{"prompt": ""}]}')
    with pytest.raises(CommandError, match="prompt"):
        call_command("render", f"--request={request}", f"--out={tmp_path}")
