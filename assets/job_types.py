"""The asset analysis job: measure the stored file, describe it, embed it (cpu queue).

`asset_analysis` runs after every upload (and after an edit that changes the words an asset
is found by). Its stages: `analyse` (technical data, palette, preview image, description) and
`embed` (the MiniLM vector of the asset's text). A failure leaves the asset `failed` with the
reason; the file stays usable.
"""

from __future__ import annotations

from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from assets import analysis, describers, embeddings
from assets.choices import AssetKind, AssetStatus, EmbeddingStatus
from assets.models import Asset
from config.api.errors import ValidationFailed
from jobs import registry
from jobs.engine import StageContext, StageFailed
from jobs.models import Job
from media_pipeline import storage

ANALYSIS = "asset_analysis"


def _asset(ctx: StageContext) -> Asset:
    asset = Asset.objects.filter(pk=ctx.input["asset_id"]).first()
    if asset is None:
        raise StageFailed("NOT_FOUND", "The asset was deleted before its analysis")
    return asset


def _facts(result: analysis.Analysis) -> str:
    technical = {k: v for k, v in result.technical.items() if k not in ("palette",)}
    return str(technical)[:800]


def analyse(ctx: StageContext) -> dict[str, Any]:
    """Measure the file, store its preview image, and describe it (model or measurements)."""
    asset = _asset(ctx)
    ctx.progress(0.1, "Reading the file")
    with storage.local_copy(asset.file) as path:
        result = analysis.analyse(
            path, kind=asset.kind, mime_type=asset.mime_type, workdir=ctx.workdir
        )
        ctx.progress(0.6, "Describing the file")
        described = None
        if describers.configured():
            if asset.kind == AssetKind.IMAGE:
                described = describers.describe(what="image", facts=_facts(result), image=path)
            elif asset.kind == AssetKind.DOCUMENT:
                text, _ = analysis.document_text(path, asset.mime_type)
                described = describers.describe(what="document", facts=_facts(result), text=text)
            else:
                described = describers.describe(
                    what=asset.kind, facts=_facts(result), image=result.preview
                )
    if described:
        result.analysis.update(described, source="model")
    preview = ""
    if result.preview is not None:
        folder = asset.file.rsplit("/", 1)[0]
        with result.preview.open("rb") as handle:
            preview = default_storage.save(f"{folder}/{result.preview.name}", File(handle))
    old_preview = asset.thumbnail
    updated = Asset.objects.filter(pk=asset.pk).update(
        technical=result.technical,
        analysis=result.analysis,
        thumbnail=preview,
        updated_at=timezone.now(),
    )
    if not updated:  # deleted while it was analysed: its preview goes too
        if preview:
            default_storage.delete(preview)
        raise StageFailed("NOT_FOUND", "The asset was deleted during its analysis")
    if old_preview and old_preview != preview:
        default_storage.delete(old_preview)
    return {"kind": asset.kind, "described_by": result.analysis.get("source", "measured")}


def embed(ctx: StageContext) -> dict[str, Any]:
    """The asset's vector, from its text as it is now; the asset becomes `active`."""
    asset = _asset(ctx)
    ctx.progress(0.2, "Embedding")
    text = analysis.embedding_text_of(asset)
    encoder = embeddings.encoder()
    vector = encoder.encode_one(text)
    now = timezone.now()
    Asset.objects.filter(pk=asset.pk).update(
        embedding=embeddings.to_bytes(vector),
        embedding_status=EmbeddingStatus.COMPLETE,
        embedding_model=encoder.name,
        embedded_at=now,
        status=AssetStatus.ACTIVE,
        status_reason="",
        updated_at=now,
    )
    return {"model": encoder.name, "dimensions": int(vector.shape[0])}


def on_finished(job: Job) -> None:
    """A failed or cancelled analysis leaves the asset `failed`, with the reason."""
    reason = (job.error or {}).get("message") or f"The analysis was {job.status}"
    Asset.objects.filter(pk=job.input.get("asset_id"), analysis_job_id=job.pk).exclude(
        status=AssetStatus.ACTIVE
    ).update(
        status=AssetStatus.FAILED,
        status_reason=str(reason)[:500],
        embedding_status=EmbeddingStatus.FAILED,
        updated_at=timezone.now(),
    )


def prepare(job_input: dict[str, Any], owner: Any) -> dict[str, Any]:
    """Only an asset its submitter may edit is analysed (POST /projects/:id/jobs lets a
    client start one): anything else is 400 naming `assetId`, whether or not it exists."""
    from assets.selectors import asset_access_for

    asset_id = job_input.get("asset_id")
    access = asset_access_for(user=owner, asset_id=asset_id) if isinstance(asset_id, str) else None
    if access is None or not access.can_edit:
        raise ValidationFailed.for_field("assetId", "No asset with this id that you may edit.")
    return {"asset_id": asset_id}


registry.register(
    registry.JobType(
        name=ANALYSIS,
        prepare=prepare,
        stages=(
            registry.Stage("analyse", analyse, weight=4),
            registry.Stage("embed", embed),
        ),
        result=lambda job, outputs: {
            "asset_id": job.input["asset_id"],
            **outputs["analyse"],
            "embedding": outputs["embed"],
        },
        on_finished=on_finished,
        time_limit=600,
        max_retries=1,
    )
)
