"""Every static file that names a source map ships it: otherwise `collectstatic` with the
production storage (WhiteNoise's manifest, which follows every reference) fails, and with it
the Docker image's build (found by the topology harness, issue 19: the vendored hls.js named
a hls.min.js.map that was not there)."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.staticfiles import finders

SOURCE_MAP = re.compile(rb"[#@] sourceMappingURL=([^\s*]+)")


def _static_files() -> list[tuple[str, Path]]:
    found = []
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore_patterns=None):
            if path.endswith((".js", ".css")):
                found.append((path, Path(storage.path(path))))
    return found


def test_every_source_map_a_static_file_names_is_shipped_with_it():
    files = _static_files()
    assert any(path.endswith(".js") for path, _ in files), "no static JavaScript found at all"
    missing = []
    for path, full in files:
        for target in SOURCE_MAP.findall(full.read_bytes()[-4096:]):
            name = target.decode()
            if name.startswith("data:"):
                continue
            if not (full.parent / name).exists():
                missing.append(f"{path} -> {name}")
    assert not missing, f"static files name source maps that are not shipped: {missing}"
