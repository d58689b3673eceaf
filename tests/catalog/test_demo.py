"""The demo catalog that `make run` loads with `manage.py load_demo_catalog`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from catalog.demo import load_demo_catalog
from catalog.models import Category, Idea, Topic
from tests.catalog.factories import TopicFactory
from tests.catalog.helpers import IDEAS, TOPICS, ids

pytestmark = pytest.mark.django_db


def test_the_demo_catalog_loads_once_and_then_changes_nothing(api):
    out = StringIO()
    call_command("load_demo_catalog", stdout=out)
    counts = (Topic.objects.count(), Category.objects.count(), Idea.objects.count())

    again = load_demo_catalog()

    assert "10 topics" in out.getvalue()
    assert counts[0] >= 8 and counts[1] >= 16 and counts[2] >= 3
    assert (again.topics, again.categories, again.ideas) == (0, 0, 0)
    assert (Topic.objects.count(), Category.objects.count(), Idea.objects.count()) == counts
    assert "top_scifi" in ids(api.get(TOPICS, {"limit": 100}))
    assert api.get(f"{TOPICS}/top_scifi").json()["data"]["categories"][0]["id"] == "cat_space"
    assert api.get(f"{IDEAS}/idea_last_starship").status_code == 200


def test_a_moderators_edit_survives_a_reload():
    load_demo_catalog()
    Topic.objects.filter(pk="top_scifi").update(description="Edited")

    load_demo_catalog()

    assert Topic.objects.get(pk="top_scifi").description == "Edited"


def test_a_demo_topic_whose_name_a_user_took_is_left_out():
    TopicFactory(name="Solarpunk", slug="solarpunk", status="pending")

    loaded = load_demo_catalog()

    assert not Topic.objects.filter(pk="top_solarpunk").exists()
    assert loaded.topics == 9
    assert not Idea.objects.filter(pk="idea_rooftop_farm").exists()
