"""Storage quotas: usage counts every byte a user owns (assets and job outputs), an upload past
the plan's limit is 402 and leaves nothing behind, and deleting frees the space at once."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts import plans
from assets.models import Asset
from tests.assets import files
from tests.assets.test_uploads import assert_nothing_stored


def usage(api, path="/api/v1/users/profile"):
    data = api.get(path).json()["data"]
    assert data["usage"]["storageUsed"] == data["storageUsed"]
    return data["usage"]["storageUsed"], data["usage"]["storageLimit"]


@pytest.mark.parametrize("path", ["/api/v1/users/profile", "/api/v1/auth/me"])
def test_usage_counts_assets_and_job_outputs(user, upload, client_for, path):
    api = client_for(user)
    assert usage(api, path) == (0, 1024**3)
    upload(user, files.png(), "a.png", analyse=False)
    upload(user, files.MARKDOWN, "b.md", analyse=False)
    asset_bytes = sum(Asset.objects.values_list("size", flat=True))
    # A rendered job output of 5,000 bytes under the user's job folder.
    default_storage.save(f"users/{user.pk}/jobs/job_x/final.mp4", ContentFile(b"v" * 5000))
    from django.core.cache import cache

    cache.clear()  # the job outputs' few-second cache
    assert usage(api, path) == (asset_bytes + 5000, 1024**3)


def test_another_users_files_are_not_counted(user, other_user, upload, client_for):
    upload(other_user, files.png(), "a.png", analyse=False)
    default_storage.save(f"users/{other_user.pk}/jobs/job_y/out.mp4", ContentFile(b"v" * 10))
    assert usage(client_for(user))[0] == 0


@pytest.fixture
def tiny_storage(monkeypatch):
    """The free plan with 2,000 bytes of storage."""
    limits = dataclasses.replace(plans.PLAN_LIMITS[plans.Plan.FREE], storage_bytes=2000)
    monkeypatch.setitem(plans.PLAN_LIMITS, plans.Plan.FREE, limits)


def test_an_upload_past_the_storage_limit_is_402_and_leaves_nothing(user, upload, tiny_storage):
    response = upload(user, files.wav(seconds=0.2), "tone.wav", analyse=False)  # 3,244 bytes
    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "SUBSCRIPTION_LIMIT"
    assert error["details"]["storageLimit"] == 2000
    assert_nothing_stored()


def test_deleting_frees_the_space_at_once(
    user, upload, client_for, tiny_storage, django_capture_on_commit_callbacks
):
    api = client_for(user)
    first = upload(user, files.wav(seconds=0.1), "a.wav", analyse=False)  # 1,644 bytes
    assert first.status_code == 201
    assert upload(user, files.wav(seconds=0.1), "b.wav", analyse=False).status_code == 402
    asset_id = first.json()["data"]["id"]
    stored = Asset.objects.get(pk=asset_id).file
    with django_capture_on_commit_callbacks(execute=True):
        deleted = api.delete(f"/api/v1/assets/{asset_id}")
    assert deleted.status_code == 200
    assert deleted.json()["data"]["storageFreed"] == 1644
    assert usage(api)[0] == 0
    assert upload(user, files.wav(seconds=0.1), "b.wav", analyse=False).status_code == 201
    assert not Asset.objects.filter(pk=asset_id).exists()
    assert not default_storage.exists(stored)


def test_job_outputs_count_against_the_quota(user, upload, tiny_storage):
    default_storage.save(f"users/{user.pk}/jobs/job_z/final.mp4", ContentFile(b"v" * 1990))
    response = upload(user, files.png(), "a.png", analyse=False)
    assert response.status_code == 402
