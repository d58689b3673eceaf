"""The operators' commands over assets: `manage.py storage` and `manage.py reindex`."""

from __future__ import annotations

from django.core.files.storage import default_storage

from assets import embeddings
from assets.models import Asset
from tests.assets.files import png
from tests.ops.test_commands import call


def test_storage_orphans_delete_keeps_the_files_of_an_owners_assets(user, upload):
    # No project: the file lives under users/<owner>/assets/, beside the job outputs.
    response = upload(user, png(), "poster.png")
    asset = Asset.objects.get(pk=response.json()["data"]["id"])
    assert asset.file.startswith(f"users/{user.pk}/assets/")

    out, code = call("storage", "orphans", "--delete")

    assert asset.file not in out and code == 0
    assert default_storage.exists(asset.file)


def test_storage_orphans_finds_an_asset_file_no_row_points_to(user, upload):
    response = upload(user, png(), "poster.png")
    asset = Asset.objects.get(pk=response.json()["data"]["id"])
    Asset.objects.filter(pk=asset.pk).delete()  # the row goes, the file stays behind

    out, code = call("storage", "orphans")

    assert f"orphaned file: {asset.file}" in out and code == 1


def test_reindex_embeds_again_the_assets_another_model_embedded(user, upload):
    response = upload(user, png(), "red poster.png")
    asset = Asset.objects.get(pk=response.json()["data"]["id"])
    current = asset.embedding
    Asset.objects.filter(pk=asset.pk).update(embedding=None, embedding_model="an-older-model")

    out, code = call("reindex", "--source", "assets", "--restart")

    asset.refresh_from_db()
    assert code == 0, out
    assert asset.embedding_model == embeddings.encoder().name
    assert bytes(asset.embedding) == bytes(current)
