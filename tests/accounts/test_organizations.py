"""Organizations: creation, listing, members and roles."""

from __future__ import annotations

import pytest

from accounts import stats
from accounts.models import Membership, Organization
from tests.config.test_conventions import assert_error
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

ORG = {
    "name": "My New Organization",
    "description": "Organization description",
    "settings": {"plan": "business", "maxMembers": 50, "maxProjects": 100},
}


def create(client, **overrides):
    return client.post("/api/v1/users/organizations", {**ORG, **overrides}, format="json")


def test_the_creator_becomes_the_organizations_admin(user_api, user):
    response = create(user_api)
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["id"].startswith("org_")
    assert data["role"] == "admin"
    assert data["memberCount"] == 1
    assert data["settings"] == {"plan": "free", "maxMembers": 50, "maxProjects": 100}
    assert data["members"][0]["user"]["id"] == user.pk
    assert Membership.objects.get(organization_id=data["id"]).role == "admin"


def test_the_list_shows_only_my_organizations_with_my_role_and_counts(
    client_for, user, other_user, monkeypatch
):
    mine = OrganizationFactory(created_by=user)
    Membership.objects.create(organization=mine, user=user, role="admin")
    Membership.objects.create(organization=mine, user=other_user, role="member")
    theirs = OrganizationFactory(created_by=other_user)
    Membership.objects.create(organization=theirs, user=other_user, role="admin")
    monkeypatch.setattr(stats, "_organization_counts", {"project_count": lambda ids: {mine.pk: 4}})

    response = client_for(user).get("/api/v1/users/organizations")
    assert response.status_code == 200
    body = response.json()
    assert [o["id"] for o in body["data"]] == [mine.pk]
    row = body["data"][0]
    assert (row["role"], row["memberCount"], row["projectCount"]) == ("admin", 2, 4)
    assert body["meta"]["total"] == 1
    assert client_for(other_user).get("/api/v1/users/organizations").json()["meta"]["total"] == 2


def test_listing_organizations_takes_a_fixed_number_of_queries(
    client_for, user, django_assert_max_num_queries
):
    for _ in range(5):
        org = OrganizationFactory(created_by=user)
        Membership.objects.create(organization=org, user=user, role="admin")
    client = client_for(user)
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/users/organizations").json()["data"]) == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"name": 42}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"settings": {"maxMembers": 0}}, "settings.maxMembers"),
        ({"settings": {"maxMembers": "50"}}, "settings.maxMembers"),
        ({"settings": {"colour": "red"}}, "settings.colour"),
        ({"owner": "usr_x"}, "owner"),
    ],
)
def test_bad_organization_input_is_refused(user_api, body, field):
    payload = {k: v for k, v in {**ORG, **body}.items() if v is not None}
    response = user_api.post("/api/v1/users/organizations", payload, format="json")
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in {d["field"] for d in error["error"]["details"]}
    assert not Organization.objects.exists()


def test_a_duplicate_name_for_the_same_creator_is_a_conflict(user_api, client_for, other_user):
    assert create(user_api).status_code == 201
    assert_error(create(user_api, name=ORG["name"].upper()), 409, "CONFLICT")
    assert create(client_for(other_user)).status_code == 201


def test_another_users_organization_is_not_found(client_for, user, other_user):
    org_id = create(client_for(user)).json()["data"]["id"]
    assert_error(
        client_for(other_user).get(f"/api/v1/users/organizations/{org_id}"), 404, "NOT_FOUND"
    )


def test_organizations_need_a_token(api):
    assert_error(api.get("/api/v1/users/organizations"), 401, "UNAUTHORIZED")
    assert_error(api.post("/api/v1/users/organizations", ORG, format="json"), 401, "UNAUTHORIZED")


def test_an_admin_adds_and_removes_members(client_for, user, other_user):
    admin_client = client_for(user)
    org_id = create(admin_client).json()["data"]["id"]
    response = admin_client.post(
        f"/api/v1/users/organizations/{org_id}/members",
        {"email": other_user.email, "role": "viewer"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["data"]["role"] == "viewer"
    member_view = client_for(other_user).get(f"/api/v1/users/organizations/{org_id}")
    assert member_view.json()["data"]["role"] == "viewer"
    assert_error(
        admin_client.post(
            f"/api/v1/users/organizations/{org_id}/members",
            {"email": other_user.email},
            format="json",
        ),
        409,
        "CONFLICT",
    )
    removed = admin_client.delete(f"/api/v1/users/organizations/{org_id}/members/{other_user.pk}")
    assert removed.status_code == 200
    assert_error(
        client_for(other_user).get(f"/api/v1/users/organizations/{org_id}"), 404, "NOT_FOUND"
    )


def test_members_who_are_not_admins_cannot_manage_members(client_for, user, other_user):
    org_id = create(client_for(user)).json()["data"]["id"]
    Membership.objects.create(organization_id=org_id, user=other_user, role="member")
    response = client_for(other_user).post(
        f"/api/v1/users/organizations/{org_id}/members",
        {"email": UserFactory().email},
        format="json",
    )
    assert_error(response, 403, "FORBIDDEN")
    assert_error(
        client_for(other_user).delete(f"/api/v1/users/organizations/{org_id}/members/{user.pk}"),
        403,
        "FORBIDDEN",
    )


def test_the_member_limit_holds(client_for, user):
    client = client_for(user)
    org_id = create(client, settings={"maxMembers": 2}).json()["data"]["id"]
    assert (
        client.post(
            f"/api/v1/users/organizations/{org_id}/members",
            {"email": UserFactory().email},
            format="json",
        ).status_code
        == 201
    )
    assert_error(
        client.post(
            f"/api/v1/users/organizations/{org_id}/members",
            {"email": UserFactory().email},
            format="json",
        ),
        409,
        "CONFLICT",
    )


def test_the_last_admin_cannot_leave(client_for, user):
    client = client_for(user)
    org_id = create(client).json()["data"]["id"]
    assert_error(
        client.delete(f"/api/v1/users/organizations/{org_id}/members/{user.pk}"), 409, "CONFLICT"
    )


def test_adding_an_unknown_address_is_not_found(user_api):
    org_id = create(user_api).json()["data"]["id"]
    response = user_api.post(
        f"/api/v1/users/organizations/{org_id}/members",
        {"email": "nobody@example.com"},
        format="json",
    )
    assert_error(response, 404, "NOT_FOUND")
