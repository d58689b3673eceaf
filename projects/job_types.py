"""The project work the jobs engine runs: removing a deleted project, copying a project's files.

Both run on the `cpu` queue. They are the platform's own work, not a client's: POST
/projects/:id/jobs refuses them (`client_job_types`).
"""

from __future__ import annotations

from typing import Any

from jobs import registry
from jobs.engine import StageContext, StageFailed
from media_pipeline import storage
from projects import files
from projects.models import Project, ProjectStatus

CLEANUP = "project_cleanup"
COPY_ASSETS = "project_copy_assets"
INTERNAL_JOB_TYPES = frozenset({CLEANUP, COPY_ASSETS})


def client_job_types() -> list[str]:
    """The registered job types a client may start on a project."""
    return [name for name in registry.names() if name not in INTERNAL_JOB_TYPES]


def _progress(ctx: StageContext, verb: str) -> storage.Progress:
    return lambda done, total: ctx.progress(done / total, f"{verb} file {done} of {total}")


def remove_files(ctx: StageContext) -> dict[str, Any]:
    """Delete every file under `projects/<id>/`; refuse if the project is not deleted."""
    project_id = ctx.input["project_id"]
    status = Project.objects.filter(pk=project_id).values_list("status", flat=True).first()
    if status is not None and status != ProjectStatus.DELETED:
        raise StageFailed("CONFLICT", "The project is not deleted; its files stay")
    removed = storage.delete_tree(
        files.project_prefix(project_id), progress=_progress(ctx, "Removed")
    )
    ctx.log("Removed the project's files", files=removed)
    return {"removed_files": removed}


def purge(ctx: StageContext) -> dict[str, Any]:
    """Delete the soft-deleted row; its collaborators and invitations go with it."""
    deleted, _ = Project.objects.filter(
        pk=ctx.input["project_id"], status=ProjectStatus.DELETED
    ).delete()
    return {"purged": bool(deleted)}


def copy_files(ctx: StageContext) -> dict[str, Any]:
    """Copy the original project's files under the copy's prefix."""
    target_id = ctx.input["project_id"]
    if not Project.objects.filter(pk=target_id).exclude(status=ProjectStatus.DELETED).exists():
        raise StageFailed("NOT_FOUND", "The project to copy the files to no longer exists")
    copied = storage.copy_tree(
        files.project_prefix(ctx.input["source_project_id"]),
        files.project_prefix(target_id),
        progress=_progress(ctx, "Copied"),
    )
    ctx.log("Copied the original project's files", files=copied)
    return {"copied_files": copied}


def register() -> None:
    """Register the project job types with the jobs engine (ProjectsConfig.ready)."""
    registry.register(
        registry.JobType(
            name=CLEANUP,
            stages=(
                registry.Stage("remove_files", remove_files, weight=9, message="Removing files"),
                registry.Stage("purge", purge, message="Removing the project"),
            ),
            result=lambda job, outputs: {
                "project_id": job.input["project_id"],
                **outputs["remove_files"],
                **outputs["purge"],
            },
            completed_message=lambda job, result: (
                f"Removed the deleted project's {result['removed_files']} files"
            ),
        )
    )
    registry.register(
        registry.JobType(
            name=COPY_ASSETS,
            stages=(registry.Stage("copy_files", copy_files, message="Copying files"),),
            result=lambda job, outputs: {
                "project_id": job.input["project_id"],
                **outputs["copy_files"],
            },
            completed_message=lambda job, result: (
                f"Copied {result['copied_files']} files to the project's copy"
            ),
        )
    )
