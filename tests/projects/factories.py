"""factory_boy factories for projects and their sharing."""

from __future__ import annotations

import factory

from projects.models import Collaborator, Invitation, Project
from tests.factories import UserFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"Project {n}")
    description = "A story about courage"
    owner = factory.SubFactory(UserFactory)


class CollaboratorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collaborator

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = "collaborator"


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    project = factory.SubFactory(ProjectFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = "collaborator"
    invited_by = factory.SelfAttribute("project.owner")
