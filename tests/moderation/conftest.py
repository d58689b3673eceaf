"""Moderation test fixtures: moderators as the platform makes them, content to report."""

from __future__ import annotations

import pytest

from accounts.services import role_groups_sync
from catalog.models import Idea
from tests.catalog.factories import IdeaFactory
from tests.factories import UserFactory

REPORT = "/api/v1/report"
QUEUE = "/api/v1/moderation/queue"
ACTIONS = "/api/v1/moderation/actions"
WARNINGS = "/api/v1/moderation/warnings"
IDEAS = "/api/v1/ideas"

BAD_PROMPT = "I will kill you, you worthless idiot, I know where you live"


def action_url(report_id: str) -> str:
    return f"/api/v1/moderation/{report_id}/action"


@pytest.fixture
def moderator(db):
    """A moderator as the platform makes one: staff, in the Moderators group."""
    user = UserFactory(role="moderator", is_staff=True)
    role_groups_sync(user=user)
    return user


@pytest.fixture
def author(db):
    return UserFactory()


@pytest.fixture
def idea(author) -> Idea:
    return IdeaFactory(author=author, title="A lighthouse keeper's secret")


@pytest.fixture
def moderator_api(moderator, client_for):
    return client_for(moderator)


@pytest.fixture
def admin_api(admin_user, client_for):
    return client_for(admin_user)


def report(client, target_type: str, target_id: str, reason: str = "spam", **extra):
    return client.post(
        REPORT,
        {"targetType": target_type, "targetId": target_id, "reason": reason, **extra},
        format="json",
    )
