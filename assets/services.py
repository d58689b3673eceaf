"""Writes: an upload checked and stored as an asset, edits, deletion, re-analysis.

`asset_create_from_upload` is the one upload path: both documents' endpoints and the chat app
call it. Everything is checked before anything is stored (assets.uploads); the quota check and
the row are one transaction under the owner's lock; a failure after the file was stored
removes the file, so a refused upload leaves no row and no file behind.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_lock
from assets import quota, uploads
from assets.choices import AssetStatus, EmbeddingStatus
from assets.job_types import ANALYSIS
from assets.models import Asset
from config.api.errors import ValidationFailed
from config.api.ids import new_id
from jobs.services import job_submit
from projects.files import project_prefix
from projects.models import Project

logger = logging.getLogger(__name__)


def storage_folder(*, owner_id: str, project_id: str | None, asset_id: str) -> str:
    """A project's assets live under its prefix (removed and copied with it); others under
    their owner's."""
    if project_id:
        return f"{project_prefix(project_id)}assets/{asset_id}"
    return f"users/{owner_id}/assets/{asset_id}"


def _checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def asset_create_from_upload(
    *,
    owner: User,
    project: Project | None,
    uploaded_file: UploadedFile,
    name: str | None = None,
    kind: str | None = None,
    media_type: str = "",
    description: str = "",
    tags: list[str] | None = None,
    metadata: dict[str, Any] | None = None,
) -> Asset:
    """Check, store and register one uploaded file, then start its analysis.

    Raises 413 FILE_TOO_LARGE (past the plan's upload size), 415 UNSUPPORTED_FORMAT (by
    content; also when `kind` names another type than the content is), 400 for an empty file
    or a bad name, 402 SUBSCRIPTION_LIMIT (past the storage quota). The caller has checked
    that `owner` may add to `project`.
    """
    if isinstance(uploaded_file, uploads.OversizeUpload):
        raise uploads.FileTooLarge(uploads.too_large_message(uploaded_file.limit))
    limit = owner.limits.upload_bytes
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise uploads.FileTooLarge(uploads.too_large_message(limit))
    filename = uploads.safe_filename(uploaded_file.name or "upload")
    display = uploads.safe_filename(name, field="name") if name else filename
    with uploads.workdir() as tmp:
        workdir = Path(tmp)
        inspected = uploads.inspect(
            uploads.local_path(uploaded_file, workdir), filename=filename, workdir=workdir
        )
        if kind and kind != inspected.kind:
            raise uploads.UnsupportedFormat(
                f"The file is {inspected.kind} ({inspected.mime_type}), not {kind}"
            )
        size = inspected.path.stat().st_size
        if size > limit:  # a re-encoded image can grow
            raise uploads.FileTooLarge(uploads.too_large_message(limit))
        stored_name = uploads.stored_filename(filename, inspected)
        asset_id = new_id("ast")
        folder = storage_folder(
            owner_id=owner.pk, project_id=project.pk if project else None, asset_id=asset_id
        )
        stored = ""
        try:
            with transaction.atomic():
                user_lock(user_id=owner.pk)
                quota.storage_check(user=owner, adding=size)
                with inspected.path.open("rb") as handle:
                    stored = default_storage.save(
                        f"{folder}/original.{inspected.extension}", File(handle)
                    )
                asset = Asset.objects.create(
                    id=asset_id,
                    owner=owner,
                    project=project,
                    name=display,
                    filename=stored_name,
                    kind=inspected.kind,
                    media_type=media_type,
                    mime_type=inspected.mime_type,
                    size=size,
                    checksum=_checksum(inspected.path),
                    file=stored,
                    description=description,
                    tags=tags or [],
                    metadata=metadata or {},
                    technical={"upload": inspected.details},
                )
                _start_analysis(asset, owner)
        except BaseException:
            if stored:
                default_storage.delete(stored)
            raise
    return asset


def _start_analysis(asset: Asset, actor: User) -> None:
    """Queue the analysis job (sent once the transaction commits)."""
    job, _ = job_submit(
        owner=actor,
        type=ANALYSIS,
        input={"asset_id": asset.pk},
        project_id=asset.project_id or "",
        message=f"Analysing {asset.name}",
    )
    asset.analysis_job_id = job.pk
    Asset.objects.filter(pk=asset.pk).update(analysis_job_id=job.pk)


# What an edit may change; changing any of the first four re-embeds the asset.
SEARCHED_FIELDS = ("name", "media_type", "description", "tags")
EDITABLE_FIELDS = (*SEARCHED_FIELDS, "metadata")


def asset_update(*, asset: Asset, actor: User, fields: dict[str, Any]) -> Asset:
    """Change an asset's words or metadata (metadata merges); a change to what it is found
    by starts a new analysis, which re-embeds it. The version goes up by one."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed.for_field(sorted(unknown)[0], "This field cannot be changed.")
    with transaction.atomic():
        locked = Asset.objects.select_for_update().get(pk=asset.pk)
        changed = False
        for field, value in fields.items():
            if field == "metadata":
                value = {**locked.metadata, **value}
            elif field == "name":
                value = uploads.safe_filename(value, field="name")
            if getattr(locked, field) != value:
                setattr(locked, field, value)
                changed = changed or field in SEARCHED_FIELDS
        locked.version += 1
        if changed and locked.status != AssetStatus.ARCHIVED:
            locked.status = AssetStatus.ANALYZING
            locked.embedding_status = EmbeddingStatus.GENERATING
        locked.save()
        if changed and locked.status == AssetStatus.ANALYZING:
            _start_analysis(locked, actor)
    return locked


def asset_delete(*, asset: Asset) -> None:
    """Remove the row and its files; the owner's storage is free again at once."""
    names = [n for n in (asset.file, asset.thumbnail) if n]
    with transaction.atomic():
        Asset.objects.filter(pk=asset.pk).delete()
        transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # the row is gone; a leftover file is logged, not fatal
            logger.exception("Could not delete the stored file %s", name)


def asset_mark_removed(*, asset: Asset) -> dict[str, Any]:
    """A moderator's removal: hidden from everyone else until restored."""
    now = timezone.now()
    if not Asset.objects.filter(pk=asset.pk, removed_at__isnull=True).update(
        removed_at=now, updated_at=now
    ):
        raise ValueError("already removed")
    asset.removed_at = now
    return {"removed_at": now.isoformat()}


def asset_mark_restored(*, asset: Asset) -> None:
    if not Asset.objects.filter(pk=asset.pk, removed_at__isnull=False).update(
        removed_at=None, updated_at=timezone.now()
    ):
        raise ValueError("not removed")
    asset.removed_at = None
