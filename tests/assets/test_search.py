"""Semantic search: POST /media/search and GET /assets/search rank by cosine similarity of
MiniLM vectors, honour threshold, filters and visibility, and follow the table's changes."""

from __future__ import annotations

import numpy as np
import pytest

from assets import embeddings, search
from assets.models import Asset
from tests.assets import files


@pytest.fixture
def library(team, upload):
    """Three described documents in the project, analysed and embedded."""
    owner, project = team["owner"], team["project"].pk
    texts = {
        "dragon.md": b"A red dragon breathes fire over a medieval castle at dawn.\n",
        "ocean.md": b"Calm blue ocean waves under a quiet summer sky.\n",
        "city.md": b"Neon city streets at night, rain and dark alleys, a detective.\n",
    }
    ids = {}
    for name, text in texts.items():
        response = upload(owner, text, name, projectId=project, mediaType="concept_art")
        assert response.status_code == 201
        ids[name] = response.json()["data"]["id"]
    return ids


def search_media(api, **body):
    response = api.post("/api/v1/media/search", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["data"]


def test_results_are_ranked_by_cosine_similarity(team, library, client_for):
    data = search_media(client_for(team["viewer"]), query="fire-breathing dragon", threshold=0)
    ranked = [r["media"]["id"] for r in data["results"]]
    assert ranked[0] == library["dragon.md"]
    similarities = [r["similarity"] for r in data["results"]]
    assert similarities == sorted(similarities, reverse=True)
    # The similarity is the cosine of the two MiniLM vectors, not a made-up score.
    query = embeddings.encoder().encode_one("fire-breathing dragon")
    stored = embeddings.from_bytes(Asset.objects.get(pk=library["dragon.md"]).embedding)
    assert similarities[0] == pytest.approx(float(np.dot(query, stored)), abs=1e-3)
    assert data["queryEmbedding"]["model"] == "all-MiniLM-L6-v2"
    assert data["queryEmbedding"]["processingTime"] > 0
    assert "dragon" in data["results"][0]["matchingElements"]


def test_the_threshold_drops_weaker_results(team, library, client_for):
    api = client_for(team["owner"])
    everything = search_media(api, query="ocean waves", threshold=0)["results"]
    cut = (everything[0]["similarity"] + everything[1]["similarity"]) / 2
    strict = search_media(api, query="ocean waves", threshold=cut)
    assert [r["media"]["id"] for r in strict["results"]] == [library["ocean.md"]]
    assert strict["total"] == 1


def test_limit_and_filters(team, library, upload, client_for):
    api = client_for(team["owner"])
    assert len(search_media(api, query="scene", threshold=0, limit=2)["results"]) == 2
    upload(team["owner"], files.png(), "red.png", mediaType="style_reference")
    images = search_media(api, query="red", threshold=0, types=["image"])["results"]
    assert [r["media"]["type"] for r in images] == ["image"]
    styles = search_media(api, query="red", threshold=0, mediaTypes=["style_reference"])
    assert [r["media"]["filename"] for r in styles["results"]] == ["red.png"]
    in_project = search_media(api, query="red", threshold=0, projectId=team["project"].pk)
    assert "red.png" not in [r["media"]["filename"] for r in in_project["results"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "query"),
        ({"query": "   "}, "query"),
        ({"query": "x", "limit": 0}, "limit"),
        ({"query": "x", "limit": 101}, "limit"),
        ({"query": "x", "threshold": 1.5}, "threshold"),
        ({"query": "x", "threshold": "high"}, "threshold"),
        ({"query": "x", "mediaTypes": "concept_art"}, "mediaTypes"),
        ({"query": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_search_bodies_are_400(user, client_for, body, field):
    response = client_for(user).post("/api/v1/media/search", body, format="json")
    assert response.status_code == 400
    assert field in [d["field"] for d in response.json()["error"]["details"]]


def test_asset_search_needs_q(user, client_for):
    response = client_for(user).get("/api/v1/assets/search")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "q"
    assert client_for(user).get("/api/v1/assets/search?q=x&type=nope").status_code == 400
    assert client_for(user).get("/api/v1/assets/search?q=x&limit=500").status_code == 400


def test_asset_search_ranks_the_same_way_with_relevance_scores(team, library, client_for):
    api = client_for(team["owner"])
    media = search_media(api, query="detective in the rain", threshold=0)["results"]
    response = api.get("/api/v1/assets/search", {"q": "detective in the rain", "threshold": 0})
    assets = response.json()["data"]
    assert [a["id"] for a in assets] == [r["media"]["id"] for r in media]
    assert assets[0]["id"] == library["city.md"]
    assert assets[0]["relevanceScore"] == pytest.approx(media[0]["similarity"], abs=1e-3)
    page = api.get(
        "/api/v1/assets/search", {"q": "detective", "threshold": 0, "limit": 2, "page": 2}
    )
    assert page.json()["meta"]["total"] == 3 and len(page.json()["data"]) == 1


def test_a_deleted_or_removed_asset_leaves_the_results(
    team, library, client_for, django_capture_on_commit_callbacks
):
    api = client_for(team["owner"])
    assert search_media(api, query="dragon", threshold=0.3)["results"]
    with django_capture_on_commit_callbacks(execute=True):
        api.delete(f"/api/v1/assets/{library['dragon.md']}")
    assert library["dragon.md"] not in [
        r["media"]["id"] for r in search_media(api, query="dragon", threshold=0)["results"]
    ]
    Asset.objects.filter(pk=library["ocean.md"]).update(removed_at="2026-01-01T00:00:00Z")
    found = [r["media"]["id"] for r in search_media(api, query="ocean", threshold=0)["results"]]
    assert found == [library["city.md"]]


def test_the_index_follows_new_and_changed_rows_without_reloading(team, library, upload):
    index = search.index()
    index.sync()
    matrix_rows = len(index.ids)
    upload(team["owner"], b"A lonely lighthouse on a cliff.\n", "light.md")
    index.sync()
    assert len(index.ids) == matrix_rows + 1
    asset = Asset.objects.get(filename="light.md")
    row = index.rows[asset.pk]
    assert np.allclose(index.matrix[row], embeddings.from_bytes(asset.embedding))
