"""The scene reads: list (filters, sorts, pages), detail, bible versions, playlist, likes,
profile stats, the catalog's scene counts, and removed content."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from moderation.choices import ModerationStatus
from scenes import services
from scenes.models import BibleVersion, Scene
from tests.catalog.factories import IdeaFactory, TopicFactory
from tests.catalog.helpers import ids
from tests.config.test_conventions import assert_error
from tests.factories import UserFactory
from tests.scenes.factories import BIBLE, SceneFactory, SegmentFactory

pytestmark = pytest.mark.django_db

SCENES = "/api/v1/scenes"


def aged(scene: Scene, minutes: int) -> Scene:
    Scene.objects.filter(pk=scene.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
    return scene


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_each_scene_with_its_idea_topic_creator_and_counters(api):
    scene = SceneFactory(title="The Signal - Chapter One", description="Following it...")
    SegmentFactory(scene=scene, sequence=1, duration=45)
    services.scene_recount(scene=scene)
    response = api.get(SCENES)
    body = response.json()
    assert body["meta"] == {"page": 1, "limit": 20, "total": 1, "totalPages": 1, "hasMore": False}
    row = body["data"][0]
    assert row["id"].startswith("scn_") and row["title"] == "The Signal - Chapter One"
    assert row["idea"] == {"id": scene.idea.pk, "title": scene.idea.title}
    assert row["topic"] == {"id": scene.topic.pk, "name": scene.topic.name}
    assert row["creator"]["id"] == scene.creator.pk
    assert row["creator"]["username"] == scene.creator.username
    assert (row["segmentCount"], row["totalDuration"], row["contributorCount"]) == (1, 45.0, 1)
    assert row["bibleVersion"] == 1 and row["status"] == "active"
    assert row["thumbnailUrl"].startswith("http") and "/files/" in row["thumbnailUrl"]
    assert (row["likeCount"], row["viewCount"], row["isLiked"]) == (0, 0, False)
    assert row["createdAt"].endswith("Z") and row["lastSegmentAt"].endswith("Z")


def test_the_list_filters_by_topic_idea_and_creator(api):
    topic = TopicFactory()
    idea = IdeaFactory(topic=topic)
    creator = UserFactory()
    in_topic = SceneFactory(idea=IdeaFactory(topic=topic))
    of_idea = SceneFactory(idea=idea)
    by_creator = SceneFactory(creator=creator)
    assert set(ids(api.get(SCENES, {"topicId": topic.pk}))) == {in_topic.pk, of_idea.pk}
    assert ids(api.get(SCENES, {"ideaId": idea.pk})) == [of_idea.pk]
    assert ids(api.get(SCENES, {"userId": creator.pk})) == [by_creator.pk]
    assert ids(api.get(SCENES, {"user_id": creator.pk})) == [by_creator.pk]  # snake_case too
    assert ids(api.get(SCENES, {"topicId": topic.pk, "ideaId": idea.pk})) == [of_idea.pk]
    assert ids(api.get(SCENES, {"userId": "usr_nobody"})) == []


def test_the_list_sorts_recent_popular_and_longest(api):
    old_long = aged(SceneFactory(total_duration=300, like_count=1), 30)
    liked = aged(SceneFactory(total_duration=20, like_count=9), 20)
    viewed = aged(SceneFactory(total_duration=10, like_count=1, view_count=50), 10)
    new = SceneFactory(total_duration=60)
    assert ids(api.get(SCENES)) == [new.pk, viewed.pk, liked.pk, old_long.pk]
    assert ids(api.get(SCENES, {"sort": "recent"})) == [new.pk, viewed.pk, liked.pk, old_long.pk]
    assert ids(api.get(SCENES, {"sort": "popular"})) == [liked.pk, viewed.pk, old_long.pk, new.pk]
    assert ids(api.get(SCENES, {"sort": "longest"})) == [old_long.pk, new.pk, liked.pk, viewed.pk]


def test_the_list_pages(api):
    made = [aged(SceneFactory(), minutes) for minutes in range(5)]
    first = api.get(SCENES, {"limit": 2}).json()
    assert [r["id"] for r in first["data"]] == [made[0].pk, made[1].pk]
    assert first["meta"] == {"page": 1, "limit": 2, "total": 5, "totalPages": 3, "hasMore": True}
    last = api.get(SCENES, {"limit": 2, "page": 3}).json()
    assert [r["id"] for r in last["data"]] == [made[4].pk]
    assert last["meta"]["hasMore"] is False


@pytest.mark.parametrize(
    "params,field",
    [
        ({"sort": "newest"}, "sort"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"page": 0}, "page"),
    ],
)
def test_bad_list_parameters_are_refused_naming_the_parameter(api, params, field):
    body = assert_error(api.get(SCENES, params), 400, "VALIDATION_ERROR")
    assert body["error"]["details"][0]["field"] == field


def test_removed_scenes_are_listed_for_moderators_only(api, client_for, moderator):
    shown = SceneFactory()
    removed = SceneFactory(moderation_status=ModerationStatus.REMOVED)
    assert ids(api.get(SCENES)) == [shown.pk]
    assert set(ids(client_for(moderator).get(SCENES))) == {shown.pk, removed.pk}
    assert_error(api.get(f"{SCENES}/{removed.pk}"), 404, "NOT_FOUND")
    assert client_for(moderator).get(f"{SCENES}/{removed.pk}").status_code == 200


def test_the_list_says_which_scenes_the_caller_likes(user, user_api):
    liked, other = SceneFactory(), SceneFactory()
    assert user_api.post(f"{SCENES}/{liked.pk}/like").json()["data"] == {
        "sceneId": liked.pk,
        "isLiked": True,
        "likeCount": 1,
    }
    user_api.post(f"{SCENES}/{liked.pk}/like")  # again: nothing changes
    rows = {row["id"]: row for row in user_api.get(SCENES).json()["data"]}
    assert (rows[liked.pk]["isLiked"], rows[liked.pk]["likeCount"]) == (True, 1)
    assert rows[other.pk]["isLiked"] is False
    gone = user_api.delete(f"{SCENES}/{liked.pk}/like").json()["data"]
    assert (gone["isLiked"], gone["likeCount"]) == (False, 0)


def test_liking_needs_a_token(api):
    scene = SceneFactory()
    assert_error(api.post(f"{SCENES}/{scene.pk}/like"), 401, "UNAUTHORIZED")


@pytest.mark.parametrize("sort", ["recent", "popular", "longest"])
def test_the_list_runs_the_same_queries_for_5_or_50_scenes(
    api, user_api, django_assert_num_queries, sort
):
    for _ in range(5):
        SceneFactory()
    with CaptureQueriesContext(connection) as five:
        assert len(ids(user_api.get(SCENES, {"sort": sort, "limit": 100}))) == 5
    for _ in range(45):
        SceneFactory()
    with django_assert_num_queries(len(five.captured_queries)):
        assert len(ids(user_api.get(SCENES, {"sort": sort, "limit": 100}))) == 50


# --- the detail ----------------------------------------------------------------------------


def test_the_detail_has_the_idea_prompt_and_the_segments_in_order(api):
    scene = SceneFactory()
    second = SegmentFactory(scene=scene, sequence=2, duration=52)
    first = SegmentFactory(scene=scene, sequence=1, duration=45)
    data = api.get(f"{SCENES}/{scene.pk}").json()["data"]
    assert data["idea"]["prompt"] == scene.idea.prompt
    assert [s["id"] for s in data["segments"]] == [first.pk, second.pk]
    segment = data["segments"][0]
    assert (segment["sequence"], segment["duration"]) == (1, 45.0)
    assert segment["contributor"]["id"] == first.contributor.pk
    assert segment["thumbnailUrl"].startswith("http") and segment["hlsUrl"].startswith("http")
    assert segment["continuityWarnings"] == []


def test_the_detail_limits_or_leaves_out_the_segments(api):
    scene = SceneFactory()
    for sequence in (1, 2, 3):
        SegmentFactory(scene=scene, sequence=sequence)
    limited = api.get(f"{SCENES}/{scene.pk}", {"segmentLimit": 2}).json()["data"]
    assert [s["sequence"] for s in limited["segments"]] == [1, 2]
    without = api.get(f"{SCENES}/{scene.pk}", {"includeSegments": "false"}).json()["data"]
    assert "segments" not in without


@pytest.mark.parametrize(
    "params,field",
    [
        ({"segmentLimit": 0}, "segmentLimit"),
        ({"segmentLimit": "x"}, "segmentLimit"),
        ({"segmentLimit": 501}, "segmentLimit"),
        ({"includeSegments": "maybe"}, "includeSegments"),
    ],
)
def test_bad_detail_parameters_are_refused(api, params, field):
    scene = SceneFactory()
    body = assert_error(api.get(f"{SCENES}/{scene.pk}", params), 400, "VALIDATION_ERROR")
    assert body["error"]["details"][0]["field"] == field


def test_an_unknown_scene_is_404(api):
    assert_error(api.get(f"{SCENES}/scn_nope"), 404, "NOT_FOUND")
    assert_error(api.get(f"{SCENES}/scn_nope/playlist"), 404, "NOT_FOUND")
    assert_error(api.get(f"{SCENES}/scn_nope/bible"), 404, "NOT_FOUND")


def test_a_removed_segment_is_shown_to_moderators_only(api, client_for, moderator):
    scene = SceneFactory()
    SegmentFactory(scene=scene, sequence=1)
    removed = SegmentFactory(scene=scene, sequence=2, moderation_status=ModerationStatus.REMOVED)
    public = api.get(f"{SCENES}/{scene.pk}").json()["data"]["segments"]
    assert [s["sequence"] for s in public] == [1]
    seen = client_for(moderator).get(f"{SCENES}/{scene.pk}").json()["data"]["segments"]
    assert [s["id"] for s in seen][-1] == removed.pk
    assert seen[-1]["moderationStatus"] == "removed"


def test_the_detail_segments_take_the_same_queries_for_5_or_50(api, django_assert_num_queries):
    scene = SceneFactory()
    for sequence in range(1, 6):
        SegmentFactory(scene=scene, sequence=sequence)
    with CaptureQueriesContext(connection) as five:
        assert len(api.get(f"{SCENES}/{scene.pk}").json()["data"]["segments"]) == 5
    for sequence in range(6, 51):
        SegmentFactory(scene=scene, sequence=sequence)
    with django_assert_num_queries(len(five.captured_queries)):
        assert len(api.get(f"{SCENES}/{scene.pk}").json()["data"]["segments"]) == 50


# --- the playlist --------------------------------------------------------------------------


def test_the_playlist_plays_the_segments_in_order_with_their_start_times(api):
    scene = SceneFactory(title="The Signal")
    SegmentFactory(scene=scene, sequence=2, duration=52)
    SegmentFactory(scene=scene, sequence=1, duration=45)
    SegmentFactory(scene=scene, sequence=3, duration=30.5)
    data = api.get(f"{SCENES}/{scene.pk}/playlist").json()["data"]
    assert (data["sceneId"], data["title"], data["totalDuration"]) == (
        scene.pk,
        "The Signal",
        127.5,
    )
    assert [(s["sequence"], s["startTime"], s["duration"]) for s in data["segments"]] == [
        (1, 0, 45),
        (2, 45, 52),
        (3, 97, 30.5),
    ]
    assert all("/files/" in s["hlsUrl"] and s["thumbnailUrl"] for s in data["segments"])


def test_a_removed_segment_leaves_the_scene_playable_without_it(api):
    scene = SceneFactory()
    first = SegmentFactory(scene=scene, sequence=1, duration=45)
    middle = SegmentFactory(scene=scene, sequence=2, duration=52)
    SegmentFactory(scene=scene, sequence=3, duration=30)
    services.scene_recount(scene=scene)
    services.segment_set_moderation(segment=middle, status=ModerationStatus.REMOVED)
    data = api.get(f"{SCENES}/{scene.pk}/playlist").json()["data"]
    assert [(s["sequence"], s["startTime"]) for s in data["segments"]] == [(1, 0), (3, 45)]
    assert data["totalDuration"] == 75
    row = api.get(SCENES).json()["data"][0]
    assert (row["segmentCount"], row["totalDuration"]) == (2, 75)
    assert data["segments"][0]["id"] == first.pk


def test_the_playlist_takes_the_same_queries_for_5_or_50(api, django_assert_num_queries):
    scene = SceneFactory()
    for sequence in range(1, 6):
        SegmentFactory(scene=scene, sequence=sequence)
    with CaptureQueriesContext(connection) as five:
        assert len(api.get(f"{SCENES}/{scene.pk}/playlist").json()["data"]["segments"]) == 5
    for sequence in range(6, 51):
        SegmentFactory(scene=scene, sequence=sequence)
    with django_assert_num_queries(len(five.captured_queries)):
        assert len(api.get(f"{SCENES}/{scene.pk}/playlist").json()["data"]["segments"]) == 50


# --- the bible -----------------------------------------------------------------------------


def test_the_bible_is_read_now_or_at_any_kept_version(api):
    scene = SceneFactory()
    grown = {**BIBLE, "plotThreads": [{"id": "thread_signal", "status": "active"}]}
    BibleVersion.objects.create(scene=scene, version=2, content=grown)
    Scene.objects.filter(pk=scene.pk).update(bible_version=2)
    now = api.get(f"{SCENES}/{scene.pk}/bible").json()["data"]
    assert (now["sceneId"], now["version"]) == (scene.pk, 2)
    assert now["plotThreads"] == [{"id": "thread_signal", "status": "active"}]
    assert now["characters"][0]["canonicalName"] == "Maya Chen"
    assert now["updatedAt"].endswith("Z")
    first = api.get(f"{SCENES}/{scene.pk}/bible", {"version": 1}).json()["data"]
    assert (first["version"], first["plotThreads"]) == (1, [])
    versions = api.get(f"{SCENES}/{scene.pk}/bible/versions").json()
    assert [v["version"] for v in versions["data"]] == [2, 1]
    assert versions["meta"]["total"] == 2


def test_a_bible_version_that_does_not_exist_is_404_and_a_bad_one_400(api):
    scene = SceneFactory()
    assert_error(api.get(f"{SCENES}/{scene.pk}/bible", {"version": 7}), 404, "NOT_FOUND")
    body = assert_error(
        api.get(f"{SCENES}/{scene.pk}/bible", {"version": "two"}), 400, "VALIDATION_ERROR"
    )
    assert body["error"]["details"][0]["field"] == "version"


# --- what other endpoints show of scenes ---------------------------------------------------


def test_an_idea_lists_its_scenes_and_counts_them(api):
    idea = IdeaFactory()
    scene = SceneFactory(idea=idea, segment_count=5)
    SceneFactory(idea=idea, moderation_status=ModerationStatus.REMOVED)
    data = api.get(f"/api/v1/ideas/{idea.pk}").json()["data"]
    assert data["sceneCount"] == 1
    assert data["scenes"] == [
        {
            "id": scene.pk,
            "title": scene.title,
            "segmentCount": 5,
            "totalDuration": 0.0,
            "thumbnailUrl": None,
        }
    ]
    topic = api.get(f"/api/v1/topics/{idea.topic.pk}").json()["data"]
    assert topic["sceneCount"] == 1


def test_a_profile_counts_scenes_segments_ideas_and_likes(api, client_for):
    author = UserFactory()
    scene = SceneFactory(creator=author)
    SegmentFactory(scene=scene, sequence=1, contributor=author)
    SegmentFactory(scene=SceneFactory(), sequence=1, contributor=author)
    SegmentFactory(
        scene=scene, sequence=2, contributor=author, moderation_status=ModerationStatus.REMOVED
    )
    IdeaFactory(author=author, like_count=2)
    for fan in (UserFactory(), UserFactory(), UserFactory()):
        client_for(fan).post(f"{SCENES}/{scene.pk}/like")
    stats = api.get(f"/api/v1/users/{author.pk}").json()["data"]["stats"]
    assert stats == {
        "scenesCreated": 1,
        "segmentsContributed": 2,
        "ideasSubmitted": 1,
        "totalLikes": 5,
    }
