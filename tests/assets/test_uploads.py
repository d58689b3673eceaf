"""Uploads are checked before anything is stored: size (streamed), type by content, image
bombs, EXIF, empty files, hostile names; a refused upload leaves no row and no file."""

from __future__ import annotations

import dataclasses
import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import RequestFactory
from PIL import Image

from accounts import plans
from assets.models import Asset
from assets.uploads import FileTooLarge, LimitedUploadHandler, OversizeUpload, safe_filename
from tests.assets import files


def stored_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]


def assert_nothing_stored() -> None:
    assert Asset.objects.count() == 0
    assert stored_files() == []


@pytest.fixture
def small_plan(monkeypatch):
    """The free plan with a 1,000-byte upload limit."""
    limits = dataclasses.replace(plans.PLAN_LIMITS[plans.Plan.FREE], upload_bytes=1000)
    monkeypatch.setitem(plans.PLAN_LIMITS, plans.Plan.FREE, limits)
    return limits


def test_an_image_upload_is_stored_and_answers_201(team, upload):
    response = upload(team["owner"], files.png(), "hero.png", projectId=team["project"].pk)
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["id"].startswith("ast_")
    assert (data["type"], data["mimeType"], data["projectId"]) == (
        "image",
        "image/png",
        team["project"].pk,
    )
    asset = Asset.objects.get(pk=data["id"])
    assert default_storage.exists(asset.file)
    assert asset.file.startswith(f"projects/{team['project'].pk}/assets/{asset.pk}/")


def test_a_text_file_named_png_is_415_and_stores_nothing(user, upload):
    response = upload(user, b"just some words, not a picture\n", "photo.png")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_FORMAT"
    assert_nothing_stored()


def test_binary_junk_is_415_whatever_its_name(user, upload):
    response = upload(user, bytes(range(256)) * 4, "notes.txt")
    assert response.status_code == 415
    assert_nothing_stored()


def test_a_png_named_txt_is_refused_because_the_name_disagrees(user, upload):
    response = upload(user, files.png(), "notes.txt")
    assert response.status_code == 415
    assert "png" in response.json()["error"]["message"]
    assert_nothing_stored()


def test_a_declared_type_other_than_the_content_is_415(user, upload):
    response = upload(user, files.png(), "a.png", type="video")
    assert response.status_code == 415
    assert_nothing_stored()


def test_a_decompression_bomb_is_refused_without_decoding(user, upload):
    bomb = files.png_bomb()
    assert len(bomb) < 80  # a few dozen bytes that claim 2.5 billion pixels
    response = upload(user, bomb, "bomb.png")
    assert response.status_code == 415
    assert "pixels" in response.json()["error"]["message"]
    assert_nothing_stored()


def test_an_empty_file_is_400_and_stores_nothing(user, upload):
    response = upload(user, b"", "empty.png")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "file"
    assert_nothing_stored()


def test_exif_and_bytes_after_the_image_are_dropped_by_re_encoding(user, upload):
    original = files.jpeg_with_exif()
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif()  # the fixture really carries EXIF
    response = upload(user, original, "holiday.jpg")
    assert response.status_code == 201
    asset = Asset.objects.get()
    with default_storage.open(asset.file, "rb") as handle:
        stored = handle.read()
    assert b"SpyCam" not in stored and b"secret location" not in stored
    assert b"HIDDEN-PAYLOAD" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and not image.getexif()
        assert image.size == (40, 40)
    assert asset.size == len(stored)


def test_a_path_in_the_file_name_is_reduced_to_its_base_name(user, upload):
    response = upload(user, files.png(), "../../etc/passwd.png")
    assert response.status_code == 201
    asset = Asset.objects.get()
    assert asset.filename == "passwd.png"
    assert ".." not in asset.file and "etc" not in asset.file


@pytest.mark.parametrize("raw", ["evil\x00.png", "line\nbreak.png", "bell\x07.png"])
def test_safe_filename_refuses_nul_and_control_characters(raw):
    from config.api.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        safe_filename(raw)


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("..\\..\\windows\\system32\\x.png", "x.png"),
        ("/etc/passwd", "passwd"),
        ("...hidden.png", "hidden.png"),
        ("..", "upload"),
        ("a" * 300 + ".png", "a" * 196 + ".png"),
    ],
)
def test_safe_filename_keeps_only_a_base_name(raw, safe):
    assert safe_filename(raw) == safe


def test_a_name_field_with_a_control_character_is_400(user, upload):
    response = upload(user, files.png(), "a.png", name="bad\x00name")
    assert response.status_code == 400
    assert_nothing_stored()


def test_a_file_over_the_plan_limit_is_413_while_streaming(user, upload, small_plan):
    response = upload(user, files.wav(seconds=0.5), "long.wav")  # 8 KB > 1,000 bytes
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "FILE_TOO_LARGE"
    assert_nothing_stored()


