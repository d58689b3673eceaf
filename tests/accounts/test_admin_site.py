"""Users and organizations in the Django admin."""

from __future__ import annotations

import pytest
from django.contrib.admin.utils import quote
from django.test import Client

from accounts.models import Membership
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/?q=user&role=user",
        "/admin/accounts/organization/",
        "/admin/accounts/organization/?q=Org",
    ],
)
def test_admin_pages_load(admin_client, path):
    org = OrganizationFactory()
    Membership.objects.create(organization=org, user=org.created_by, role="admin")
    assert admin_client.get(path).status_code == 200


def test_the_user_and_organization_change_pages_load(admin_client):
    user = UserFactory()
    org = OrganizationFactory(created_by=user)
    assert admin_client.get(f"/admin/accounts/user/{quote(user.pk)}/change/").status_code == 200
    assert (
        admin_client.get(f"/admin/accounts/organization/{quote(org.pk)}/change/").status_code == 200
    )


def test_suspending_from_the_admin_blocks_the_user(admin_client, admin_user):
    user = UserFactory()
    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "suspend_users", "_selected_action": [user.pk, admin_user.pk]},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    admin_user.refresh_from_db()
    assert (user.status, user.is_active) == ("suspended", False)
    assert admin_user.is_active  # an admin never suspends themselves


def test_regular_users_cannot_reach_the_admin(user):
    client = Client()
    client.force_login(user)
    assert client.get("/admin/accounts/user/").status_code == 302
