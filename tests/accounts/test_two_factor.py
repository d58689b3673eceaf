"""Two-factor sign-in: turning it on, the two-step login, recovery codes, the lockout, turning
it off, the admin's reset, and the admin's own login."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from unittest import mock
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
from django.test import Client

from accounts.models import RecoveryCode, TwoFactorDevice, User
from accounts.tokens import AccessToken
from tests.config.test_conventions import assert_error
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SETTINGS = "/api/v1/users/settings"
LOGIN = "/api/v1/auth/login"
VERIFY = "/api/v1/auth/login/verify"


def turn_on(client) -> dict:
    response = client.put(SETTINGS, {"security": {"twoFactorAuth": True}}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["data"]["security"]["twoFactorSetup"]


def password_step(api, user: User, password: str = PASSWORD):
    return api.post(LOGIN, {"email": user.email, "password": password}, format="json")


def challenge(api, user: User) -> str:
    response = password_step(api, user)
    assert response.status_code == 200, response.content
    return response.json()["data"]["challengeToken"]


def verify(api, token: str, code: str):
    return api.post(VERIFY, {"challengeToken": token, "code": code}, format="json")


def code_at(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def test_turning_it_on_answers_the_setup_once_and_reads_back_true(user_api, user):
    setup = turn_on(user_api)

    # The secret is a 160-bit base32 TOTP secret, and the URI names it, the issuer and the user.
    assert len(base64.b32decode(setup["secret"])) == 20
    uri = urlsplit(setup["otpauthUri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == f"/StoryForge:{user.email}"
    assert parse_qs(uri.query)["secret"] == [setup["secret"]]
    assert parse_qs(uri.query)["issuer"] == ["StoryForge"]
    # The QR code is a PNG in a data URL.
    prefix = "data:image/png;base64,"
    assert setup["qrCode"].startswith(prefix)
    assert base64.b64decode(setup["qrCode"][len(prefix) :])[:8] == b"\x89PNG\r\n\x1a\n"
    # Ten distinct recovery codes, stored only as hashes.
    codes = setup["recoveryCodes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert stored == {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
    assert not RecoveryCode.objects.filter(code_hash__in=codes).exists()
    assert TwoFactorDevice.objects.get(user=user).secret == setup["secret"]

    # Read back: on, and the setup is not shown again.
    security = user_api.get(SETTINGS).json()["data"]["security"]
    assert security == {"twoFactorAuth": True, "loginNotifications": False}
    # Saying "on" again changes nothing and shows nothing.
    again = user_api.put(SETTINGS, {"security": {"twoFactorAuth": True}}, format="json")
    assert again.status_code == 200
    assert "twoFactorSetup" not in again.json()["data"]["security"]
    assert TwoFactorDevice.objects.get(user=user).secret == setup["secret"]


def test_a_password_alone_gives_a_challenge_and_no_tokens(api, user, user_api):
    turn_on(user_api)
    response = password_step(api, user)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["twoFactorRequired"] is True
    assert data["methods"] == ["totp", "recovery_code"]
    assert data["challengeToken"] and data["expiresAt"].endswith("Z")
    assert not {"token", "accessToken", "refreshToken", "user"} & set(data)
    # A wrong password is still a wrong password.
    assert_error(password_step(api, user, "wrong"), 401, "INVALID_CREDENTIALS")


def test_the_challenge_and_a_current_code_sign_in_once(api, user, user_api):
    secret = turn_on(user_api)["secret"]
    token = challenge(api, user)
    code = code_at(secret)

    response = verify(api, token, code)
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["user"]["id"] == user.pk
    assert AccessToken(data["token"])["sub"] == user.pk and data["refreshToken"]
    assert response.json()["message"] == "Login successful"

    # The same code does not open a second session, even with a new challenge.
    assert_error(verify(api, challenge(api, user), code), 401, "INVALID_CREDENTIALS")
    # The next step's code does (clocks drift by one step either way).
    assert verify(api, challenge(api, user), code_at(secret, 1)).status_code == 200


def test_a_recovery_code_stands_in_for_the_app_once(api, user, user_api):
    codes = turn_on(user_api)["recoveryCodes"]
    assert verify(api, challenge(api, user), codes[3].upper()).status_code == 200
    assert_error(verify(api, challenge(api, user), codes[3]), 401, "INVALID_CREDENTIALS")
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1
    assert verify(api, challenge(api, user), codes[4]).status_code == 200


def test_wrong_codes_count_toward_the_account_lockout(api, user, user_api):
    secret = turn_on(user_api)["secret"]
    token = challenge(api, user)
    for wrong in ("000000", "123456", "abcde-fghij", "999999"):
        if wrong == code_at(secret):
            continue
        assert_error(verify(api, token, wrong), 401, "INVALID_CREDENTIALS")
    # The fifth failure locks the account: the right code, and the password, are refused.
    response = verify(api, token, "000001" if code_at(secret) != "000001" else "000002")
    assert_error(response, 429, "RATE_LIMITED")
    assert int(response["Retry-After"]) > 0
    assert_error(verify(api, token, code_at(secret)), 429, "RATE_LIMITED")
    assert_error(password_step(api, user), 429, "RATE_LIMITED")
    # Another account is not affected.
    assert password_step(api, UserFactory()).status_code == 200


def test_a_forged_or_expired_challenge_is_unauthorized(api, user, user_api):
    secret = turn_on(user_api)["secret"]
    token = challenge(api, user)
    assert_error(verify(api, token[:-2] + "xx", code_at(secret)), 401, "UNAUTHORIZED")
    later = time.time() + 301
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert_error(verify(api, token, code_at(secret)), 401, "UNAUTHORIZED")
    # A challenge does not outlive a password change.
    fresh = challenge(api, user)
    user.set_password("An0ther-Passw0rd!")
    user.save()
    assert_error(verify(api, fresh, code_at(secret)), 401, "UNAUTHORIZED")


def test_verify_refuses_malformed_input(api):
    assert_error(api.post(VERIFY, {"challengeToken": "x"}, format="json"), 400, "VALIDATION_ERROR")
    assert_error(
        api.post(VERIFY, {"challengeToken": "x", "code": 123456}, format="json"),
        400,
        "VALIDATION_ERROR",
    )


def test_turning_it_off_needs_the_password(api, user, user_api):
    turn_on(user_api)
    off = {"security": {"twoFactorAuth": False}}
    missing = user_api.put(SETTINGS, off, format="json")
    assert "currentPassword" in {
        d["field"] for d in assert_error(missing, 400, "VALIDATION_ERROR")["error"]["details"]
    }
    wrong = user_api.put(SETTINGS, {**off, "currentPassword": "wrong"}, format="json")
    assert_error(wrong, 401, "INVALID_CREDENTIALS")
    assert TwoFactorDevice.objects.filter(user=user).exists()

    response = user_api.put(SETTINGS, {**off, "currentPassword": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["security"]["twoFactorAuth"] is False
    assert not TwoFactorDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    user.refresh_from_db()
    assert "current_password" not in str(user.settings)
    # The password alone signs in again.
    assert "token" in password_step(api, user).json()["data"]


def test_the_admin_can_reset_a_users_two_factor_sign_in(admin_client, api, user, user_api):
    turn_on(user_api)
    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [user.pk]},
    )
    assert response.status_code == 302
    assert not TwoFactorDevice.objects.filter(user=user).exists()
    assert user_api.get(SETTINGS).json()["data"]["security"]["twoFactorAuth"] is False
    assert "token" in password_step(api, user).json()["data"]


def test_the_admin_login_asks_a_two_factor_staff_account_for_its_code(client_for):
    staff = UserFactory(role="admin", is_staff=True, is_superuser=True)
    secret = turn_on(client_for(staff))["secret"]
    browser = Client()
    page = browser.get("/admin/login/")
    assert b'name="otp_code"' in page.content

    # The password alone is not enough ...
    refused = browser.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert refused.status_code == 200 and b"authentication code" in refused.content
    assert browser.get("/admin/").status_code == 302  # still sent to the login page
    # ... nor is a wrong code ...
    refused = browser.post(
        "/admin/login/", {"username": staff.email, "password": PASSWORD, "otp_code": "000000"}
    )
    assert browser.get("/admin/").status_code == 302
    # ... the password and a current code are.
    signed_in = browser.post(
        "/admin/login/",
        {"username": staff.email, "password": PASSWORD, "otp_code": code_at(secret)},
    )
    assert signed_in.status_code == 302
    assert browser.get("/admin/").status_code == 200


def test_the_admin_login_of_a_staff_account_without_two_factor_needs_no_code():
    staff = UserFactory(role="admin", is_staff=True, is_superuser=True)
    browser = Client()
    response = browser.post("/admin/login/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert browser.get("/admin/").status_code == 200


def test_the_schema_describes_the_challenge_the_verify_step_and_the_setup(api):
    schema = json.loads(api.get("/api/v1/schema").content)
    components = schema["components"]["schemas"]
    login = schema["paths"]["/api/v1/auth/login"]["post"]["responses"]["200"]
    data = login["content"]["application/json"]["schema"]["properties"]["data"]
    assert data == {"$ref": "#/components/schemas/LoginResult"}
    variants = {ref["$ref"].rsplit("/", 1)[-1] for ref in components["LoginResult"]["oneOf"]}
    assert variants == {"AuthResult", "TwoFactorChallenge"}
    assert {"twoFactorRequired", "challengeToken", "expiresAt"} <= set(
        components["TwoFactorChallenge"]["properties"]
    )
    verify_op = schema["paths"]["/api/v1/auth/login/verify"]["post"]
    assert {"challengeToken", "code"} <= set(components["LoginVerifyRequest"]["properties"])
    assert {"200", "400", "401", "429"} <= set(verify_op["responses"])
    security = components["SecuritySettingsResult"]["properties"]
    setup = components["TwoFactorSetup"]["properties"]
    assert security["twoFactorSetup"]["allOf"][0]["$ref"].endswith("/TwoFactorSetup") or (
        security["twoFactorSetup"].get("$ref", "").endswith("/TwoFactorSetup")
    )
    assert {"secret", "otpauthUri", "qrCode", "recoveryCodes"} == set(setup)
    put = schema["paths"]["/api/v1/users/settings"]["put"]
    assert (
        "currentPassword"
        in components[
            put["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        ]["properties"]
    )


def test_the_browser_sign_in_asks_for_the_code_before_the_session(client_for):
    member = UserFactory()
    secret = turn_on(client_for(member))["secret"]
    browser = Client()
    # The password opens no session: it leads to the code page.
    step = browser.post("/signin/", {"email": member.email, "password": PASSWORD, "next": "/my/"})
    assert step.status_code == 302 and step["Location"] == "/signin/code/"
    assert browser.get("/my/").status_code == 302
    # A wrong code is refused (and counted), the session stays closed.
    wrong = browser.post(
        "/signin/code/", {"code": "000000" if code_at(secret) != "000000" else "1"}
    )
    assert wrong.status_code == 400
    assert browser.get("/my/").status_code == 302
    # The right code opens it and goes where the sign-in was headed.
    right = browser.post("/signin/code/", {"code": code_at(secret)})
    assert right.status_code == 302 and right["Location"] == "/my/"
    assert browser.get("/my/").status_code == 200
    # The code page without a password step first sends the visitor back to sign in.
    assert Client().get("/signin/code/")["Location"] == "/signin/"
