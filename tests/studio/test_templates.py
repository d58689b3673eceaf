"""The AI Video System's templates: the demo set, filters, use with customisations."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from jobs.models import Job
from studio.models import Template
from tests.config.test_conventions import assert_error

pytestmark = pytest.mark.django_db


def test_the_demo_templates_are_listed_with_pages_and_a_category_filter(user_api):
    listed = user_api.get("/api/v1/templates?limit=2").json()
    assert listed["meta"]["total"] >= 6
    assert len(listed["data"]) == 2
    nature = user_api.get("/api/v1/templates?category=nature").json()["data"]
    assert [t["name"] for t in nature] == ["Nature Scene"]
    assert nature[0]["isPublic"] is True
    assert "text" in nature[0]["customizations"]


def test_using_a_template_fills_its_slots_and_counts_the_use(user_api):
    template = Template.objects.get(slug="nature-scene")
    response = user_api.post(
        f"/api/v1/templates/{template.pk}/use",
        {"customizations": {"text": "Custom text", "color": "#FF0000", "duration": 6}},
        format="json",
    )
    assert response.status_code == 202, response.content
    data = response.json()["data"]
    assert data["status"] == "queued" and data["estimatedTime"] >= 1
    request = Job.objects.get(pk=data["jobId"]).input["request"]
    assert request["shots"][0]["narration"] == "Custom text"
    assert request["shots"][0]["prompt"].startswith("red sunrise")
    assert sum(shot["duration"] for shot in request["shots"]) == pytest.approx(6, abs=0.01)
    template.refresh_from_db()
    assert template.usage_count == 1


@pytest.mark.parametrize(
    "customizations",
    [{"font": "Comic Sans"}, {"color": "not-a-colour"}, {"style": "cubist"}, {"text": 7}],
)
def test_a_bad_customisation_is_refused(user_api, customizations):
    template = Template.objects.get(slug="nature-scene")
    response = user_api.post(
        f"/api/v1/templates/{template.pk}/use", {"customizations": customizations}, format="json"
    )
    assert_error(response, 400, "VALIDATION_ERROR")
    assert not Job.objects.exists()


def test_an_unknown_template_is_not_found(user_api):
    assert_error(
        user_api.post("/api/v1/templates/tpl_nope/use", {}, format="json"), 404, "NOT_FOUND"
    )


def test_a_template_thumbnail_is_a_jpeg(user_api, api):
    template = Template.objects.get(slug="city-night")
    url = user_api.get(f"/api/v1/templates/{template.pk}").json()["data"]["thumbnailUrl"]
    response = api.get(url)
    assert response.status_code == 200
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert (image.format, image.size) == ("JPEG", (480, 270))
