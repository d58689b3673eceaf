"""Uploads and downloads on S3-compatible storage: a real S3 API (moto's server, on a free
loopback port) behind django-storages, as production runs with AWS_STORAGE_BUCKET_NAME."""

from __future__ import annotations

import socket

import pytest
import requests
from django.core.cache import cache

from assets.models import Asset
from tests.assets import files

moto_server = pytest.importorskip(
    "moto.server", reason="moto[server] is not installed (pip install 'moto[server]')"
)

BUCKET = "assets-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(settings, s3_endpoint):
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_an_upload_is_stored_analysed_and_downloaded_on_s3(
    team, upload, client_for, s3, django_capture_on_commit_callbacks
):
    content = files.wav(seconds=0.4)
    response = upload(team["owner"], content, "tone.wav", projectId=team["project"].pk)
    assert response.status_code == 201, response.json()
    asset = Asset.objects.get()
    assert asset.status == "active", asset.status_reason  # analysed from S3
    assert keys(s3) == sorted([asset.file, asset.thumbnail])
    stored = s3.get_object(Bucket=BUCKET, Key=asset.file)["Body"].read()
    assert stored == content

    api = client_for(team["viewer"])
    download = api.get(f"/api/v1/assets/{asset.pk}/download")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    # The signed link is the bucket's own presigned URL.
    url = api.get(f"/api/v1/media/{asset.pk}").json()["data"]["downloadUrl"]
    assert "Signature=" in url and url.startswith(s3.meta.endpoint_url)
    assert requests.get(url, timeout=10).content == content

    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(team["owner"]).delete(f"/api/v1/assets/{asset.pk}").status_code == 200
    assert keys(s3) == []


def test_a_refused_upload_leaves_nothing_in_the_bucket(user, upload, s3):
    assert upload(user, b"text pretending", "x.png").status_code == 415
    assert keys(s3) == []


def test_storage_usage_counts_job_outputs_in_the_bucket(user, client_for, s3):
    s3.put_object(Bucket=BUCKET, Key=f"users/{user.pk}/jobs/job_1/final.mp4", Body=b"v" * 777)
    cache.clear()
    data = client_for(user).get("/api/v1/auth/me").json()["data"]
    assert data["usage"]["storageUsed"] == 777
