"""The media library pages through Django's test client: upload through the assets service
(the same size, type and quota checks, each refusal a message), the list and its filters, the
analysis shown once ready (and the polling endpoint), semantic search, an asset's page and its
download; and the same permissions as the API (a stranger gets 404, a viewer cannot upload)."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts import plans
from assets import search
from assets.models import Asset
from tests.assets.conftest import run_analysis
from tests.assets.files import pdf, png
from tests.factories import UserFactory
from tests.projects.factories import CollaboratorFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_index():
    search._index = search.VectorIndex()
    yield
    search._index = search.VectorIndex()


def text(response) -> str:
    return response.content.decode()


def browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send(client: Client, *files: tuple[str, bytes], json: bool = False, **fields):
    body = {"files": [SimpleUploadedFile(name, content) for name, content in files], **fields}
    headers = {"HTTP_ACCEPT": "application/json"} if json else {}
    return client.post("/media/upload/", body, **headers)


@pytest.fixture
def team(db):
    owner = UserFactory()
    project = ProjectFactory(owner=owner, title="Harbour film")
    viewer = CollaboratorFactory(project=project, role="viewer").user
    collaborator = CollaboratorFactory(project=project, role="collaborator").user
    return {"owner": owner, "project": project, "viewer": viewer, "collaborator": collaborator}


def test_several_files_upload_to_a_project_and_a_refused_one_is_a_message(
    team, django_capture_on_commit_callbacks
):
    client = browser_for(team["collaborator"])
    with django_capture_on_commit_callbacks(execute=False):
        response = send(
            client,
            ("red.png", png()),
            ("story.pdf", pdf()),
            ("fake.png", b"not an image at all"),
            project_id=team["project"].pk,
        )
    assert response.status_code == 302
    assert response["Location"] == f"/my/projects/{team['project'].pk}/media/"
    assets = Asset.objects.filter(project=team["project"])
    assert sorted(a.filename for a in assets) == ["red.png", "story.pdf"]
    page = client.get(response["Location"])
    body = text(page)
    assert "2 files uploaded" in body
    assert "fake.png:" in body  # the content check's refusal, named by file
    assert 'data-status="analyzing"' in body and "Being analysed" in body


def test_the_script_gets_json_with_each_file_uploaded_or_refused(user):
    client = browser_for(user)
    answer = send(client, ("a.png", png()), ("b.exe", b"MZ\x90\x00"), json=True)
    assert answer.status_code == 200
    data = answer.json()
    assert [u["filename"] for u in data["uploaded"]] == ["a.png"]
    assert data["uploaded"][0]["url"] == f"/media/{data['uploaded'][0]['id']}/"
    assert [r["filename"] for r in data["rejected"]] == ["b.exe"]
    nothing = send(client, json=True)
    assert nothing.status_code == 400 and nothing.json()["rejected"][0]["message"]


def test_the_storage_quota_refuses_with_its_message_and_stores_nothing(user, monkeypatch):
    limits = dataclasses.replace(plans.PLAN_LIMITS[plans.Plan.FREE], storage_bytes=200)
    monkeypatch.setitem(plans.PLAN_LIMITS, plans.Plan.FREE, limits)
    client = browser_for(user)
    answer = send(client, ("big.png", png(200, 200)), json=True)
    assert answer.status_code == 400
    assert "storage" in answer.json()["rejected"][0]["message"].lower()
    assert not Asset.objects.exists()


def test_a_file_past_the_plans_upload_size_is_refused(user, monkeypatch):
    limits = dataclasses.replace(plans.PLAN_LIMITS[plans.Plan.FREE], upload_bytes=100)
    monkeypatch.setitem(plans.PLAN_LIMITS, plans.Plan.FREE, limits)
    answer = send(browser_for(user), ("big.png", png(200, 200)), json=True)
    assert answer.status_code == 400
    assert answer.json()["rejected"][0]["filename"] == "big.png"
    assert "upload limit of 100 bytes" in answer.json()["rejected"][0]["message"]
    assert not Asset.objects.exists()


def test_a_viewer_cannot_upload_and_a_stranger_sees_nothing(team):
    project = team["project"]
    viewer = browser_for(team["viewer"])
    assert send(viewer, ("a.png", png()), project_id=project.pk).status_code == 403
    page = viewer.get(f"/my/projects/{project.pk}/media/")
    assert page.status_code == 200 and 'id="upload-form"' not in text(page)
    stranger = browser_for(UserFactory())
    assert stranger.get(f"/my/projects/{project.pk}/media/").status_code == 404
    assert send(stranger, ("a.png", png()), project_id=project.pk).status_code == 404
    assert not Asset.objects.exists()


def test_upload_needs_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert send(client, ("a.png", png())).status_code == 403
    assert not Asset.objects.exists()


def test_analysis_results_show_on_the_list_the_asset_page_and_the_polling_answer(user):
    client = browser_for(user)
    uploaded = send(client, ("sunset.png", png(colours=((230, 40, 30),))), json=True).json()
    asset_id = uploaded["uploaded"][0]["id"]
    before = client.get("/media/status/", {"ids": asset_id}).json()["assets"][0]
    assert before["status"] == "analyzing"
    run_analysis()
    asset = Asset.objects.get(pk=asset_id)
    assert asset.status == "active"
    after = client.get("/media/status/", {"ids": asset_id}).json()["assets"][0]
    assert after["status"] == "active" and after["description"] == asset.analysis["description"]
    library = text(client.get("/media/"))
    assert asset.analysis["tags"][0] in library
    page = client.get(f"/media/{asset_id}/")
    body = text(page)
    assert page.status_code == 200
    assert "Palette" in body and asset.technical["palette"][0]["hex"] in body
    assert "Technical data" in body and asset.analysis["description"] in body
    # Another user's id is simply absent from the polling answer.
    other = browser_for(UserFactory())
    assert other.get("/media/status/", {"ids": asset_id}).json()["assets"] == []


def test_download_gives_the_file_and_a_stranger_gets_404(user):
    client = browser_for(user)
    content = png()
    asset_id = send(client, ("red.png", content), json=True).json()["uploaded"][0]["id"]
    download = client.get(f"/media/{asset_id}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:8] == content[:8]
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"] == 'attachment; filename="red.png"'
    stranger = browser_for(UserFactory())
    assert stranger.get(f"/media/{asset_id}/").status_code == 404
    assert stranger.get(f"/media/{asset_id}/download/").status_code == 404


def test_filters_narrow_the_list_and_a_bad_one_is_said(user):
    client = browser_for(user)
    send(client, ("red.png", png()), ("story.pdf", pdf()))
    images = text(client.get("/media/", {"type": "image"}))
    assert "red.png" in images and "story.pdf" not in images
    named = text(client.get("/media/", {"search": "story"}))
    assert "story.pdf" in named and "red.png" not in named
    bad = client.get("/media/", {"status": "nonsense"})
    assert bad.status_code == 400 and "Must be one of" in text(bad)


def test_semantic_search_ranks_what_the_user_may_see(user):
    client = browser_for(user)
    send(client, ("harbour.pdf", pdf("A storm gathers over the harbour at night.")))
    send(client, ("recipe.pdf", pdf("Mix flour, sugar and butter, then bake the cake.")))
    run_analysis()
    other = UserFactory()
    send(browser_for(other), ("secret.pdf", pdf("A storm over the harbour, a secret.")))
    run_analysis()
    page = client.get("/media/", {"q": "stormy sea and a harbour"})
    body = text(page)
    assert page.status_code == 200 and "Best matches" in body
    results = body.split("Best matches")[1].split('id="files-h"')[0]
    assert "harbour.pdf" in results and "secret.pdf" not in results
    if "recipe.pdf" in results:
        assert results.index("harbour.pdf") < results.index("recipe.pdf")


def test_the_header_links_the_media_library_and_the_project_page_links_its_media(team):
    client = browser_for(team["owner"])
    assert 'href="/media/"' in text(client.get("/"))
    assert f"/my/projects/{team['project'].pk}/media/" in text(
        client.get(f"/my/projects/{team['project'].pk}/")
    )
    assert "/media/" not in text(Client().get("/")).split("<main")[0]
