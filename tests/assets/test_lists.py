"""GET /assets, /media and /projects/:id/assets: filters, sorts, pagination, bad input; the
project detail's assets and counts; GET/PUT of one asset; the download."""

from __future__ import annotations

import pytest

from assets.models import Asset
from tests.assets import files


@pytest.fixture
def library(team, upload):
    """Four assets of the owner: three in the project, one outside it."""
    owner, project = team["owner"], team["project"].pk
    made = [
        upload(owner, files.png(), "b-red.png", projectId=project, mediaType="concept_art",
               tags='["city", "noir"]', analyse=False),
        upload(owner, files.wav(seconds=0.3), "a-tone.wav", projectId=project,
               mediaType="sound_design", tags='["city"]', analyse=False),
        upload(owner, files.MARKDOWN, "c-notes.md", projectId=project,
               description="Harbour storm notes", analyse=False),
        upload(owner, files.png(colours=((0, 0, 0),)), "d-black.png", analyse=False),
    ]  # fmt: skip
    assert all(r.status_code == 201 for r in made)
    return {r.json()["data"]["name"]: r.json()["data"]["id"] for r in made}


def names(response):
    assert response.status_code == 200, response.json()
    return [item.get("name", item.get("displayName")) for item in response.json()["data"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=image", {"b-red.png", "d-black.png"}),
        ("type=audio", {"a-tone.wav"}),
        ("projectId={project}", {"b-red.png", "a-tone.wav", "c-notes.md"}),
        ("mediaType=concept_art", {"b-red.png"}),
        ("tags=city", {"b-red.png", "a-tone.wav"}),
        ("tags=city,noir", {"b-red.png"}),
        ("search=harbour", {"c-notes.md"}),
        ("search=TONE", {"a-tone.wav"}),
        ("status=analyzing", {"b-red.png", "a-tone.wav", "c-notes.md", "d-black.png"}),
        ("status=processing", {"b-red.png", "a-tone.wav", "c-notes.md", "d-black.png"}),
        ("status=active", set()),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/assets", "/api/v1/media"])
def test_list_filters(team, library, client_for, path, query, expected):
    api = client_for(team["owner"])
    response = api.get(f"{path}?{query.format(project=team['project'].pk)}")
    assert set(names(response)) == expected


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        ("name", "asc", ["a-tone.wav", "b-red.png", "c-notes.md", "d-black.png"]),
        ("filename", "desc", ["d-black.png", "c-notes.md", "b-red.png", "a-tone.wav"]),
        ("created_at", "asc", ["b-red.png", "a-tone.wav", "c-notes.md", "d-black.png"]),
        ("upload_date", "desc", ["d-black.png", "c-notes.md", "a-tone.wav", "b-red.png"]),
    ],
)
def test_list_sorts(team, library, client_for, sort, order, expected):
    response = client_for(team["owner"]).get(f"/api/v1/assets?sort={sort}&order={order}")
    assert names(response) == expected


def test_sorting_by_size(team, library, client_for):
    data = client_for(team["owner"]).get("/api/v1/media?sort=size&order=asc").json()["data"]
    sizes = [item["size"] for item in data]
    assert sizes == sorted(sizes) and len(sizes) == 4


