"""factory_boy factories for the catalog."""

from __future__ import annotations

import factory

from catalog.models import Category, Idea, IdeaTag, Topic, TopicStatus
from moderation.choices import ModerationStatus
from tests.factories import UserFactory


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    description = "Stories of a kind"
    is_curated = True
    status = TopicStatus.APPROVED
    moderation_status = ModerationStatus.APPROVED


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    topic = factory.SubFactory(TopicFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Idea
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Idea {n}")
    prompt = "A premise worth a scene"
    topic = factory.SubFactory(TopicFactory)
    author = factory.SubFactory(UserFactory)
    moderation_status = ModerationStatus.APPROVED

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            IdeaTag.objects.bulk_create(
                IdeaTag(idea=obj, name=name, position=i) for i, name in enumerate(extracted)
            )
