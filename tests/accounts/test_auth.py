"""Sign-up, sign-in, tokens, logout and passwords."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import AccessToken, issue_token_pair
from tests.config.test_conventions import assert_error
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "user@example.com",
    "password": "SecureP@ss123",
    "username": "storyteller42",
    "displayName": "Story Teller",
}


def signup(api, **overrides):
    body = {**SIGNUP, **overrides}
    body = {k: v for k, v in body.items() if v is not None}
    return api.post("/api/v1/auth/signup", body, format="json")


def login(api, email, password=PASSWORD):
    return api.post("/api/v1/auth/login", {"email": email, "password": password}, format="json")


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


# --- sign-up --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/auth/signup", "/api/v1/auth/register"])
def test_signup_creates_a_free_user_and_signs_them_in(api, path):
    response = api.post(path, SIGNUP, format="json")
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["user"]["email"] == "user@example.com"
    assert data["user"]["username"] == "storyteller42"
    assert data["user"]["displayName"] == data["user"]["name"] == "Story Teller"
    assert data["user"]["role"] == "user"
    assert data["user"]["plan"] == data["user"]["subscriptionTier"] == "free"
    assert data["user"]["avatarUrl"] is None
    assert data["token"] == data["accessToken"]
    assert data["refreshToken"] and data["expiresAt"].endswith("Z")
    assert bearer(data["token"]).get("/api/v1/auth/me").status_code == 200


def test_storycore_signup_with_name_and_plan_and_no_username(api):
    response = api.post(
        "/api/v1/auth/register",
        {
            "email": "john@example.com",
            "password": "Password123!",
            "name": "John Doe",
            "plan": "free",
        },
        format="json",
    )
    assert response.status_code == 201
    user = response.json()["data"]["user"]
    assert user["name"] == "John Doe"
    assert user["username"] == "john"


def test_signup_never_grants_a_paid_plan_or_a_role(api):
    response = signup(api, plan="enterprise")
    assert response.status_code == 201
    assert response.json()["data"]["user"]["plan"] == "free"
    assert_error(
        signup(api, email="x@example.com", username="xuser", role="admin"), 400, "VALIDATION_ERROR"
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": None}, "email"),
        ({"password": None}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"email": 12345}, "email"),
        ({"password": 12345678}, "password"),
        ({"username": ["a"]}, "username"),
        ({"username": "ab"}, "username"),
        ({"username": "has space"}, "username"),
        ({"username": "x" * 31}, "username"),
        ({"displayName": "x" * 101}, "displayName"),
        ({"email": "a" * 250 + "@example.com"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "password"}, "password"),
        ({"password": "x" * 129}, "password"),
    ],
)
def test_signup_refuses_bad_input_and_creates_nothing(api, overrides, field):
    body = assert_error(signup(api, **overrides), 400, "VALIDATION_ERROR")
    assert field in {item["field"] for item in body["error"]["details"]}
    assert not User.objects.exists()


def test_signup_with_a_taken_email_is_email_exists_whatever_its_case(api):
    assert signup(api).status_code == 201
    assert_error(signup(api, email="USER@example.com", username="someoneelse"), 409, "EMAIL_EXISTS")
    assert User.objects.count() == 1


def test_signup_with_a_taken_username_is_username_exists(api):
    assert signup(api).status_code == 201
    assert_error(
        signup(api, email="other@example.com", username="StoryTeller42"), 409, "USERNAME_EXISTS"
    )


@pytest.mark.argon2
def test_passwords_are_stored_with_argon2(api):
    assert signup(api).status_code == 201
    assert User.objects.get().password.startswith("argon2")


# --- sign-in --------------------------------------------------------------------------------


def test_login_returns_the_user_and_both_tokens(api, user):
    response = login(api, user.email.upper())
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Login successful"
    assert body["data"]["user"]["id"] == user.pk
    assert body["data"]["accessToken"] == body["data"]["token"]
    assert body["data"]["refreshToken"]


def test_login_accepts_a_username_instead_of_an_email(api, user):
    response = api.post(
        "/api/v1/auth/login", {"username": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize("password", ["wrong-password", ""])
def test_login_with_a_wrong_password_is_invalid_credentials(api, user, password):
    response = login(api, user.email, password)
    if password:
        assert_error(response, 401, "INVALID_CREDENTIALS")
    else:
        assert_error(response, 400, "VALIDATION_ERROR")


def test_login_with_an_unknown_email_is_invalid_credentials(api):
    assert_error(login(api, "nobody@example.com"), 401, "INVALID_CREDENTIALS")


def test_login_with_missing_fields_is_a_validation_error(api):
    assert_error(api.post("/api/v1/auth/login", {}, format="json"), 400, "VALIDATION_ERROR")


def test_repeated_failed_logins_lock_the_account(api, user):
    for _ in range(4):
        assert_error(login(api, user.email, "wrong"), 401, "INVALID_CREDENTIALS")
    # The fifth failure locks the account ...
    assert_error(login(api, user.email, "wrong"), 429, "RATE_LIMITED")
    # ... and even the right password is refused while it is locked.
    response = login(api, user.email)
    assert_error(response, 429, "RATE_LIMITED")
    assert int(response["Retry-After"]) > 0
    # Another account is not affected.
    assert login(api, UserFactory().email).status_code == 200


def test_a_suspended_user_cannot_sign_in(api):
    suspended = UserFactory(status="suspended", is_active=False)
    assert_error(login(api, suspended.email), 401, "INVALID_CREDENTIALS")


def test_login_notifications_are_emailed_when_the_user_asked_for_them(
    api, django_capture_on_commit_callbacks
):
    user = UserFactory(settings={"security": {"login_notifications": True}})
    with django_capture_on_commit_callbacks(execute=True):
        assert login(api, user.email).status_code == 200
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "signed in" in mail.outbox[0].body


# --- tokens ---------------------------------------------------------------------------------


def test_requests_without_a_token_are_unauthorized(api):
    assert_error(api.get("/api/v1/auth/me"), 401, "UNAUTHORIZED")


def test_a_garbage_token_is_unauthorized():
    assert_error(bearer("not.a.token").get("/api/v1/auth/me"), 401, "UNAUTHORIZED")


def test_an_expired_token_is_unauthorized(user):
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(days=2))
    assert_error(bearer(str(token)).get("/api/v1/auth/me"), 401, "UNAUTHORIZED")


def test_access_tokens_live_24_hours(user):
    token = AccessToken(issue_token_pair(user).access)
    assert token["exp"] - token["iat"] == 24 * 3600


def test_refresh_rotates_and_the_used_refresh_token_stops_working(api, user):
    tokens = issue_token_pair(user)
    response = api.post("/api/v1/auth/refresh", {"refreshToken": tokens.refresh}, format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["refreshToken"] != tokens.refresh
    assert bearer(data["token"]).get("/api/v1/auth/me").status_code == 200
    again = api.post("/api/v1/auth/refresh", {"refreshToken": tokens.refresh}, format="json")
    assert_error(again, 401, "UNAUTHORIZED")
    # The new refresh token works, with the film job API's snake_case name too.
    assert (
        api.post(
            "/api/v1/auth/refresh", {"refresh_token": data["refreshToken"]}, format="json"
        ).status_code
        == 200
    )


def test_an_access_token_is_not_a_refresh_token(api, user):
    tokens = issue_token_pair(user)
    response = api.post("/api/v1/auth/refresh", {"refreshToken": tokens.access}, format="json")
    assert_error(response, 401, "UNAUTHORIZED")


@pytest.mark.parametrize("body", [{}, {"refreshToken": 42}, {"refreshToken": "x" * 2001}])
def test_refresh_with_bad_input_is_a_validation_error(api, body):
    assert_error(api.post("/api/v1/auth/refresh", body, format="json"), 400, "VALIDATION_ERROR")


@pytest.mark.django_db(transaction=True)
def test_of_two_racing_refreshes_with_one_token_exactly_one_wins():
    user = UserFactory()
    refresh = issue_token_pair(user).refresh
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def attempt():
        try:
            barrier.wait()
            response = APIClient().post(
                "/api/v1/auth/refresh", {"refreshToken": refresh}, format="json"
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 401, 401, 401]


def test_logout_revokes_the_access_token_and_its_refresh_token(api, user):
    tokens = issue_token_pair(user)
    client = bearer(tokens.access)
    response = client.post("/api/v1/auth/logout")
    assert response.status_code == 200
    assert response.json()["data"]["message"] == "Logged out successfully"
    assert_error(client.get("/api/v1/auth/me"), 401, "UNAUTHORIZED")
    refreshed = api.post("/api/v1/auth/refresh", {"refreshToken": tokens.refresh}, format="json")
    assert_error(refreshed, 401, "UNAUTHORIZED")


def test_logout_leaves_the_users_other_sessions_alone(user):
    phone, laptop = issue_token_pair(user), issue_token_pair(user)
    assert bearer(phone.access).post("/api/v1/auth/logout").status_code == 200
    assert bearer(laptop.access).get("/api/v1/auth/me").status_code == 200


def test_logout_refuses_someone_elses_refresh_token(user, other_user):
    theirs = issue_token_pair(other_user)
    response = bearer(issue_token_pair(user).access).post(
        "/api/v1/auth/logout", {"refreshToken": theirs.refresh}, format="json"
    )
    assert_error(response, 400, "VALIDATION_ERROR")
    assert bearer(theirs.access).get("/api/v1/auth/me").status_code == 200


def test_logout_without_a_token_is_unauthorized(api):
    assert_error(api.post("/api/v1/auth/logout"), 401, "UNAUTHORIZED")


# --- passwords ------------------------------------------------------------------------------


def test_changing_the_password_revokes_earlier_tokens_and_returns_new_ones(api, user):
    old = issue_token_pair(user)
    response = bearer(old.access).put(
        "/api/v1/auth/password",
        {"currentPassword": PASSWORD, "newPassword": "An0ther-Secret!"},
        format="json",
    )
    assert response.status_code == 200
    new_token = response.json()["data"]["token"]
    assert_error(bearer(old.access).get("/api/v1/auth/me"), 401, "UNAUTHORIZED")
    assert_error(
        api.post("/api/v1/auth/refresh", {"refreshToken": old.refresh}, format="json"),
        401,
        "UNAUTHORIZED",
    )
    assert bearer(new_token).get("/api/v1/auth/me").status_code == 200
    assert login(api, user.email, "An0ther-Secret!").status_code == 200
    assert_error(login(api, user.email), 401, "INVALID_CREDENTIALS")


def test_changing_the_password_needs_the_current_one(user_api, user):
    response = user_api.put(
        "/api/v1/auth/password",
        {"currentPassword": "wrong", "newPassword": "An0ther-Secret!"},
        format="json",
    )
    assert_error(response, 401, "INVALID_CREDENTIALS")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    "body",
    [
        {"currentPassword": PASSWORD},
        {"currentPassword": PASSWORD, "newPassword": "123"},
        {"currentPassword": PASSWORD, "newPassword": 12345678},
        {"currentPassword": PASSWORD, "newPassword": "x" * 129},
    ],
)
def test_changing_the_password_refuses_bad_input(user_api, user, body):
    assert_error(
        user_api.put("/api/v1/auth/password", body, format="json"), 400, "VALIDATION_ERROR"
    )
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_changing_the_password_without_a_token_is_unauthorized(api):
    response = api.put(
        "/api/v1/auth/password",
        {"currentPassword": PASSWORD, "newPassword": "An0ther-Secret!"},
        format="json",
    )
    assert_error(response, 401, "UNAUTHORIZED")


def forgot(api, email, capture):
    with capture(execute=True):
        return api.post("/api/v1/auth/forgot-password", {"email": email}, format="json")


def reset_token_from_mail() -> str:
    body = mail.outbox[-1].body
    return next(
        line.strip()
        for line in body.splitlines()
        if "." in line and " " not in line.strip() and not line.strip().startswith("http")
    )


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(
    api, user, django_capture_on_commit_callbacks
):
    known = forgot(api, user.email, django_capture_on_commit_callbacks)
    unknown = forgot(api, "nobody@example.com", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 200
    assert known.json()["data"] == unknown.json()["data"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "/accounts/reset/" in mail.outbox[0].body


@pytest.mark.parametrize("body", [{}, {"email": "nope"}, {"email": ["a@b.c"]}])
def test_forgot_password_refuses_malformed_input(api, body):
    assert_error(
        api.post("/api/v1/auth/forgot-password", body, format="json"), 400, "VALIDATION_ERROR"
    )


def test_forgot_password_sends_only_a_few_mails_an_hour_to_one_address(
    api, user, django_capture_on_commit_callbacks
):
    for _ in range(8):
        assert forgot(api, user.email, django_capture_on_commit_callbacks).status_code == 200
    assert len(mail.outbox) == 5


def test_reset_password_with_the_mailed_token_works_once(
    api, user, django_capture_on_commit_callbacks
):
    old = issue_token_pair(user)
    forgot(api, user.email, django_capture_on_commit_callbacks)
    token = reset_token_from_mail()
    body = {"token": token, "newPassword": "Brand-New-Secret9"}
    assert api.post("/api/v1/auth/reset-password", body, format="json").status_code == 200
    assert login(api, user.email, "Brand-New-Secret9").status_code == 200
    assert_error(bearer(old.access).get("/api/v1/auth/me"), 401, "UNAUTHORIZED")
    again = api.post(
        "/api/v1/auth/reset-password",
        {"token": token, "newPassword": "Yet-Another-Secret9"},
        format="json",
    )
    assert_error(again, 401, "UNAUTHORIZED")


def test_a_reset_token_expires_after_an_hour(
    api, user, monkeypatch, django_capture_on_commit_callbacks
):
    forgot(api, user.email, django_capture_on_commit_callbacks)
    token = reset_token_from_mail()
    later = timezone.now().replace(tzinfo=None) + timedelta(hours=1, minutes=1)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)
    response = api.post(
        "/api/v1/auth/reset-password",
        {"token": token, "newPassword": "Brand-New-Secret9"},
        format="json",
    )
    assert_error(response, 401, "UNAUTHORIZED")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    "body",
    [
        {"token": "garbage", "newPassword": "Brand-New-Secret9"},
        {"token": "Zm9v.abc-def", "newPassword": "Brand-New-Secret9"},
    ],
)
def test_reset_password_with_a_bad_token_is_unauthorized(api, body):
    assert_error(api.post("/api/v1/auth/reset-password", body, format="json"), 401, "UNAUTHORIZED")


def test_reset_password_with_a_weak_password_is_refused(
    api, user, django_capture_on_commit_callbacks
):
    forgot(api, user.email, django_capture_on_commit_callbacks)
    response = api.post(
        "/api/v1/auth/reset-password",
        {"token": reset_token_from_mail(), "newPassword": "123"},
        format="json",
    )
    assert_error(response, 400, "VALIDATION_ERROR")


def test_the_reset_link_opens_a_browser_form(api, user, django_capture_on_commit_callbacks):
    forgot(api, user.email, django_capture_on_commit_callbacks)
    link = next(
        line.strip() for line in mail.outbox[-1].body.splitlines() if "/accounts/reset/" in line
    )
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = api.get(f"/{path}", follow=True)
    assert page.status_code == 200
    # The platform's own page (web.views.accounts), not the admin's form.
    assert b'name="new_password"' in page.content and b"Choose a new password" in page.content
