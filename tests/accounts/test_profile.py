"""The caller's own profile and settings, and public profiles."""

from __future__ import annotations

import pytest

from accounts import stats
from accounts.models import User
from tests.config.test_conventions import assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/auth/me", "/api/v1/users/profile", "/api/v1/users/me"])
def test_every_me_path_returns_the_caller(user_api, user, path):
    response = user_api.get(path)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == user.pk
    assert data["email"] == user.email
    assert data["role"] == "user"
    assert data["plan"] == data["subscriptionTier"] == "free"
    assert data["storageLimit"] == 1024**3
    assert data["usage"]["storageLimit"] == 1024**3
    assert set(data["stats"]) == {
        "scenesCreated",
        "segmentsContributed",
        "ideasSubmitted",
        "totalLikes",
    }
    assert data["settings"]["preferences"]["theme"] == "system"
    assert "password" not in data


def test_profile_counts_come_from_the_apps_that_own_them(user_api, user, monkeypatch):
    monkeypatch.setattr(stats, "_user_counts", {"scenes_created": lambda u: 7})
    data = user_api.get("/api/v1/users/me").json()["data"]
    assert data["stats"]["scenesCreated"] == 7
    assert data["stats"]["ideasSubmitted"] == 0


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("path", ["/api/v1/users/profile", "/api/v1/users/me"])
def test_updating_the_profile(user_api, user, method, path):
    response = getattr(user_api, method)(
        path,
        {
            "displayName": "Updated Name",
            "bio": "New bio text",
            "avatarUrl": "https://cdn.example.com/avatars/new.jpg",
        },
        format="json",
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["displayName"] == data["name"] == "Updated Name"
    assert data["avatarUrl"] == "https://cdn.example.com/avatars/new.jpg"
    user.refresh_from_db()
    assert user.bio == "New bio text"


def test_name_is_an_alias_of_display_name(user_api, user):
    assert (
        user_api.put(
            "/api/v1/users/profile", {"name": "John Updated Doe"}, format="json"
        ).status_code
        == 200
    )
    user.refresh_from_db()
    assert user.display_name == "John Updated Doe"


def test_role_plan_and_status_sent_to_the_profile_are_never_applied(user_api, user):
    me = user_api.get("/api/v1/users/me").json()["data"]
    me.update(role="admin", plan="enterprise", status="active", bio="changed")
    assert user_api.put("/api/v1/users/me", me, format="json").status_code == 200
    user.refresh_from_db()
    assert (user.role, user.plan, user.bio) == ("user", "free", "changed")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"bio": "x" * 501}, "bio"),
        ({"bio": 5}, "bio"),
        ({"avatarUrl": "not a url"}, "avatarUrl"),
        ({"displayName": "x" * 101}, "displayName"),
        ({"username": "no spaces please"}, "username"),
        ({"shoeSize": 42}, "shoeSize"),
        ({"settings": {"preferences": {"theme": "purple"}}}, "settings.preferences.theme"),
    ],
)
def test_bad_profile_input_is_refused_and_changes_nothing(user_api, user, body, field):
    before = User.objects.get(pk=user.pk)
    response = user_api.patch("/api/v1/users/me", body, format="json")
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in {d["field"] for d in error["error"]["details"]}
    after = User.objects.get(pk=user.pk)
    assert (after.bio, after.display_name, after.avatar_url, after.settings) == (
        before.bio,
        before.display_name,
        before.avatar_url,
        before.settings,
    )


def test_taking_someone_elses_username_is_username_exists(user_api, other_user):
    response = user_api.patch(
        "/api/v1/users/me", {"username": other_user.username.upper()}, format="json"
    )
    assert_error(response, 409, "USERNAME_EXISTS")


def test_the_profile_needs_a_token(api):
    assert_error(api.get("/api/v1/users/profile"), 401, "UNAUTHORIZED")
    assert_error(api.patch("/api/v1/users/me", {"bio": "x"}, format="json"), 401, "UNAUTHORIZED")


# --- settings -------------------------------------------------------------------------------


def test_settings_start_with_the_defaults(user_api):
    data = user_api.get("/api/v1/users/settings").json()["data"]
    assert data == {
        "notifications": {"email": True, "push": False, "sms": False},
        "preferences": {"theme": "system", "language": "en", "timezone": "UTC"},
        "privacy": {"profileVisibility": "public", "dataRetention": "forever"},
        "security": {"twoFactorAuth": False, "loginNotifications": False},
    }


def test_settings_updates_merge_section_by_section(user_api):
    response = user_api.put(
        "/api/v1/users/settings",
        {
            "preferences": {"theme": "light", "timezone": "Europe/Paris"},
            "privacy": {"profileVisibility": "private"},
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["message"] == "Settings updated successfully"
    data = user_api.get("/api/v1/users/settings").json()["data"]
    assert data["preferences"] == {"theme": "light", "language": "en", "timezone": "Europe/Paris"}
    assert data["privacy"]["profileVisibility"] == "private"
    assert data["notifications"]["email"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"notifications": {"email": "yes"}}, "notifications.email"),
        ({"notifications": {"pigeon": True}}, "notifications.pigeon"),
        ({"preferences": {"timezone": "Mars/Olympus"}}, "preferences.timezone"),
        ({"preferences": {"language": "english"}}, "preferences.language"),
        ({"privacy": {"dataRetention": "7y"}}, "privacy.dataRetention"),
        ({"privacy": "public"}, "privacy"),
        ({"security": {"twoFactorAuth": "on"}}, "security.twoFactorAuth"),
        ({"appearance": {}}, "appearance"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(user_api, user, body, field):
    response = user_api.put("/api/v1/users/settings", body, format="json")
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in {d["field"] for d in error["error"]["details"]}
    user.refresh_from_db()
    assert user.settings == {}


def test_settings_need_a_token(api):
    assert_error(api.get("/api/v1/users/settings"), 401, "UNAUTHORIZED")


# --- public profiles ------------------------------------------------------------------------


def test_a_public_profile_is_visible_without_a_token_and_hides_private_fields(api, user):
    response = api.get(f"/api/v1/users/{user.pk}")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["username"] == user.username
    assert set(data["stats"]) == {
        "scenesCreated",
        "segmentsContributed",
        "ideasSubmitted",
        "totalLikes",
    }
    for private in ("email", "settings", "plan", "usage"):
        assert private not in data


def test_a_private_profile_is_hidden_from_others_but_not_from_its_owner(
    client_for, user, other_user, moderator
):
    user.settings = {"privacy": {"profile_visibility": "private"}}
    user.save()
    assert_error(client_for(other_user).get(f"/api/v1/users/{user.pk}"), 404, "NOT_FOUND")
    assert client_for(user).get(f"/api/v1/users/{user.pk}").status_code == 200
    assert client_for(moderator).get(f"/api/v1/users/{user.pk}").status_code == 200


def test_an_unknown_or_inactive_user_is_not_found(api):
    assert_error(api.get("/api/v1/users/usr_doesnotexist"), 404, "NOT_FOUND")
    banned = UserFactory(status="banned", is_active=False)
    assert_error(api.get(f"/api/v1/users/{banned.pk}"), 404, "NOT_FOUND")
