"""Scene test fixtures: tiny renders, an empty view buffer."""

from __future__ import annotations

import pytest

from catalog import view_buffer


@pytest.fixture(autouse=True)
def _scene_settings(settings):
    # Tiny renders: the pipeline is the real one, only the frames are few and small.
    settings.SCENE_RENDER = {"width": 320, "height": 180, "fps": 12}


@pytest.fixture(autouse=True)
def _empty_view_buffer():
    view_buffer.drain()
    yield
    view_buffer.drain()
