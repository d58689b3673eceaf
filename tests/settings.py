"""The test suite's settings: the project's own, on a data folder of the test run's own.

`make run` keeps its database, broker folder and files in DATA_DIR (var/ by default); a test
run from the same checkout must not share them (the worker tests would take the server's
broker folder for theirs). The process that starts the run makes a fresh folder, names it in
the environment for the processes it starts (xdist workers, the Celery workers and
`manage.py` commands of the tests), and removes it at exit. Those processes keep the
DATA_DIR they were given.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_RUN_FOLDER = "STORYPLATFORM_TEST_DATA_DIR"

if _RUN_FOLDER not in os.environ:
    _folder = tempfile.mkdtemp(prefix="storyplatform-tests-")
    atexit.register(shutil.rmtree, _folder, ignore_errors=True)
    os.environ[_RUN_FOLDER] = _folder
    os.environ["DATA_DIR"] = _folder
else:
    os.environ.setdefault("DATA_DIR", os.environ[_RUN_FOLDER])

from config.settings import *  # noqa: E402,F403
