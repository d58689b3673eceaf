"""Topics and categories: GET /topics, GET /topics/:id, POST /topics, GET /categories."""

from __future__ import annotations

import pytest

from catalog import services
from catalog.models import Topic, TopicStatus
from tests.catalog.factories import CategoryFactory, IdeaFactory, TopicFactory
from tests.catalog.helpers import CATEGORIES, TOPICS, error_fields, ids

pytestmark = pytest.mark.django_db


def test_anyone_lists_the_approved_topics_with_the_documented_fields(api):
    scifi = TopicFactory(name="Science Fiction", slug="science-fiction", position=1)
    TopicFactory(name="Fantasy", slug="fantasy", position=2)
    TopicFactory(status=TopicStatus.PENDING, moderation_status="pending")
    TopicFactory(status=TopicStatus.REJECTED, moderation_status="rejected")
    IdeaFactory(topic=scifi)
    IdeaFactory(topic=scifi, moderation_status="flagged")

    response = api.get(TOPICS)

    body = response.json()
    assert response.status_code == 200
    assert [t["name"] for t in body["data"]] == ["Science Fiction", "Fantasy"]
    first = body["data"][0]
    assert first["id"].startswith("top_")
    assert {"id", "name", "slug", "description", "iconUrl", "sceneCount", "isCurated"} <= set(first)
    assert first["sceneCount"] == 0 and first["ideaCount"] == 1 and first["iconUrl"] is None
    assert body["meta"] == {"page": 1, "limit": 20, "total": 2, "totalPages": 1, "hasMore": False}


def test_topic_pages_follow_page_and_limit(api):
    for n in range(5):
        TopicFactory(position=n)

    body = api.get(TOPICS, {"page": 2, "limit": 2}).json()

    assert len(body["data"]) == 2
    assert body["meta"] == {"page": 2, "limit": 2, "total": 5, "totalPages": 3, "hasMore": True}


