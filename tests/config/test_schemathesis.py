"""The published schema, fuzzed: every operation answers without a 5xx and as documented.

schemathesis reads `/api/v1/schema` from the app itself (WSGI, in-process) and sends a small,
fixed number of generated requests to every operation, signed in as a fresh user, checking
`not_a_server_error` (no 5xx) and `response_schema_conformance` (the body, success or error,
validates against the documented response). Hypothesis runs derandomized, so a run is
reproducible; `SCHEMATHESIS_EXAMPLES` raises the number of examples for a longer hunt.
"""

from __future__ import annotations

import os
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import Membership, OrganizationRole
from accounts.tokens import issue_token_pair
from config.wsgi import application
from jobs.models import Job, WebhookEndpoint
from moderation.services import user_warn
from studio.job_types import VIDEO
from tests.catalog.factories import CategoryFactory, IdeaFactory, TopicFactory
from tests.factories import OrganizationFactory, UserFactory
from tests.projects.factories import InvitationFactory, ProjectFactory
from tests.scenes.factories import SceneFactory, SegmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.schemathesis]

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "4"))

# The examples and fuzzing phases, valid and invalid input alike: `EXAMPLES` requests per
# operation. The coverage phase (every boundary value and every unlisted method of every
# operation, some 9,000 requests, minutes on 2 cores) runs with SCHEMATHESIS_COVERAGE=1.
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 13,
        "generation": {"mode": "all"},
        "phases": {
            "coverage": {"enabled": os.environ.get("SCHEMATHESIS_COVERAGE") == "1"},
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema?format=json", application, config=CONFIG)


@pytest.fixture(autouse=True)
def _one_connection_for_the_test():
    """Django's WSGI handler closes the database connection after each request; the test's
    transaction lives on it, so the handler keeps it open here (as Django's test client does).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def owned(user) -> dict[str, str]:
    """Objects of every kind the signed-in user can reach, by the path parameter naming them.

    Generated path parameters are random strings that only ever reach 404; the runs fill them
    with these ids, so that the documented success answers (with their nulls, lists and
    nested objects) are checked too.
    """
    topic = TopicFactory()
    CategoryFactory(topic=topic)
    idea = IdeaFactory(author=user, topic=topic, tags=["space"])
    scene = SceneFactory(creator=user, idea=idea)
    SegmentFactory(scene=scene, contributor=user, sequence=1)
    project = ProjectFactory(owner=user)
    organization = OrganizationFactory(created_by=user)
    Membership.objects.create(organization=organization, user=user, role=OrganizationRole.ADMIN)
    invitation = InvitationFactory(email=user.email)
    endpoint = WebhookEndpoint.objects.create(
        owner=user, url="https://hooks.example.com/in", events=["job.completed"], secret="s"
    )
    job = Job.objects.create(type=VIDEO, owner=user, input={"prompt": "A lighthouse"})
    user_warn(user=user, moderator=UserFactory(role="moderator"), notes="Mind the language")
    return {
        "userId": user.pk,
        "topicId": topic.pk,
        "ideaId": idea.pk,
        "sceneId": scene.pk,
        "projectId": project.pk,
        "orgId": organization.pk,
        "invitationId": invitation.pk,
        "endpointId": endpoint.pk,
        "jobId": job.pk,
        "modelId": "mdl_animatic",
    }


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, user, owned):
    if case.path_parameters:
        case.path_parameters = {
            name: owned.get(name, value) for name, value in case.path_parameters.items()
        }
    token = issue_token_pair(user).access
    checks = [not_a_server_error, response_schema_conformance]
    if case.operation.path == "/api/v1/health":
        # Health answers 503 SERVICE_UNAVAILABLE, as documented, while no worker runs (none
        # does in this test): that is its answer, not a server error.
        checks = [response_schema_conformance]
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=checks)


def test_options_answers_200_on_every_documented_path(client_for, admin_user, user, owned):
    """OPTIONS (which the fuzzing phases do not send) on every path of the schema: 200 to a
    caller the endpoint serves (an admin reaches them all); for a plain user, the admin's and
    moderators' endpoints answer 403 in the envelope, never a 5xx."""
    admin, member = client_for(admin_user), client_for(user)
    for path in schema.raw_schema["paths"]:
        url = re.sub(r"{(\w+)}", lambda match: owned.get(match.group(1), "x_missing"), path)
        response = admin.options(url)
        assert response.status_code == 200, (url, response.content)
        assert response.json()["success"] is True
        response = member.options(url)
        assert response.status_code in (200, 403), (url, response.content)
        assert response.json()["success"] is (response.status_code == 200)