def test_a_body_far_over_the_limit_is_refused_from_its_length_alone(user, client_for):
    # 10 MB (free plan) x 1 file + 1 MiB of form overhead: a declared 50 MB body is refused
    # before its first byte is read (the body here is empty).
    api = client_for(user)
    response = api.generic(
        "POST",
        "/api/v1/assets/upload",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert_nothing_stored()


def test_the_upload_handler_stops_at_the_limit_without_reading_on():
    request = RequestFactory().post("/")
    handler = LimitedUploadHandler(request, limit=100, abort=True)
    handler.new_file("file", "big.bin", "application/octet-stream", None)
    handler.receive_data_chunk(b"x" * 64, 0)
    temporary = handler.file.temporary_file_path()
    with pytest.raises(FileTooLarge):
        handler.receive_data_chunk(b"x" * 64, 64)
    assert not os.path.exists(temporary)  # the partial file is gone at once


def test_a_multi_file_handler_drops_an_oversized_part_and_goes_on():
    request = RequestFactory().post("/")
    handler = LimitedUploadHandler(request, limit=100, abort=False)
    handler.new_file("files", "big.bin", "application/octet-stream", None)
    for start in range(0, 1000, 50):
        handler.receive_data_chunk(b"x" * 50, start)
    dropped = handler.file_complete(1000)
    assert isinstance(dropped, OversizeUpload) and dropped.size == 1000
    handler.new_file("files", "small.bin", "application/octet-stream", None)
    handler.receive_data_chunk(b"y" * 10, 0)
    kept = handler.file_complete(10)
    assert kept.read() == b"y" * 10


def test_media_upload_takes_several_files_and_rejects_each_bad_one_alone(
    team, client_for, django_capture_on_commit_callbacks, small_plan
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api = client_for(team["owner"])
    body = {
        "files": [
            SimpleUploadedFile("red.png", files.png()),
            SimpleUploadedFile("fake.png", b"hello, I am text"),
            SimpleUploadedFile("big.wav", files.wav()),
            SimpleUploadedFile("notes.md", files.MARKDOWN),
        ],
        "projectId": team["project"].pk,
        "mediaType": "style_reference",
        "description": "Mood board",
        "tags": '["Noir", "city"]',
    }
    with django_capture_on_commit_callbacks(execute=False):
        response = api.post("/api/v1/media/upload", body, format="multipart")
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert [u["filename"] for u in data["uploads"]] == ["red.png", "notes.md"]
    assert {r["filename"]: r["code"] for r in data["rejected"]} == {
        "fake.png": "UNSUPPORTED_FORMAT",
        "big.wav": "FILE_TOO_LARGE",
    }
    assert data["uploads"][0]["mediaId"].startswith("ast_")
    assert data["uploads"][0]["aiAnalysis"]["status"] == "analyzing"
    assets = Asset.objects.order_by("filename")
    assert [a.filename for a in assets] == ["notes.md", "red.png"]
    assert all(a.tags == ["noir", "city"] and a.media_type == "style_reference" for a in assets)
    assert {a.mime_type for a in assets} == {"image/png", "text/markdown"}
    assert len(stored_files()) == 2


def test_media_upload_without_files_is_400(user, client_for):
    response = client_for(user).post("/api/v1/media/upload", {"projectId": "x"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "files"


def test_bad_tags_and_metadata_json_are_400(user, upload):
    assert upload(user, files.png(), "a.png", tags='["ok", 5]').status_code == 400
    assert upload(user, files.png(), "a.png", metadata="{not json").status_code == 400
    assert upload(user, files.png(), "a.png", metadata="[1, 2]").status_code == 400
    assert upload(user, files.png(), "a.png", colour="red").status_code == 400  # unknown field
    assert_nothing_stored()


def test_uploading_to_an_unknown_project_is_404(user, upload):
    response = upload(user, files.png(), "a.png", projectId="prj_nope")
    assert response.status_code == 404
    assert_nothing_stored()


def test_accepted_formats_by_content(user, upload):
    for content, name, kind, mime in [
        (files.mp4(), "clip.mp4", "video", "video/mp4"),
        (files.wav(), "tone.wav", "audio", "audio/wav"),
        (files.pdf(), "script.pdf", "document", "application/pdf"),
        (files.MARKDOWN, "notes.md", "document", "text/markdown"),
        (b"plain words\n", "readme", "document", "text/plain"),
    ]:
        response = upload(user, content, name, analyse=False)
        assert response.status_code == 201, (name, response.json())
        assert (response.json()["data"]["type"], response.json()["data"]["mimeType"]) == (
            kind,
            mime,
        )
    # A file without an extension gets the one its content has.
    assert Asset.objects.get(name="readme").filename == "readme.txt"
