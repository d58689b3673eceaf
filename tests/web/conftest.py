"""Browser-page test fixtures: an empty view buffer, tiny renders."""

from __future__ import annotations

import pytest

from tests.catalog.helpers import _empty_view_buffer  # noqa: F401 (an autouse fixture)


@pytest.fixture(autouse=True)
def _scene_settings(settings):
    settings.SCENE_RENDER = {"width": 320, "height": 180, "fps": 12}