def test_pagination(team, library, client_for):
    api = client_for(team["owner"])
    first = api.get("/api/v1/assets?limit=3&sort=name&order=asc").json()
    second = api.get("/api/v1/assets?limit=3&page=2&sort=name&order=asc").json()
    assert first["meta"] == {"page": 1, "limit": 3, "total": 4, "totalPages": 2, "hasMore": True}
    assert [a["name"] for a in second["data"]] == ["d-black.png"]
    assert second["meta"]["hasMore"] is False


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("type=spreadsheet", "type"),
        ("status=lost", "status"),
        ("sort=colour", "sort"),
        ("order=sideways", "order"),
        ("limit=101", "limit"),
        ("page=0", "page"),
        ("search=" + "x" * 201, "search"),
    ],
)
def test_bad_list_parameters_are_400_naming_the_parameter(team, client_for, query, field):
    response = client_for(team["owner"]).get(f"/api/v1/assets?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == field


def test_the_project_asset_list_filters_and_sorts(team, library, client_for):
    api = client_for(team["viewer"])
    path = f"/api/v1/projects/{team['project'].pk}/assets"
    assert names(api.get(f"{path}?sort=name&order=asc")) == [
        "a-tone.wav",
        "b-red.png",
        "c-notes.md",
    ]
    assert names(api.get(f"{path}?type=document")) == ["c-notes.md"]
    assert api.get(f"{path}?type=nope").status_code == 400


def test_the_project_detail_lists_its_assets_and_counts_them(team, library, client_for):
    api = client_for(team["owner"])
    data = api.get(f"/api/v1/projects/{team['project'].pk}").json()["data"]
    listed = {item["name"] for item in data["assets"]}
    assert listed == {"b-red.png", "a-tone.wav", "c-notes.md"}
    assert data["media"] == data["assets"]
    item = next(i for i in data["assets"] if i["name"] == "a-tone.wav")
    assert item["type"] == "audio" and item["mediaType"] == "sound_design"
    projects = api.get("/api/v1/projects").json()["data"]
    counted = next(p for p in projects if p["id"] == team["project"].pk)
    assert counted["assetCount"] == 3
    assert counted["mediaCount"] == 3


def test_one_asset_as_each_document_reads_it(team, library, upload, client_for):
    from tests.assets.conftest import run_analysis

    run_analysis()
    api = client_for(team["owner"])
    asset_id = library["a-tone.wav"]
    asset = api.get(f"/api/v1/assets/{asset_id}").json()["data"]
    assert asset["type"] == "audio" and asset["status"] == "active"
    assert asset["duration"] == pytest.approx(0.3, abs=0.05)
    assert asset["projectName"] == team["project"].title
    media = api.get(f"/api/v1/media/{asset_id}").json()["data"]
    assert media["technicalData"]["codecs"] == {"audio": "pcm_s16le"}
    assert media["technicalData"]["sampleRate"] == 8000
    assert media["embedding"]["status"] == "complete"
    assert media["embedding"]["model"] == "all-MiniLM-L6-v2"
    assert media["embedding"]["generatedAt"].endswith("Z")
    assert media["thumbnailUrl"] and media["downloadUrl"]
    assert media["aiAnalysis"]["status"] == "complete"
    assert media["version"] == 1


def test_updating_an_asset_merges_metadata_and_re_embeds(team, library, client_for):
    from tests.assets.conftest import run_analysis

    run_analysis()
    api = client_for(team["owner"])
    asset_id = library["b-red.png"]
    before = Asset.objects.get(pk=asset_id).embedding
    response = api.put(
        f"/api/v1/assets/{asset_id}",
        {"name": "Dragon", "metadata": {"scene": "opening", "tags": ["fire", "Dragon"]}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert data["name"] == "Dragon" and data["version"] == 2
    assert data["metadata"]["scene"] == "opening"
    assert data["metadata"]["tags"] == ["fire", "dragon"]
    assert data["status"] == "analyzing"
    run_analysis()
    asset = Asset.objects.get(pk=asset_id)
    assert asset.status == "active" and asset.embedding != before


@pytest.mark.parametrize(
    ("body", "field"),
    [({"size": 5}, "size"), ({"tags": "x" * 60}, "tags"), ({}, "nonFieldErrors")],
)
def test_bad_updates_are_400_and_change_nothing(team, library, client_for, body, field):
    asset_id = library["b-red.png"]
    response = client_for(team["owner"]).put(f"/api/v1/assets/{asset_id}", body, format="json")
    assert response.status_code == 400
    assert Asset.objects.get(pk=asset_id).version == 1


def test_the_download_is_the_file_with_its_type_and_name(team, library, client_for):
    response = client_for(team["viewer"]).get(f"/api/v1/assets/{library['c-notes.md']}/download")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown"
    assert response["Content-Disposition"] == 'attachment; filename="c-notes.md"'
    assert b"".join(response.streaming_content) == files.MARKDOWN


def test_an_unknown_asset_is_404(user, client_for):
    assert client_for(user).get("/api/v1/assets/ast_nothing").status_code == 404
    assert client_for(user).get("/api/v1/media/ast_nothing").status_code == 404
