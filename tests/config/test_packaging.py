"""The wheel pyproject.toml builds holds every app: installed from it, each one imports.

An installed wheel (not the source tree) is what a deployment from a package gets; a package
left out of `[tool.setuptools.packages.find]` would be missing there and nowhere else.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Top-level packages that are not part of the product.
NOT_SHIPPED = {"tests", "bench", "load"}  # the suite and the benchmark/load harnesses
SKIPPED = shutil.ignore_patterns(
    ".git", ".venv", "var", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "tests",
    "bench", "load", "render-out", "node_modules",
)  # fmt: skip

IMPORT_EVERY_APP = """
import importlib, json, sys
import django
django.setup()
from django.apps import apps
from django.template.loader import get_template
shipped = sys.argv[1]
found = {}
for name in json.loads(sys.argv[2]):
    module = importlib.import_module(name)
    found[name] = module.__file__.startswith(shipped)
template = get_template("admin/moderation/report/change_list.html").origin.name
print(json.dumps({"modules": found, "apps": [a.name for a in apps.get_app_configs()],
                  "template": template.startswith(shipped)}))
"""


def source_packages() -> set[str]:
    """Every top-level package of the source tree that the product is made of."""
    return {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in NOT_SHIPPED
    }


def test_every_app_and_package_is_in_the_wheel_and_imports_from_it(tmp_path):
    # Given the wheel built from a copy of the source tree (the build writes next to its input)
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=SKIPPED)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path / "dist"), str(source)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    shipped = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(shipped)
    local_apps = {a.name for a in apps.get_app_configs() if (ROOT / a.name).is_dir()}
    wanted = sorted(source_packages() | local_apps)

    # When a fresh interpreter imports every app and package, with the wheel first on its path
    # and run from elsewhere than the source tree
    env = {
        **os.environ,
        "PYTHONPATH": str(shipped),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATA_DIR": str(tmp_path / "data"),
    }
    ran = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_APP, str(shipped), json.dumps(wanted)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-3000:]
    answer = json.loads(ran.stdout.strip().splitlines()[-1])

    # Then each came from the wheel, Django set every app up from it, and the apps' own
    # templates travelled with them
    assert {"studio", "storytext", "media_pipeline", "moderation"} <= set(wanted)
    assert answer["modules"] == dict.fromkeys(wanted, True)
    assert local_apps <= set(answer["apps"])
    assert answer["template"] is True