@pytest.mark.parametrize(
    "params",
    [{"page": 0}, {"limit": 101}, {"limit": 0}, {"page": "x"}, {"status": "bogus"}],
)
def test_bad_list_parameters_are_a_validation_error(api, params):
    response = api.get(TOPICS, params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert error_fields(response) == set(params)


def test_a_topic_shows_its_categories_in_order(api):
    topic = TopicFactory()
    second = CategoryFactory(topic=topic, name="Cyberpunk", position=2)
    first = CategoryFactory(topic=topic, name="Space Opera", position=1)

    response = api.get(f"{TOPICS}/{topic.pk}")

    data = response.json()["data"]
    assert response.status_code == 200
    assert data["id"] == topic.pk
    assert [c["id"] for c in data["categories"]] == [first.pk, second.pk]
    assert set(data["categories"][0]) >= {"id", "name", "slug", "description"}


def test_an_unknown_topic_is_not_found(api):
    response = api.get(f"{TOPICS}/top_nothing")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_a_user_suggests_a_topic_that_stays_pending_and_unlisted(user_api, user, api, screening):
    response = user_api.post(
        TOPICS,
        {"name": "Solarpunk", "description": "Optimistic eco-futurism"},
        format="json",
    )

    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["id"].startswith("top_")
    assert data["status"] == "pending" and data["moderationStatus"] == "pending"
    assert data["message"] == "Your topic suggestion is under review"
    assert response.json()["message"] == data["message"]
    assert screening.calls and screening.calls[-1][1] == "topic"
    topic = Topic.objects.get(pk=data["id"])
    assert topic.suggested_by == user and topic.slug == "solarpunk" and not topic.is_curated
    assert data["id"] not in ids(api.get(TOPICS))
    assert data["id"] not in ids(user_api.get(TOPICS))


def test_a_pending_topic_is_visible_to_its_author_and_moderators_only(
    user_api, client_for, other_user, moderator, api
):
    topic_id = user_api.post(TOPICS, {"name": "Solarpunk"}, format="json").json()["data"]["id"]

    assert user_api.get(f"{TOPICS}/{topic_id}").status_code == 200
    assert client_for(moderator).get(f"{TOPICS}/{topic_id}").status_code == 200
    assert client_for(other_user).get(f"{TOPICS}/{topic_id}").status_code == 404
    assert api.get(f"{TOPICS}/{topic_id}").status_code == 404


def test_the_status_parameter_lists_the_callers_own_suggestions(
    user_api, client_for, other_user, moderator, api
):
    mine = user_api.post(TOPICS, {"name": "Mine"}, format="json").json()["data"]["id"]
    theirs = client_for(other_user).post(TOPICS, {"name": "Theirs"}, format="json")
    theirs_id = theirs.json()["data"]["id"]

    assert ids(user_api.get(TOPICS, {"status": "pending"})) == [mine]
    assert set(ids(client_for(moderator).get(TOPICS, {"status": "pending"}))) == {mine, theirs_id}
    assert ids(api.get(TOPICS, {"status": "pending"})) == []


def test_approving_a_suggestion_publishes_it(user_api, moderator, api):
    topic_id = user_api.post(TOPICS, {"name": "Solarpunk"}, format="json").json()["data"]["id"]
    topic = Topic.objects.get(pk=topic_id)

    assert services.topic_approve(topic=topic, moderator=moderator) is True
    assert services.topic_approve(topic=topic, moderator=moderator) is False

    topic.refresh_from_db()
    assert topic.status == "approved" and topic.reviewed_by == moderator
    assert topic_id in ids(api.get(TOPICS))
    assert services.topic_reject(topic=topic, moderator=moderator) is True
    assert topic_id not in ids(api.get(TOPICS))


def test_a_suggestion_that_screening_flags_waits_flagged(user_api):
    response = user_api.post(TOPICS, {"name": "FLAGME topic"}, format="json")

    data = response.json()["data"]
    assert data["status"] == "pending" and data["moderationStatus"] == "flagged"
    assert Topic.objects.get(pk=data["id"]).moderation_details["reasons"] == [
        {"category": "spam", "message": "looks like spam"}
    ]


def test_a_suggestion_that_screening_rejects_is_rejected_at_once(user_api):
    response = user_api.post(TOPICS, {"name": "REJECTME"}, format="json")

    data = response.json()["data"]
    assert response.status_code == 201
    assert data["status"] == "rejected" and data["moderationStatus"] == "rejected"
    assert data["message"] == "Your topic suggestion was not accepted"


def test_a_topic_name_in_use_is_a_conflict(user_api):
    TopicFactory(name="Fantasy")

    response = user_api.post(TOPICS, {"name": "  fantasy "}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONFLICT"


def test_a_rejected_name_may_be_suggested_again_with_a_fresh_slug(user_api):
    TopicFactory(name="Solarpunk", slug="solarpunk", status=TopicStatus.REJECTED)

    response = user_api.post(TOPICS, {"title": "Solarpunk"}, format="json")

    assert response.status_code == 201
    assert Topic.objects.get(pk=response.json()["data"]["id"]).slug == "solarpunk-2"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"name"}),
        ({"name": "   "}, {"name"}),
        ({"name": 12}, {"name"}),
        ({"name": "x" * 101}, {"name"}),
        ({"name": "Ok", "colour": "red"}, {"colour"}),
        ({"name": "Ok", "title": "Other"}, {"title"}),
    ],
)
def test_bad_topic_suggestions_are_refused(user_api, body, fields):
    response = user_api.post(TOPICS, body, format="json")

    assert response.status_code == 400
    assert error_fields(response) == fields


def test_suggesting_a_topic_needs_a_token(api):
    response = api.post(TOPICS, {"name": "Solarpunk"}, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_read_only_fields_sent_back_are_ignored(user_api):
    response = user_api.post(
        TOPICS, {"name": "Solarpunk", "status": "approved", "isCurated": True}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["data"]["status"] == "pending"
    assert response.json()["data"]["isCurated"] is False


def test_categories_list_every_approved_topics_categories_and_filter_by_topic(api):
    scifi, fantasy = TopicFactory(position=1), TopicFactory(position=2)
    space = CategoryFactory(topic=scifi)
    epic = CategoryFactory(topic=fantasy)
    CategoryFactory(topic=TopicFactory(status=TopicStatus.PENDING))

    everything = api.get(CATEGORIES)
    only_scifi = api.get(CATEGORIES, {"topicId": scifi.pk})
    snake = api.get(CATEGORIES, {"topic_id": fantasy.pk})

    assert ids(everything) == [space.pk, epic.pk]
    assert everything.json()["meta"]["total"] == 2
    assert ids(only_scifi) == [space.pk]
    assert only_scifi.json()["data"][0]["topicId"] == scifi.pk
    assert ids(snake) == [epic.pk]
