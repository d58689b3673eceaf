"""factory_boy factories for scenes, segments and bible versions."""

from __future__ import annotations

import factory

from scenes.models import BibleVersion, Scene, Segment
from tests.catalog.factories import IdeaFactory
from tests.factories import UserFactory

BIBLE = {
    "characters": [
        {
            "entityId": "char_maya",
            "canonicalName": "Maya Chen",
            "aliases": ["Captain Chen", "Maya"],
            "description": "Captain of the Horizon",
            "traits": ["determined"],
            "introducedInSegment": 1,
            "isActive": True,
        }
    ],
    "setting": {"primaryLocation": "Starship Horizon", "timePeriod": "Year 3042"},
    "timeline": {"currentPoint": "Day 1", "majorEvents": []},
    "plotThreads": [],
    "styleGuide": {"tone": "tense", "genre": "space opera", "visualStyle": "dark"},
}


class SceneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scene
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Scene {n}")
    idea = factory.SubFactory(IdeaFactory)
    topic = factory.LazyAttribute(lambda scene: scene.idea.topic)
    creator = factory.SubFactory(UserFactory)
    initial_script = "Captain Maya Chen stared at the flickering display."

    @factory.post_generation
    def bible(obj, create, extracted, **kwargs):
        if create:
            BibleVersion.objects.create(
                scene=obj, version=1, content=extracted or BIBLE, created_by=obj.creator
            )


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    scene = factory.SubFactory(SceneFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    contributor = factory.SubFactory(UserFactory)
    text = "Maya decoded the message."
    bible_version = 1
    duration = 10.0
    width = 320
    height = 180
    video_file = factory.LazyAttribute(
        lambda s: f"users/u/jobs/{s.scene.pk}-{s.sequence}/video.mp4"
    )
    hls_file = factory.LazyAttribute(
        lambda s: f"users/u/jobs/{s.scene.pk}-{s.sequence}/hls/master.m3u8"
    )
    thumbnail_file = factory.LazyAttribute(
        lambda s: f"users/u/jobs/{s.scene.pk}-{s.sequence}/thumbnail.jpg"
    )
