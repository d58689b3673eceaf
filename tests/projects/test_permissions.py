"""Who may do what with a project: the permission matrix of issue 7.

Owner: everything. Collaborators, and an organization's admins and members: read, change,
start jobs. Viewers (a project's or its organization's): read. Everyone else: 404, as if the
project did not exist. No token: 401.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership
from jobs.models import Job
from projects.models import Invitation, Project, ProjectStatus
from tests.config.test_conventions import assert_error
from tests.factories import OrganizationFactory, UserFactory
from tests.projects.factories import CollaboratorFactory, ProjectFactory
from tests.projects.helpers import PROJECTS, url

pytestmark = pytest.mark.django_db

ROLES = [
    "owner",
    "collaborator",
    "viewer",
    "org_admin",
    "org_member",
    "org_viewer",
    "stranger",
    "anonymous",
]

# The answer each role gets; 200/201 where the action is allowed.
MATRIX = {
    "read": {"owner": 200, "collaborator": 200, "viewer": 200, "org_admin": 200},
    "update": {"owner": 200, "collaborator": 200, "viewer": 403, "org_admin": 200},
    "start_job": {"owner": 201, "collaborator": 201, "viewer": 403, "org_admin": 201},
    "delete": {"owner": 200, "collaborator": 403, "viewer": 403, "org_admin": 403},
    "duplicate": {"owner": 201, "collaborator": 403, "viewer": 403, "org_admin": 403},
    "invite": {"owner": 201, "collaborator": 403, "viewer": 403, "org_admin": 403},
}
for expected in MATRIX.values():
    # An organization's members act as collaborators, its viewers as viewers.
    expected.update(org_member=expected["collaborator"], org_viewer=expected["viewer"])
    expected.update(stranger=404, anonymous=401)

CODES = {401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND"}

ACTIONS: dict[str, Callable[[APIClient, Project], object]] = {
    "read": lambda client, project: client.get(url(project)),
    "update": lambda client, project: client.put(
        url(project), {"description": "Changed"}, format="json"
    ),
    "start_job": lambda client, project: client.post(
        url(project, "/jobs"), {"type": "test_steps", "parameters": {"steps": 1}}, format="json"
    ),
    "delete": lambda client, project: client.delete(url(project)),
    "duplicate": lambda client, project: client.post(
        url(project, "/duplicate"), {"copyAssets": False}, format="json"
    ),
    "invite": lambda client, project: client.post(
        url(project, "/collaborators"), {"email": "new@example.com"}, format="json"
    ),
}


@pytest.fixture
def project(db) -> Project:
    org = OrganizationFactory()
    return ProjectFactory(title="Shared", description="Original", organization=org)


def client_as(role: str, project: Project, client_for) -> APIClient:
    """A client for a user who holds `role` on the project."""
    if role == "anonymous":
        return APIClient()
    if role == "owner":
        return client_for(project.owner)
    user = UserFactory()
    if role in ("collaborator", "viewer"):
        CollaboratorFactory(project=project, user=user, role=role)
    elif role.startswith("org_"):
        assert project.organization is not None
        Membership.objects.create(
            organization=project.organization, user=user, role=role.removeprefix("org_")
        )
    return client_for(user)


def changed(action: str, project: Project) -> bool:
    """Whether the action left its mark."""
    project_now = Project.objects.get(pk=project.pk)
    return {
        "read": False,
        "update": project_now.description == "Changed",
        "start_job": Job.objects.filter(project_id=project.pk).exists(),
        "delete": project_now.status == ProjectStatus.DELETED,
        "duplicate": Project.objects.count() > 1,
        "invite": Invitation.objects.exists(),
    }[action]


@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_the_permission_matrix(project, client_for, role, action):
    client = client_as(role, project, client_for)
    response = ACTIONS[action](client, project)
    expected = MATRIX[action][role]
    if expected in CODES:
        assert_error(response, expected, CODES[expected])
        assert not changed(action, project)
    else:
        assert response.status_code == expected, response.content
        assert changed(action, project) or action == "read"


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("owner", "owner"),
        ("collaborator", "collaborator"),
        ("viewer", "viewer"),
        ("org_admin", "collaborator"),
        ("org_member", "collaborator"),
        ("org_viewer", "viewer"),
    ],
)
def test_each_caller_reads_their_own_role_in_the_list_and_the_detail(
    project, client_for, role, shown
):
    client = client_as(role, project, client_for)
    assert client.get(url(project)).json()["data"]["role"] == shown
    assert [row["role"] for row in client.get(PROJECTS).json()["data"]] == [shown]


def test_the_best_of_a_collaborator_row_and_an_organization_role_applies(project, client_for):
    user = UserFactory()
    CollaboratorFactory(project=project, user=user, role="viewer")
    Membership.objects.create(organization=project.organization, user=user, role="member")
    client = client_for(user)
    assert client.get(url(project)).json()["data"]["role"] == "collaborator"
    assert ACTIONS["update"](client, project).status_code == 200


def test_strangers_and_anonymous_clients_do_not_see_the_project_in_lists(project, client_for):
    assert client_for(UserFactory()).get(PROJECTS).json()["data"] == []
    assert_error(APIClient().get(PROJECTS), 401, "UNAUTHORIZED")


def test_a_stranger_cannot_list_the_projects_jobs_or_collaborators(project, client_for):
    stranger = client_for(UserFactory())
    for suffix in ("/jobs", "/collaborators"):
        assert_error(stranger.get(url(project, suffix)), 404, "NOT_FOUND")


def test_a_viewer_reads_the_projects_jobs_and_collaborators(project, client_for, submit):
    editor = CollaboratorFactory(project=project, role="collaborator").user
    owners_job = submit(project.owner, project_id=project.pk)
    editors_job = submit(editor, project_id=project.pk)
    submit(project.owner)  # a job outside the project
    viewer = client_as("viewer", project, client_for)

    jobs = viewer.get(url(project, "/jobs"))
    assert jobs.status_code == 200, jobs.content
    assert {job["id"] for job in jobs.json()["data"]} == {owners_job.pk, editors_job.pk}

    collaborators = viewer.get(url(project, "/collaborators"))
    assert collaborators.status_code == 200, collaborators.content
    viewer_id = Project.objects.get(pk=project.pk).collaborators.get(role="viewer").user_id
    assert sorted((c["userId"], c["role"]) for c in collaborators.json()["data"]) == sorted(
        [(editor.pk, "collaborator"), (viewer_id, "viewer")]
    )
