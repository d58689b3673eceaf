"""Projects and invitations in the Django admin."""

from __future__ import annotations

import pytest
from django.contrib.admin.utils import quote

from jobs.models import Job, JobStatus
from projects.job_types import CLEANUP
from projects.models import InvitationStatus, Project, ProjectStatus
from tests.factories import OrganizationFactory
from tests.projects.factories import CollaboratorFactory, InvitationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(db, submit):
    project = ProjectFactory(
        genre="Action", organization=OrganizationFactory(), settings={"duration": 60}
    )
    CollaboratorFactory(project=project)
    InvitationFactory(project=project)
    submit(project.owner, project_id=project.pk)
    return project


@pytest.mark.parametrize(
    "path",
    [
        "/admin/projects/project/",
        "/admin/projects/project/?status__exact=created",
        "/admin/projects/project/?genre=Action",
        "/admin/projects/project/?q=Project",
        "/admin/projects/project/?o=6",  # by job count
        "/admin/projects/project/add/",
        "/admin/projects/invitation/",
        "/admin/projects/invitation/?status__exact=pending&q=invitee",
    ],
)
def test_the_project_and_invitation_pages_load(admin_client, project, path):
    response = admin_client.get(path)
    assert response.status_code == 200, path
    if path.startswith("/admin/projects/project/?") or path == "/admin/projects/project/":
        assert project.title.encode() in response.content


def test_the_organization_filter_and_the_change_pages_load(admin_client, project):
    invitation = project.invitations.get()
    for path in (
        f"/admin/projects/project/?organization__id__exact={project.organization_id}",
        f"/admin/projects/project/{quote(project.pk)}/change/",
        f"/admin/projects/invitation/{quote(invitation.pk)}/change/",
    ):
        assert admin_client.get(path).status_code == 200, path


def test_the_changelist_shows_each_projects_job_count(admin_client, project):
    response = admin_client.get("/admin/projects/project/")
    assert b'<td class="field-job_count">1</td>' in response.content


def test_deleting_from_the_admin_deletes_as_the_api_does(admin_client, project):
    job = Job.objects.get(project_id=project.pk)
    response = admin_client.post(
        "/admin/projects/project/",
        {"action": "delete_selected", "_selected_action": [project.pk], "post": "yes"},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.DELETED
    assert Job.objects.get(pk=job.pk).status == JobStatus.CANCELLED
    assert Job.objects.filter(type=CLEANUP, project_id=project.pk).exists()


def test_the_admin_form_refuses_to_set_the_deleted_status(admin_client, project):
    response = admin_client.post(
        f"/admin/projects/project/{quote(project.pk)}/change/",
        {
            "title": project.title,
            "description": project.description,
            "status": "deleted",
            "owner": project.owner_id,
            "episode_count": 1,
            "settings": "{}",
            "progress_percentage": 0,
            "current_phase": "initial",
            "completed_steps": 0,
            "total_steps": 15,
            "collaborators-TOTAL_FORMS": 0,
            "collaborators-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert b"Use the delete action" in response.content
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.CREATED


def test_revoking_from_the_admin(admin_client, project):
    invitation = project.invitations.get()
    response = admin_client.post(
        "/admin/projects/invitation/",
        {"action": "revoke", "_selected_action": [invitation.pk]},
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
