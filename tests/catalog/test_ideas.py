"""Ideas: GET /ideas (filters, sorts, pages), POST /ideas, GET /ideas/:id."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from catalog import selectors, services
from catalog.models import Activity, Idea, Like, TopicStatus
from moderation.screening import ScreeningResult, screen_text
from tests.catalog.factories import CategoryFactory, IdeaFactory, TopicFactory
from tests.catalog.helpers import IDEAS, error_fields, ids
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def aged(idea: Idea, days: float) -> Idea:
    Idea.objects.filter(pk=idea.pk).update(created_at=timezone.now() - timedelta(days=days))
    return idea


@pytest.fixture
def scifi():
    return TopicFactory(name="Science Fiction")


@pytest.fixture
def space(scifi):
    return CategoryFactory(topic=scifi, name="Space Opera")


# --- POST /ideas ----------------------------------------------------------------------------


def test_a_user_submits_an_idea_with_the_documented_fields(user_api, user, scifi, space):
    response = user_api.post(
        IDEAS,
        {
            "title": "The Memory Merchant",
            "prompt": "In a world where memories can be bought and sold...",
            "topicId": scifi.pk,
            "categoryId": space.pk,
            "tags": ["Memory", "noir", " mystery ", "noir"],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["id"].startswith("idea_")
    assert data["topic"] == {"id": scifi.pk, "name": "Science Fiction", "slug": scifi.slug}
    assert data["category"]["id"] == space.pk and data["category"]["name"] == "Space Opera"
    assert data["author"]["id"] == user.pk and data["author"]["username"] == user.username
    assert data["tags"] == ["memory", "noir", "mystery"]
    assert data["moderationStatus"] == "approved"
    assert data["likeCount"] == 0 and data["sceneCount"] == 0 and data["isLiked"] is False
    assert data["createdAt"].endswith("Z")


def test_snake_case_fields_and_a_category_alone_are_enough(user_api, scifi, space):
    response = user_api.post(
        IDEAS, {"title": "T", "prompt": "P", "category_id": space.pk}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["data"]["topic"]["id"] == scifi.pk


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"prompt": "P", "topicId": "TOPIC"}, {"title"}),
        ({"title": "T", "topicId": "TOPIC"}, {"prompt"}),
        ({"title": "T", "prompt": "P"}, {"topicId"}),
        ({"title": "T", "prompt": "P", "topicId": "top_unknown"}, {"topicId"}),
        ({"title": " ", "prompt": "P", "topicId": "TOPIC"}, {"title"}),
        ({"title": "T", "prompt": 5, "topicId": "TOPIC"}, {"prompt"}),
        ({"title": "T", "prompt": "P", "topicId": "TOPIC", "tags": "a,b"}, {"tags"}),
        ({"title": "T", "prompt": "P", "topicId": "TOPIC", "tags": ["x"] * 11}, {"tags"}),
        ({"title": "T", "prompt": "P", "topicId": "TOPIC", "tags": ["x" * 31]}, {"tags.0"}),
        ({"title": "T", "prompt": "P", "topicId": "TOPIC", "genre": "x"}, {"genre"}),
        ({"title": "T", "prompt": "P", "topicId": "TOPIC", "categoryId": "OTHER"}, {"categoryId"}),
        ({"title": "T", "prompt": "P", "topicId": "PENDING"}, {"topicId"}),
    ],
)
def test_bad_ideas_are_refused_naming_the_field(user_api, scifi, body, fields):
    other_category = CategoryFactory()
    pending = TopicFactory(status=TopicStatus.PENDING)
    replacements = {"TOPIC": scifi.pk, "OTHER": other_category.pk, "PENDING": pending.pk}
    body = {
        key: replacements.get(value, value) if isinstance(value, str) else value
        for key, value in body.items()
    }

    response = user_api.post(IDEAS, body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert error_fields(response) == fields
    assert not Idea.objects.exists()


def test_counters_sent_back_are_ignored(user_api, scifi):
    response = user_api.post(
        IDEAS,
        {"title": "T", "prompt": "P", "topicId": scifi.pk, "likeCount": 99, "id": "idea_x"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["data"]["likeCount"] == 0
    assert response.json()["data"]["id"] != "idea_x"


def test_submitting_an_idea_needs_a_token(api, scifi):
    response = api.post(IDEAS, {"title": "T", "prompt": "P", "topicId": scifi.pk}, format="json")

    assert response.status_code == 401


# --- moderation -----------------------------------------------------------------------------


def test_a_flagged_idea_is_seen_by_its_author_and_moderators_only(
    user_api, client_for, other_user, moderator, api, scifi, screening
):
    response = user_api.post(
        IDEAS, {"title": "Buy now FLAGME", "prompt": "P", "topicId": scifi.pk}, format="json"
    )
    idea_id = response.json()["data"]["id"]

    assert response.status_code == 201
    assert response.json()["data"]["moderationStatus"] == "flagged"
    assert response.json()["message"] == "Your idea is under review"
    assert screening.calls[-1][1] == "idea" and "Buy now FLAGME" in screening.calls[-1][0]
    assert idea_id in ids(user_api.get(IDEAS))
    assert idea_id not in ids(api.get(IDEAS))
    assert idea_id not in ids(client_for(other_user).get(IDEAS))
    assert user_api.get(f"{IDEAS}/{idea_id}").status_code == 200
    assert client_for(moderator).get(f"{IDEAS}/{idea_id}").status_code == 200
    assert client_for(other_user).get(f"{IDEAS}/{idea_id}").status_code == 404
    assert api.get(f"{IDEAS}/{idea_id}").status_code == 404
    assert client_for(other_user).post(f"{IDEAS}/{idea_id}/like").status_code == 404


def test_a_rejected_idea_is_stored_but_not_public(user_api, api, scifi):
    response = user_api.post(
        IDEAS, {"title": "T", "prompt": "REJECTME", "topicId": scifi.pk}, format="json"
    )

    data = response.json()["data"]
    assert data["moderationStatus"] == "rejected"
    assert Idea.objects.get(pk=data["id"]).moderation_details["categories"] == {"violence": 0.99}
    assert api.get(f"{IDEAS}/{data['id']}").status_code == 404


def test_a_moderator_approval_makes_a_flagged_idea_public(api, moderator):
    idea = IdeaFactory(moderation_status="flagged")

    assert api.get(f"{IDEAS}/{idea.pk}").status_code == 404
    assert services.idea_moderate(idea=idea, status="approved", moderator=moderator) is True
    assert api.get(f"{IDEAS}/{idea.pk}").status_code == 200


def test_screening_that_fails_leaves_the_idea_pending(user_api, scifi, monkeypatch):
    def broken(text, *, context=""):
        raise RuntimeError("model not loaded")

    services.set_screener(broken)

    response = user_api.post(
        IDEAS, {"title": "T", "prompt": "P", "topicId": scifi.pk}, format="json"
    )

    assert response.json()["data"]["moderationStatus"] == "pending"


def test_the_moderation_apps_screening_rejects_a_threat_and_approves_a_story(
    user_api, scifi, monkeypatch
):
    services.set_screener(screen_text)  # the moderation app's own screener, not the fake
    story = {"title": "The Signal", "prompt": "A starship hears a voice from home."}
    threat = {"title": "To my neighbour", "prompt": "I will kill you, you worthless idiot."}

    approved = user_api.post(IDEAS, {**story, "topicId": scifi.pk}, format="json")
    rejected = user_api.post(IDEAS, {**threat, "topicId": scifi.pk}, format="json")

    assert approved.json()["data"]["moderationStatus"] == "approved"
    assert rejected.json()["data"]["moderationStatus"] == "rejected"
    details = Idea.objects.get(pk=rejected.json()["data"]["id"]).moderation_details
    assert details["screened"] is True and details["categories"]["harassment"] > 0.5


def test_without_a_screener_an_idea_waits_as_pending_and_is_not_public(
    user_api, api, scifi, monkeypatch
):
    monkeypatch.setattr(services, "_screener", [])  # no screener set at all

    response = user_api.post(
        IDEAS, {"title": "T", "prompt": "A quiet story", "topicId": scifi.pk}, format="json"
    )

    data = response.json()["data"]
    assert response.status_code == 201
    assert data["moderationStatus"] == "pending"
    assert Idea.objects.get(pk=data["id"]).moderation_details == {
        "screened": False,
        "error": "no screener",
    }
    assert api.get(f"{IDEAS}/{data['id']}").status_code == 404
    assert data["id"] not in ids(api.get(IDEAS))


def test_a_screener_answering_an_unknown_verdict_leaves_the_text_pending(screening):
    services.set_screener(lambda text, *, context="": ScreeningResult("removed", 1.0, {}, []))

    verdict = services.screen("anything", context="idea")

    assert verdict.status == "pending" and verdict.details["screened"] is False


def test_the_catalog_screens_with_the_moderation_apps_screener(monkeypatch):
    # The fixture's fake replaced it for this test; the app's own wiring is what it replaced.
    monkeypatch.undo()

    assert services._screener == [screen_text]


def test_ideas_on_a_topic_taken_down_leave_the_public_lists(api, moderator):
    idea = IdeaFactory()
    services.topic_reject(topic=idea.topic, moderator=moderator)

    assert ids(api.get(IDEAS)) == []
    assert api.get(f"{IDEAS}/{idea.pk}").status_code == 404


# --- GET /ideas -----------------------------------------------------------------------------


def test_ideas_list_newest_first_with_pages(api):
    made = [aged(IdeaFactory(), days=n) for n in range(5)]

    first = api.get(IDEAS, {"limit": 2})
    last = api.get(IDEAS, {"limit": 2, "page": 3})

    assert ids(first) == [made[0].pk, made[1].pk]
    assert first.json()["meta"] == {
        "page": 1,
        "limit": 2,
        "total": 5,
        "totalPages": 3,
        "hasMore": True,
    }
    assert ids(last) == [made[4].pk]
    assert last.json()["meta"]["hasMore"] is False
    assert ids(api.get(IDEAS, {"sort": "newest", "limit": 1})) == [made[0].pk]


def test_a_page_past_the_end_is_empty_and_a_bad_page_is_refused(api):
    IdeaFactory()

    assert ids(api.get(IDEAS, {"page": 9})) == []
    for params in ({"page": -1}, {"limit": 500}, {"sort": "oldest"}, {"page": "two"}):
        response = api.get(IDEAS, params)
        assert response.status_code == 400
        assert error_fields(response) == set(params)


def test_ideas_filter_by_topic_category_author_and_tags(api, scifi, space):
    author = UserFactory()
    in_space = IdeaFactory(topic=scifi, category=space, tags=["space", "mystery"])
    in_scifi = IdeaFactory(topic=scifi, author=author, tags=["space"])
    elsewhere = IdeaFactory(author=author, tags=["mystery"])

    assert set(ids(api.get(IDEAS, {"topicId": scifi.pk}))) == {in_space.pk, in_scifi.pk}
    assert ids(api.get(IDEAS, {"categoryId": space.pk})) == [in_space.pk]
    assert set(ids(api.get(IDEAS, {"userId": author.pk}))) == {in_scifi.pk, elsewhere.pk}
    assert set(ids(api.get(IDEAS, {"tags": "space"}))) == {in_space.pk, in_scifi.pk}
    assert ids(api.get(IDEAS, {"tags": "SPACE, mystery"})) == [in_space.pk]
    assert ids(api.get(IDEAS, {"tags": "space,mystery", "userId": author.pk})) == []
    assert ids(api.get(IDEAS, {"topicId": "top_unknown"})) == []


def test_popular_sorts_by_likes(api):
    quiet, liked, loved = IdeaFactory(), IdeaFactory(), IdeaFactory()
    for idea, likes in ((liked, 1), (loved, 3)):
        for _ in range(likes):
            services.like_add(user=UserFactory(), target_type="idea", target_id=idea.pk)

    assert ids(api.get(IDEAS, {"sort": "popular"})) == [loved.pk, liked.pk, quiet.pk]


def test_trending_ranks_recent_activity_above_older_popularity(api):
    """The old favourite has more likes, but they are five days old; the newcomer's few likes
    and views are from this hour, so it trends first while popular keeps the favourite."""
    favourite, newcomer, untouched = IdeaFactory(), IdeaFactory(), IdeaFactory()
    for _ in range(6):
        services.like_add(user=UserFactory(), target_type="idea", target_id=favourite.pk)
    Activity.objects.filter(target_id=favourite.pk).update(hour=F("hour") - 5 * 24)
    for n in range(2):
        services.like_add(user=UserFactory(), target_type="idea", target_id=newcomer.pk)
        services.view_record(target_type="idea", target_id=newcomer.pk, viewer=f"ip:{n}")
    services.views_flush()

    assert ids(api.get(IDEAS, {"sort": "trending"})) == [newcomer.pk, favourite.pk, untouched.pk]
    assert ids(api.get(IDEAS, {"sort": "popular"}))[0] == favourite.pk


def test_trending_scores_decay_by_half_each_day_and_end_after_a_week():
    idea = IdeaFactory()
    now = timezone.now()
    services.like_add(user=UserFactory(), target_type="idea", target_id=idea.pk)

    def score(at):
        annotated = Idea.objects.annotate(s=selectors.trending_score("idea", now=at))
        return annotated.get(pk=idea.pk).s

    assert score(now) == pytest.approx(3.0)
    assert score(now + timedelta(days=1)) == pytest.approx(1.5)
    assert score(now + timedelta(days=2)) == pytest.approx(0.75)
    assert score(now + timedelta(days=8)) == 0


def test_the_callers_likes_show_in_the_list(user_api, user, api):
    liked, other = IdeaFactory(), IdeaFactory()
    Like.objects.create(user=user, target_type="idea", target_id=liked.pk)

    mine = {item["id"]: item["isLiked"] for item in user_api.get(IDEAS).json()["data"]}
    anonymous = {item["id"]: item["isLiked"] for item in api.get(IDEAS).json()["data"]}

    assert mine == {liked.pk: True, other.pk: False}
    assert anonymous == {liked.pk: False, other.pk: False}


# --- GET /ideas/:id -------------------------------------------------------------------------


def test_an_idea_shows_its_counts_and_its_scenes(api):
    idea = IdeaFactory(tags=["space", "mystery"])

    response = api.get(f"{IDEAS}/{idea.pk}")

    data = response.json()["data"]
    assert response.status_code == 200
    assert data["id"] == idea.pk and data["tags"] == ["space", "mystery"]
    assert data["scenes"] == []
    assert {"sceneCount", "likeCount", "viewCount", "createdAt", "author", "topic"} <= set(data)


def test_registered_scene_hooks_fill_scenes_and_scene_counts(api, monkeypatch):
    idea = IdeaFactory()
    monkeypatch.setattr(selectors, "_idea_scenes", [])
    monkeypatch.setattr(selectors, "_scene_counts", {})
    selectors.register_idea_scenes(lambda idea, viewer: [{"id": "scn_1", "title": "One"}])
    selectors.register_scene_counts("idea", lambda ids: {i: 7 for i in ids})
    selectors.register_scene_counts("topic", lambda ids: {i: 9 for i in ids})

    detail = api.get(f"{IDEAS}/{idea.pk}").json()["data"]
    listed = api.get(IDEAS).json()["data"][0]
    topic = api.get(f"/api/v1/topics/{idea.topic_id}").json()["data"]

    assert detail["scenes"] == [{"id": "scn_1", "title": "One"}]
    assert detail["sceneCount"] == 7 and listed["sceneCount"] == 7
    assert topic["sceneCount"] == 9


def test_an_unknown_idea_is_not_found(api):
    response = api.get(f"{IDEAS}/idea_missing")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
