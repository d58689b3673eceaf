"""Scene test fixtures: scratch and storage folders of the test's own, tiny renders."""

from __future__ import annotations

import pytest

from catalog import view_buffer


@pytest.fixture(autouse=True)
def _scene_settings(settings, tmp_path):
    settings.JOB_WORKDIR = tmp_path / "jobs"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOB_PROGRESS_EVENT_INTERVAL = 0.0
    # Tiny renders: the pipeline is the real one, only the frames are few and small.
    settings.SCENE_RENDER = {"width": 320, "height": 180, "fps": 12}


@pytest.fixture(autouse=True)
def _empty_view_buffer():
    view_buffer.drain()
    yield
    view_buffer.drain()
