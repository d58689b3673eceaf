"""Likes (POST/DELETE /ideas/:id/like) and view counting (buffered, flushed by a task)."""

from __future__ import annotations

import pytest

from catalog import services, view_buffer
from catalog.models import Activity, Idea, Like
from catalog.tasks import flush_views_task
from tests.catalog.factories import IdeaFactory
from tests.catalog.helpers import IDEAS

pytestmark = pytest.mark.django_db


def like_url(idea: Idea) -> str:
    return f"{IDEAS}/{idea.pk}/like"


def test_liking_is_idempotent_and_counted_once(user_api, user, api):
    idea = IdeaFactory()

    first = user_api.post(like_url(idea))
    again = user_api.post(like_url(idea))

    assert first.status_code == again.status_code == 200
    assert first.json()["data"] == {"ideaId": idea.pk, "isLiked": True, "likeCount": 1}
    assert again.json()["data"] == first.json()["data"]
    assert Like.objects.filter(user=user, target_type="idea", target_id=idea.pk).count() == 1
    assert user_api.get(f"{IDEAS}/{idea.pk}").json()["data"]["isLiked"] is True
    assert api.get(f"{IDEAS}/{idea.pk}").json()["data"]["likeCount"] == 1
    assert Activity.objects.get(target_id=idea.pk).likes == 1


def test_each_user_adds_one_like(client_for, user, other_user):
    idea = IdeaFactory()

    client_for(user).post(like_url(idea))
    response = client_for(other_user).post(like_url(idea))

    assert response.json()["data"]["likeCount"] == 2
    idea.refresh_from_db()
    assert idea.like_count == 2


def test_unliking_is_idempotent_and_takes_the_like_back(user_api, other_user, client_for):
    idea = IdeaFactory()
    client_for(other_user).post(like_url(idea))
    user_api.post(like_url(idea))

    first = user_api.delete(like_url(idea))
    again = user_api.delete(like_url(idea))

    assert first.status_code == again.status_code == 200
    assert first.json()["data"] == {"ideaId": idea.pk, "isLiked": False, "likeCount": 1}
    assert again.json()["data"] == first.json()["data"]
    assert Activity.objects.get(target_id=idea.pk).likes == 1


def test_liking_needs_a_token_and_a_visible_idea(api, user_api):
    idea = IdeaFactory()

    assert api.post(like_url(idea)).status_code == 401
    assert api.delete(like_url(idea)).status_code == 401
    assert user_api.post(f"{IDEAS}/idea_missing/like").status_code == 404
    assert user_api.post(like_url(IdeaFactory(moderation_status="rejected"))).status_code == 404


def test_reading_an_idea_buffers_its_view_without_writing_it(api, django_assert_num_queries):
    idea = IdeaFactory()

    response = api.get(f"{IDEAS}/{idea.pk}")

    assert response.status_code == 200
    assert view_buffer.pending(("idea", idea.pk)) == 1
    idea.refresh_from_db()
    assert idea.view_count == 0
    assert not Activity.objects.exists()


def test_the_flush_task_writes_buffered_views_and_empties_the_buffer(client_for, api):
    idea, other = IdeaFactory(), IdeaFactory()
    readers = [client_for(IdeaFactory().author) for _ in range(3)]
    for reader in readers:
        reader.get(f"{IDEAS}/{idea.pk}")
    api.get(f"{IDEAS}/{other.pk}")

    written = flush_views_task.delay().get()

    assert written == 4
    assert view_buffer.pending() == 0
    assert Idea.objects.get(pk=idea.pk).view_count == 3
    assert Idea.objects.get(pk=other.pk).view_count == 1
    assert Activity.objects.get(target_id=idea.pk).views == 3
    # A reader who was counted reads the new count, and is not counted again.
    assert readers[0].get(f"{IDEAS}/{idea.pk}").json()["data"]["viewCount"] == 3
    assert services.views_flush() == 0


def test_a_reader_is_counted_once_per_half_hour(user_api):
    idea = IdeaFactory()

    for _ in range(3):
        user_api.get(f"{IDEAS}/{idea.pk}")
    services.views_flush()

    assert Idea.objects.get(pk=idea.pk).view_count == 1


def test_views_of_a_failed_flush_are_kept_for_the_next(monkeypatch):
    idea = IdeaFactory()
    services.view_record(target_type="idea", target_id=idea.pk, viewer="ip:1")

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_activity_add", broken)
    with pytest.raises(RuntimeError):
        services.views_flush()
    monkeypatch.undo()

    assert view_buffer.pending(("idea", idea.pk)) == 1
    assert services.views_flush() == 1
    assert Idea.objects.get(pk=idea.pk).view_count == 1


def test_old_activity_is_pruned_by_the_flush():
    idea = IdeaFactory()
    services.like_add(user=idea.author, target_type="idea", target_id=idea.pk)
    row = Activity.objects.get()
    Activity.objects.filter(pk=row.pk).update(hour=row.hour - services.ACTIVITY_KEEP_HOURS - 1)

    services.views_flush()

    assert not Activity.objects.exists()
    assert Idea.objects.get(pk=idea.pk).like_count == 1
