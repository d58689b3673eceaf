"""The catalog in the Django admin: topics with categories and review actions, ideas, likes."""

from __future__ import annotations

import pytest
from django.contrib.admin.utils import quote

from catalog.models import Idea, Like, Topic, TopicStatus
from tests.catalog.factories import CategoryFactory, IdeaFactory, TopicFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def suggestion():
    return TopicFactory(
        name="Solarpunk",
        status=TopicStatus.PENDING,
        moderation_status="flagged",
        is_curated=False,
        suggested_by=UserFactory(),
    )


@pytest.mark.parametrize(
    "path",
    [
        "/admin/catalog/topic/",
        "/admin/catalog/topic/?review=pending",
        "/admin/catalog/topic/?review=flagged",
        "/admin/catalog/topic/?status__exact=pending&q=Solar",
        "/admin/catalog/topic/add/",
        "/admin/catalog/category/",
        "/admin/catalog/idea/?moderation_status__exact=flagged&q=premise",
        "/admin/catalog/like/",
    ],
)
def test_the_catalog_pages_load(admin_client, suggestion, path):
    CategoryFactory(topic=suggestion)
    idea = IdeaFactory(moderation_status="flagged", tags=["space"])
    Like.objects.create(user=idea.author, target_type="idea", target_id=idea.pk)

    response = admin_client.get(path)

    assert response.status_code == 200, path
    if "topic/?" in path:
        assert b"Solarpunk" in response.content


def test_the_change_pages_load(admin_client, suggestion):
    category = CategoryFactory(topic=suggestion)
    idea = IdeaFactory(tags=["space"])
    for path in (
        f"/admin/catalog/topic/{quote(suggestion.pk)}/change/",
        f"/admin/catalog/category/{quote(category.pk)}/change/",
        f"/admin/catalog/idea/{quote(idea.pk)}/change/",
    ):
        assert admin_client.get(path).status_code == 200, path


def test_the_pending_filter_lists_only_suggestions_awaiting_review(admin_client, suggestion):
    TopicFactory(name="Curated Westerns")

    response = admin_client.get("/admin/catalog/topic/?review=pending")

    assert b"Solarpunk" in response.content
    assert b"Curated Westerns" not in response.content


def test_the_approve_action_publishes_the_suggestion(admin_client, admin_user, suggestion, api):
    response = admin_client.post(
        "/admin/catalog/topic/",
        {"action": "approve", "_selected_action": [suggestion.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert b"Approved 1 topics." in response.content
    suggestion.refresh_from_db()
    assert suggestion.status == "approved" and suggestion.reviewed_by == admin_user
    assert suggestion.pk in [t["id"] for t in api.get("/api/v1/topics").json()["data"]]


def test_the_reject_action_hides_the_suggestion(admin_client, suggestion):
    admin_client.post(
        "/admin/catalog/topic/", {"action": "reject", "_selected_action": [suggestion.pk]}
    )

    assert Topic.objects.get(pk=suggestion.pk).status == "rejected"


def test_the_idea_actions_set_the_moderation_status(admin_client):
    idea = IdeaFactory(moderation_status="flagged")

    admin_client.post("/admin/catalog/idea/", {"action": "approve", "_selected_action": [idea.pk]})
    assert Idea.objects.get(pk=idea.pk).moderation_status == "approved"
    admin_client.post("/admin/catalog/idea/", {"action": "reject", "_selected_action": [idea.pk]})
    assert Idea.objects.get(pk=idea.pk).moderation_status == "rejected"


def test_likes_are_read_only_in_the_admin(admin_client):
    idea = IdeaFactory()
    like = Like.objects.create(user=idea.author, target_type="idea", target_id=idea.pk)

    assert admin_client.get("/admin/catalog/like/add/").status_code == 403
    assert admin_client.get(f"/admin/catalog/like/{quote(like.pk)}/delete/").status_code == 403
    page = admin_client.get(f"/admin/catalog/like/{quote(like.pk)}/change/")
    assert page.status_code == 200 and b"Save" not in page.content
