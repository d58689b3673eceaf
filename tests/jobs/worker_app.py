"""The Celery app of the worker processes that tests/jobs/test_worker.py starts.

The project's app, plus the test job types: the worker imports tests.jobs.job_types once
Django is set up (Celery's Django fixup runs django.setup() before the `imports` modules), so
the types the tests submit are registered in the worker too.
"""

from __future__ import annotations

from config.celery import app

app.conf.imports = (*app.conf.imports, "tests.jobs.job_types")

__all__ = ["app"]
