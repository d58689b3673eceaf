"""The admin's user management endpoints and their permission boundary."""

from __future__ import annotations

import pytest

from accounts.models import User
from accounts.tokens import issue_token_pair
from tests.accounts.test_auth import bearer, login
from tests.config.test_conventions import assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_USER = {
    "email": "newuser@example.com",
    "name": "New User",
    "password": "Password123!",
    "role": "editor",
    "plan": "premium",
}


def test_an_admin_creates_a_user_with_any_role_and_plan(client_for, admin_user, api):
    response = client_for(admin_user).post("/api/v1/admin/users", NEW_USER, format="json")
    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["role"], data["plan"], data["status"]) == ("editor", "pro", "active")
    assert data["name"] == "New User"
    assert login(api, "newuser@example.com", "Password123!").status_code == 200


def test_a_moderator_created_by_an_admin_can_use_the_admin_site(client_for, admin_user):
    client_for(admin_user).post(
        "/api/v1/admin/users", {**NEW_USER, "role": "moderator"}, format="json"
    )
    created = User.objects.get(email="newuser@example.com")
    assert created.is_staff and not created.is_superuser


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "emperor"}, "role"),
        ({"plan": "platinum"}, "plan"),
        ({"email": "bad"}, "email"),
        ({"password": "1"}, "password"),
        ({"status": "zombie"}, "status"),
        ({"isSuperuser": True}, "isSuperuser"),
    ],
)
def test_admin_create_refuses_bad_input(client_for, admin_user, body, field):
    response = client_for(admin_user).post(
        "/api/v1/admin/users", {**NEW_USER, **body}, format="json"
    )
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in {d["field"] for d in error["error"]["details"]}
    assert not User.objects.filter(email="newuser@example.com").exists()


def test_admin_create_with_a_taken_email_is_email_exists(client_for, admin_user, user):
    response = client_for(admin_user).post(
        "/api/v1/admin/users", {**NEW_USER, "email": user.email}, format="json"
    )
    assert_error(response, 409, "EMAIL_EXISTS")


def test_an_admin_updates_role_plan_and_name(client_for, admin_user, user):
    response = client_for(admin_user).put(
        f"/api/v1/admin/users/{user.pk}",
        {"name": "Updated User Name", "role": "editor", "plan": "premium", "status": "active"},
        format="json",
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.display_name, user.role, user.plan) == ("Updated User Name", "editor", "pro")


def test_banning_a_user_signs_them_out_everywhere_and_blocks_login(
    client_for, admin_user, user, api
):
    tokens = issue_token_pair(user)
    response = client_for(admin_user).put(
        f"/api/v1/admin/users/{user.pk}", {"status": "banned"}, format="json"
    )
    assert response.status_code == 200
    assert_error(bearer(tokens.access).get("/api/v1/auth/me"), 401, "UNAUTHORIZED")
    assert_error(
        api.post("/api/v1/auth/refresh", {"refreshToken": tokens.refresh}, format="json"),
        401,
        "UNAUTHORIZED",
    )
    # The right password of a banned account: 403 saying so (a wrong one stays 401).
    body = assert_error(login(api, user.email), 403, "FORBIDDEN")
    assert body["error"]["message"] == "This account has been banned"


def test_an_admin_cannot_demote_or_delete_themselves(client_for, admin_user):
    client = client_for(admin_user)
    assert_error(
        client.put(f"/api/v1/admin/users/{admin_user.pk}", {"role": "user"}, format="json"),
        409,
        "CONFLICT",
    )
    assert_error(client.delete(f"/api/v1/admin/users/{admin_user.pk}"), 409, "CONFLICT")


def test_an_admin_deletes_a_user(client_for, admin_user, user):
    response = client_for(admin_user).delete(f"/api/v1/admin/users/{user.pk}")
    assert response.status_code == 200
    assert response.json()["message"] == "User deleted successfully"
    assert not User.objects.filter(pk=user.pk).exists()
    assert_error(client_for(admin_user).delete(f"/api/v1/admin/users/{user.pk}"), 404, "NOT_FOUND")


@pytest.mark.parametrize("role", ["user", "editor", "moderator"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/admin/users"),
        ("post", "/api/v1/admin/users"),
        ("put", "/api/v1/admin/users/{id}"),
        ("delete", "/api/v1/admin/users/{id}"),
    ],
)
def test_everyone_but_admins_is_forbidden(client_for, role, method, path):
    target = UserFactory()
    client = client_for(UserFactory(role=role))
    response = getattr(client, method)(path.format(id=target.pk), NEW_USER, format="json")
    assert_error(response, 403, "FORBIDDEN")
    assert User.objects.filter(pk=target.pk, role="user").exists()
    assert not User.objects.filter(email=NEW_USER["email"]).exists()


def test_admin_endpoints_need_a_token(api, user):
    assert_error(api.get("/api/v1/admin/users"), 401, "UNAUTHORIZED")
    assert_error(api.delete(f"/api/v1/admin/users/{user.pk}"), 401, "UNAUTHORIZED")
