"""Assets are reportable (`targetType: asset`), moderators remove and restore them, and the
admin shows them with previews."""

from __future__ import annotations

import pytest

from assets.models import Asset
from tests.assets import files


@pytest.fixture
def asset(team, upload):
    response = upload(team["owner"], files.png(), "poster.png", projectId=team["project"].pk)
    return Asset.objects.get(pk=response.json()["data"]["id"])


def report(api, asset_id: str):
    body = {"targetType": "asset", "targetId": asset_id, "reason": "copyright_violation"}
    return api.post("/api/v1/report", body, format="json")


def test_a_member_reports_an_asset_and_a_stranger_cannot(team, asset, client_for):
    assert report(client_for(team["stranger"]), asset.pk).status_code == 404
    response = report(client_for(team["viewer"]), asset.pk)
    assert response.status_code in (200, 201), response.json()
    from moderation.models import Report

    stored = Report.objects.get(pk=response.json()["data"]["reportId"])
    assert (stored.target_type, stored.target_id) == ("asset", asset.pk)


def test_a_moderator_removal_hides_the_asset_everywhere_until_restored(
    team, asset, client_for, moderator
):
    report_id = report(client_for(team["viewer"]), asset.pk).json()["data"]["reportId"]
    moderator_api = client_for(moderator)
    done = moderator_api.post(
        f"/api/v1/moderation/{report_id}/action",
        {"action": "remove_content", "notes": "Not theirs"},
        format="json",
    )
    assert done.status_code == 200, done.json()
    api = client_for(team["owner"])
    assert api.get(f"/api/v1/assets/{asset.pk}").status_code == 404
    assert api.get("/api/v1/media").json()["data"] == []
    assert api.get(f"/api/v1/projects/{team['project'].pk}").json()["data"]["assets"] == []
    search = api.post("/api/v1/media/search", {"query": "poster", "threshold": 0}, format="json")
    assert search.json()["data"]["results"] == []
    action_id = done.json()["data"]["action"]["id"]
    reversal = moderator_api.post(
        f"/api/v1/moderation/actions/{action_id}/reverse", {"notes": "Appeal"}, format="json"
    )
    assert reversal.status_code == 200, reversal.json()
    assert api.get(f"/api/v1/assets/{asset.pk}").status_code == 200


def test_the_admin_lists_assets_with_previews(admin_client, asset):
    listing = admin_client.get("/admin/assets/asset/")
    assert listing.status_code == 200
    assert b"<img src=" in listing.content and asset.pk.encode() in listing.content
    page = admin_client.get(f"/admin/assets/asset/{asset.pk}/change/")
    assert page.status_code == 200
    assert b"#dc1e1e" in page.content  # the palette swatch
    assert b"/files/" in page.content  # a signed link to the file


def test_the_moderation_console_previews_a_reported_asset(team, asset, client_for, admin_client):
    assert report(client_for(team["viewer"]), asset.pk).status_code in (200, 201)
    from moderation.models import Report

    stored = Report.objects.get(target_id=asset.pk)
    page = admin_client.get(f"/admin/moderation/report/{stored.pk}/change/")
    assert page.status_code == 200
    assert b"<img src=" in page.content
