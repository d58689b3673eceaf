"""Who may do what with a project's assets: owner, collaborator, viewer, stranger, no token,
on every endpoint, search included."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from assets.models import Asset
from tests.assets import files

ROLES = ("owner", "collaborator", "viewer", "stranger")


@pytest.fixture
def shared(team, upload):
    """An image the collaborator uploaded to the project, analysed and searchable."""
    response = upload(
        team["collaborator"],
        files.png(colours=((220, 30, 30),)),
        "red-dragon.png",
        projectId=team["project"].pk,
        description="A red dragon over the harbour",
    )
    assert response.status_code == 201
    return Asset.objects.get(pk=response.json()["data"]["id"])


READS = [
    "/api/v1/assets/{id}",
    "/api/v1/media/{id}",
    "/api/v1/assets/{id}/download",
]


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("role", ROLES)
def test_members_read_an_asset_and_strangers_get_404(team, shared, client_for, role, path):
    response = client_for(team[role]).get(path.format(id=shared.pk))
    assert response.status_code == (404 if role == "stranger" else 200)


@pytest.mark.parametrize("path", READS)
def test_no_token_is_401(shared, path):
    response = APIClient().get(path.format(id=shared.pk))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize(
    ("path", "key"),
    [("/api/v1/assets", "id"), ("/api/v1/media", "id")],
)
@pytest.mark.parametrize("role", ROLES)
def test_lists_show_project_assets_to_members_only(team, shared, client_for, role, path, key):
    ids = [item[key] for item in client_for(team[role]).get(path).json()["data"]]
    assert ids == ([] if role == "stranger" else [shared.pk])


@pytest.mark.parametrize("role", ROLES)
def test_the_project_asset_list_is_404_for_strangers(team, shared, client_for, role):
    response = client_for(team[role]).get(f"/api/v1/projects/{team['project'].pk}/assets")
    if role == "stranger":
        assert response.status_code == 404
    else:
        assert [a["id"] for a in response.json()["data"]] == [shared.pk]


@pytest.mark.parametrize("role", ROLES)
def test_search_finds_only_what_the_caller_may_see(team, shared, client_for, role):
    api = client_for(team[role])
    media = api.post("/api/v1/media/search", {"query": "red dragon"}, format="json").json()
    found = [r["media"]["id"] for r in media["data"]["results"]]
    assets = api.get("/api/v1/assets/search", {"q": "red dragon"}).json()
    assert found == [a["id"] for a in assets["data"]]
    assert found == ([] if role == "stranger" else [shared.pk])


def test_searching_a_strangers_project_is_404(team, shared, client_for):
    api = client_for(team["stranger"])
    body = {"query": "dragon", "projectId": team["project"].pk}
    assert api.post("/api/v1/media/search", body, format="json").status_code == 404
    params = {"q": "dragon", "projectId": team["project"].pk}
    assert api.get("/api/v1/assets/search", params).status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 200), ("collaborator", 200), ("viewer", 403), ("stranger", 404)],
)
def test_owners_and_collaborators_edit(team, shared, client_for, role, expected):
    response = client_for(team[role]).put(
        f"/api/v1/assets/{shared.pk}", {"name": "Renamed"}, format="json"
    )
    assert response.status_code == expected
    shared.refresh_from_db()
    assert (shared.name == "Renamed") == (expected == 200)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("collaborator", 200), ("owner", 200), ("viewer", 403), ("stranger", 404)],
)
def test_only_the_uploader_and_the_project_owner_delete(team, shared, client_for, role, expected):
    response = client_for(team[role]).delete(f"/api/v1/assets/{shared.pk}")
    assert response.status_code == expected
    assert Asset.objects.filter(pk=shared.pk).exists() == (expected != 200)


def test_a_collaborator_cannot_delete_someone_elses_upload(team, upload, client_for):
    response = upload(team["owner"], files.png(), "o.png", projectId=team["project"].pk)
    asset_id = response.json()["data"]["id"]
    assert client_for(team["collaborator"]).delete(f"/api/v1/assets/{asset_id}").status_code == 403
    assert Asset.objects.filter(pk=asset_id).exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 201), ("collaborator", 201), ("viewer", 403), ("stranger", 404)],
)
@pytest.mark.parametrize("endpoint", ["project", "assets", "media"])
def test_owners_and_collaborators_upload_to_a_project(team, upload, role, expected, endpoint):
    project_id = team["project"].pk
    if endpoint == "project":
        response = upload(
            team[role],
            files.png(),
            "a.png",
            path=f"/api/v1/projects/{project_id}/assets",
            analyse=False,
        )
    elif endpoint == "assets":
        response = upload(team[role], files.png(), "a.png", projectId=project_id, analyse=False)
    else:
        response = upload(
            team[role],
            files.png(),
            "a.png",
            path="/api/v1/media/upload",
            projectId=project_id,
            analyse=False,
        )
        expected = 200 if expected == 201 else expected
    assert response.status_code == expected
    assert Asset.objects.exists() == (expected in (200, 201))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/assets"),
        ("get", "/api/v1/media"),
        ("get", "/api/v1/assets/search?q=x"),
        ("post", "/api/v1/media/search"),
        ("post", "/api/v1/assets/upload"),
        ("post", "/api/v1/media/upload"),
        ("get", "/api/v1/projects/prj_x/assets"),
        ("put", "/api/v1/assets/ast_x"),
        ("delete", "/api/v1/assets/ast_x"),
    ],
)
def test_every_endpoint_wants_a_token(db, method, path):
    assert getattr(APIClient(), method)(path).status_code == 401


def test_an_asset_without_a_project_is_its_uploaders_alone(user, other_user, upload, client_for):
    asset_id = upload(user, files.png(), "mine.png").json()["data"]["id"]
    assert client_for(other_user).get(f"/api/v1/assets/{asset_id}").status_code == 404
    assert client_for(user).get(f"/api/v1/assets/{asset_id}").status_code == 200


def test_a_removed_member_loses_access(team, shared, client_for):
    from projects.models import Collaborator

    Collaborator.objects.filter(user=team["viewer"]).delete()
    assert client_for(team["viewer"]).get(f"/api/v1/assets/{shared.pk}").status_code == 404
