"""A project's files in Django storage: everything under `projects/<project id>/`.

The media apps save a project's files under its prefix, so that removing or copying the
project (media_pipeline.storage's tree helpers) finds them all.
"""

from __future__ import annotations


def project_prefix(project_id: str) -> str:
    return f"projects/{project_id}/"
