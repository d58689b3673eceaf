"""Every list endpoint runs the same number of queries whatever the page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import services
from tests.catalog.factories import CategoryFactory, IdeaFactory, TopicFactory
from tests.catalog.helpers import CATEGORIES, IDEAS, TOPICS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def queries_for(client, path: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200, response.content
    assert len(response.json()["data"]) == params["limit"]
    return len(captured)


@pytest.fixture
def catalog():
    """50 topics with a category each, 50 tagged, liked ideas by different authors."""
    liker = UserFactory()
    topics = [TopicFactory() for _ in range(50)]
    for index, topic in enumerate(topics):
        category = CategoryFactory(topic=topic)
        idea = IdeaFactory(topic=topic, category=category, tags=["space", f"tag{index}"])
        services.like_add(user=liker, target_type="idea", target_id=idea.pk)
    return liker


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        (TOPICS, {}),
        (CATEGORIES, {}),
        (IDEAS, {}),
        (IDEAS, {"sort": "popular"}),
        (IDEAS, {"sort": "trending"}),
        (IDEAS, {"tags": "space"}),
    ],
)
def test_a_list_of_50_runs_the_queries_of_a_list_of_5(catalog, client_for, api, path, extra):
    for client in (api, client_for(catalog)):
        small = queries_for(client, path, {**extra, "limit": 5})
        large = queries_for(client, path, {**extra, "limit": 50})
        assert small == large
