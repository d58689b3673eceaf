"""Sharing a project: invitations by e-mail, answering them, removing collaborators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from projects.models import Collaborator, Invitation, InvitationStatus
from tests.config.test_conventions import TIMESTAMP, assert_error
from tests.factories import UserFactory
from tests.projects.factories import CollaboratorFactory, InvitationFactory, ProjectFactory
from tests.projects.helpers import INVITATIONS, PROJECTS, error_fields, ids, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user, title="Action Movie Project")


@pytest.fixture
def invitee(db):
    return UserFactory(email="collaborator@example.com")


def invite(client, project, **body):
    body = {"email": "collaborator@example.com", "role": "collaborator", **body}
    return client.post(url(project, "/collaborators"), body, format="json")


def expire(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )


# --- POST /projects/:id/collaborators ---------------------------------------------------------


def test_inviting_answers_201_with_a_pending_invitation_valid_seven_days(
    user, user_api, project, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(user_api, project, email="Collaborator@Example.com")
    assert response.status_code == 201, response.content
    assert response.json()["message"] == "Invitation sent"
    data = response.json()["data"]
    assert data["id"].startswith("inv_")
    assert (data["email"], data["role"], data["status"]) == (
        "collaborator@example.com",
        "collaborator",
        "pending",
    )
    assert TIMESTAMP.match(data["sentAt"]) and data["respondedAt"] is None
    invitation = Invitation.objects.get(pk=data["id"])
    assert invitation.expires_at - invitation.sent_at == timedelta(days=7)
    assert data["project"] == {"id": project.pk, "title": project.title, "name": project.title}
    assert data["invitedBy"]["id"] == user.pk
    assert [message.to for message in mail.outbox] == [["collaborator@example.com"]]
    body = mail.outbox[0].body
    assert project.title in body and invitation.token in body and "accept" in body


def test_an_invitation_as_viewer_and_the_default_role(user_api, project):
    assert invite(user_api, project, role="viewer").json()["data"]["role"] == "viewer"
    response = user_api.post(
        url(project, "/collaborators"), {"email": "someone@example.com"}, format="json"
    )
    assert response.json()["data"]["role"] == "collaborator"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": None}, "email"),
        ({"email": 5}, "email"),
        ({"role": "admin"}, "role"),
        ({"role": "owner"}, "role"),
        ({"message": "hi"}, "message"),
    ],
)
def test_bad_invitation_input_is_refused(user_api, project, body, field):
    payload = {
        key: value for key, value in {"email": "a@example.com", **body}.items() if value is not None
    }
    response = user_api.post(url(project, "/collaborators"), payload, format="json")
    assert error_fields(assert_error(response, 400, "VALIDATION_ERROR")) == {field}
    assert not Invitation.objects.exists()


def test_inviting_the_owner_or_a_collaborator_is_a_conflict(user, user_api, project):
    friend = CollaboratorFactory(project=project).user
    assert_error(invite(user_api, project, email=user.email.upper()), 409, "CONFLICT")
    assert_error(invite(user_api, project, email=friend.email), 409, "CONFLICT")
    assert not Invitation.objects.exists()


def test_inviting_an_address_twice_is_a_conflict_until_the_first_expires(user_api, project):
    first = invite(user_api, project).json()["data"]
    assert_error(invite(user_api, project, role="viewer"), 409, "CONFLICT")
    expire(Invitation.objects.get(pk=first["id"]))
    assert invite(user_api, project).status_code == 201
    assert Invitation.objects.get(pk=first["id"]).status == InvitationStatus.EXPIRED


# --- GET /invitations -------------------------------------------------------------------------


def test_the_invitee_sees_the_invitation_and_no_one_else_does(
    user_api, project, invitee, client_for
):
    sent = invite(user_api, project, email="COLLABORATOR@example.com").json()["data"]
    InvitationFactory()  # to someone else
    response = client_for(invitee).get(INVITATIONS)
    assert ids(response) == [sent["id"]]
    assert response.json()["data"][0]["project"]["title"] == project.title
    assert ids(client_for(UserFactory()).get(INVITATIONS)) == []


def test_invitations_filter_by_status_as_it_reads_now(invitee, client_for):
    pending = InvitationFactory(email=invitee.email)
    lapsed = InvitationFactory(email=invitee.email)
    expire(lapsed)
    declined = InvitationFactory(email=invitee.email, status="declined")
    client = client_for(invitee)
    assert ids(client.get(INVITATIONS, {"status": "pending"})) == [pending.pk]
    assert ids(client.get(INVITATIONS, {"status": "expired"})) == [lapsed.pk]
    assert ids(client.get(INVITATIONS, {"status": "declined"})) == [declined.pk]
    rows = {row["id"]: row["status"] for row in client.get(INVITATIONS).json()["data"]}
    assert rows == {pending.pk: "pending", lapsed.pk: "expired", declined.pk: "declined"}
    body = assert_error(client.get(INVITATIONS, {"status": "open"}), 400, "VALIDATION_ERROR")
    assert error_fields(body) == {"status"}


def test_invitations_to_a_deleted_project_disappear(user_api, project, invitee, client_for):
    sent = invite(user_api, project).json()["data"]
    user_api.delete(url(project))
    client = client_for(invitee)
    assert ids(client.get(INVITATIONS)) == []
    assert_error(client.post(f"{INVITATIONS}/{sent['id']}/accept"), 404, "NOT_FOUND")


def test_invitations_need_a_token(api):
    assert_error(api.get(INVITATIONS), 401, "UNAUTHORIZED")


# --- POST /invitations/:id/accept and /decline ------------------------------------------------


def test_accepting_makes_the_invitee_a_collaborator(user_api, project, invitee, client_for):
    sent = invite(user_api, project, role="viewer").json()["data"]
    client = client_for(invitee)
    response = client.post(f"{INVITATIONS}/{sent['id']}/accept")
    assert response.status_code == 200, response.content
    assert response.json()["message"] == "Invitation accepted"
    data = response.json()["data"]
    assert data["status"] == "accepted" and TIMESTAMP.match(data["respondedAt"])
    collaborator = Collaborator.objects.get(project=project, user=invitee)
    assert collaborator.role == "viewer"
    listed = client.get(PROJECTS).json()["data"]
    assert [(row["id"], row["role"]) for row in listed] == [(project.pk, "viewer")]
    detail = user_api.get(url(project)).json()["data"]
    assert [(c["userId"], c["role"]) for c in detail["collaborators"]] == [(invitee.pk, "viewer")]


def test_the_e_mail_links_token_answers_the_invitation_too(user_api, project, invitee, client_for):
    invite(user_api, project)
    token = Invitation.objects.get().token
    response = client_for(invitee).post(f"{INVITATIONS}/{token}/accept/")
    assert response.status_code == 200, response.content
    assert Collaborator.objects.filter(project=project, user=invitee).exists()


def test_accepting_twice_or_after_declining_is_a_conflict(user_api, project, invitee, client_for):
    sent = invite(user_api, project).json()["data"]
    client = client_for(invitee)
    assert client.post(f"{INVITATIONS}/{sent['id']}/accept").status_code == 200
    assert_error(client.post(f"{INVITATIONS}/{sent['id']}/accept"), 409, "CONFLICT")
    assert_error(client.post(f"{INVITATIONS}/{sent['id']}/decline"), 409, "CONFLICT")


def test_declining_leaves_the_project_unshared(user_api, project, invitee, client_for):
    sent = invite(user_api, project).json()["data"]
    client = client_for(invitee)
    response = client.post(f"{INVITATIONS}/{sent['id']}/decline")
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "declined"
    assert not Collaborator.objects.exists()
    assert_error(client.post(f"{INVITATIONS}/{sent['id']}/accept"), 409, "CONFLICT")
    assert_error(client.get(url(project)), 404, "NOT_FOUND")


def test_an_expired_invitation_is_refused_and_stays_expired(project, invitee, client_for):
    invitation = InvitationFactory(project=project, email=invitee.email)
    expire(invitation)
    body = assert_error(
        client_for(invitee).post(f"{INVITATIONS}/{invitation.pk}/accept"), 409, "CONFLICT"
    )
    assert "expired" in body["error"]["message"]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.EXPIRED
    assert not Collaborator.objects.exists()


def test_someone_elses_invitation_is_not_found_and_unchanged(project, client_for, user_api):
    invitation = InvitationFactory(project=project, email="collaborator@example.com")
    for client in (client_for(UserFactory()), user_api):  # a stranger, even the project's owner
        for answer in ("accept", "decline"):
            assert_error(client.post(f"{INVITATIONS}/{invitation.pk}/{answer}"), 404, "NOT_FOUND")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_answering_needs_a_token(api, project):
    invitation = InvitationFactory(project=project)
    assert_error(api.post(f"{INVITATIONS}/{invitation.pk}/accept"), 401, "UNAUTHORIZED")


# --- collaborators: list, remove, leave, revoke -----------------------------------------------


def test_the_collaborators_are_listed(user_api, project):
    friends = [CollaboratorFactory(project=project, role=r) for r in ("collaborator", "viewer")]
    response = user_api.get(url(project, "/collaborators"))
    assert response.status_code == 200
    assert [(c["userId"], c["role"]) for c in response.json()["data"]] == [
        (friends[0].user.pk, "collaborator"),
        (friends[1].user.pk, "viewer"),
    ]


def test_the_owner_removes_a_collaborator_who_then_loses_access(user_api, project, client_for):
    friend = CollaboratorFactory(project=project).user
    response = user_api.delete(url(project, f"/collaborators/{friend.pk}"))
    assert response.status_code == 200, response.content
    assert response.json()["message"] == "Collaborator removed"
    assert_error(client_for(friend).get(url(project)), 404, "NOT_FOUND")
    assert_error(user_api.delete(url(project, f"/collaborators/{friend.pk}")), 404, "NOT_FOUND")


def test_a_collaborator_may_leave_but_not_remove_others(project, client_for):
    leaving, staying = (CollaboratorFactory(project=project).user for _ in range(2))
    client = client_for(leaving)
    assert_error(client.delete(url(project, f"/collaborators/{staying.pk}")), 403, "FORBIDDEN")
    assert client.delete(url(project, f"/collaborators/{leaving.pk}")).status_code == 200
    assert list(project.collaborators.values_list("user", flat=True)) == [staying.pk]


def test_the_owner_revokes_a_pending_invitation_by_its_id(user_api, project, invitee, client_for):
    sent = invite(user_api, project).json()["data"]
    response = user_api.delete(url(project, f"/collaborators/{sent['id']}"))
    assert response.json()["message"] == "Invitation revoked"
    assert_error(client_for(invitee).post(f"{INVITATIONS}/{sent['id']}/accept"), 409, "CONFLICT")
    assert_error(user_api.delete(url(project, f"/collaborators/{sent['id']}")), 409, "CONFLICT")


def test_the_owner_sees_the_open_invitations_in_the_detail(user_api, project, client_for):
    sent = invite(user_api, project).json()["data"]
    pending = user_api.get(url(project)).json()["data"]["pendingInvitations"]
    assert [row["id"] for row in pending] == [sent["id"]]
    friend = CollaboratorFactory(project=project).user
    assert client_for(friend).get(url(project)).json()["data"]["pendingInvitations"] == []
