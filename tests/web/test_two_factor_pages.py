"""The browser's two-factor sign-in: turning it on from the settings page (the QR code and
recovery codes shown once), the code step after the password (TOTP or recovery code), wrong
codes counting toward the same lockout as the API's verify, and turning it off."""

from __future__ import annotations

import re
import time
from unittest import mock

import pyotp
import pytest
from django.test import Client

from accounts import two_factor
from accounts.models import RecoveryCode, TwoFactorDevice
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def turn_on(user) -> tuple[str, list[str]]:
    setup = two_factor.two_factor_enable(user=user)
    return setup.secret, setup.recovery_codes


def password_step(client: Client, user, next_url: str = ""):
    return client.post("/signin/", {"email": user.email, "password": PASSWORD, "next": next_url})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_turning_it_on_shows_the_qr_code_and_recovery_codes_once(client, user):
    client.force_login(user)
    page = client.post("/account/", {"form": "two_factor_enable"})
    assert page.status_code == 200
    body = text(page)
    assert 'src="data:image/png;base64,' in body and "QR code for your authenticator app" in body
    secret = TwoFactorDevice.objects.get(user=user).secret
    assert secret in body
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", body)
    assert len(codes) == 10
    # Each shown code is a working recovery code of this user (stored only as a hash).
    assert RecoveryCode.objects.filter(user=user).count() == 10
    assert two_factor.verify_code(user=user, code=codes[0])
    # Shown once: the page read again says it is on but shows neither key nor codes.
    again = text(client.get("/account/"))
    assert secret not in again and codes[1] not in again
    assert "9 recovery codes left" in again
    # Posting "turn on" again does not replace the secret.
    client.post("/account/", {"form": "two_factor_enable"})
    assert TwoFactorDevice.objects.get(user=user).secret == secret


def test_the_password_leads_to_the_code_page_and_a_totp_code_signs_in(client, user):
    secret, _ = turn_on(user)
    response = password_step(client, user, next_url="/ideas/")
    assert response.status_code == 302 and response["Location"] == "/signin/code/"
    assert not signed_in(client)
    page = client.get("/signin/code/")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in text(page)
    done = client.post("/signin/code/", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302 and done["Location"] == "/ideas/"
    assert signed_in(client) and client.session["_auth_user_id"] == str(user.pk)
    # The challenge is used up with the sign-in.
    client.post("/signout/")
    assert client.get("/signin/code/")["Location"] == "/signin/"


def test_a_recovery_code_signs_in_once(client, user):
    _, codes = turn_on(user)
    password_step(client, user)
    assert client.post("/signin/code/", {"code": codes[3].upper()}).status_code == 302
    assert signed_in(client)
    other = Client()
    password_step(other, user)
    reused = other.post("/signin/code/", {"code": codes[3]})
    assert reused.status_code == 400 and "Invalid authentication code" in text(reused)
    assert not signed_in(other)


def test_the_code_page_without_a_password_step_sends_back_to_sign_in(client):
    response = client.get("/signin/code/")
    assert response.status_code == 302 and response["Location"] == "/signin/"
    assert client.post("/signin/code/", {"code": "123456"})["Location"] == "/signin/"


def test_wrong_codes_count_toward_the_lockout_the_api_uses(client, user, api):
    secret, _ = turn_on(user)
    password_step(client, user)
    right = pyotp.TOTP(secret).now()
    wrongs = [c for c in ("000000", "123456", "999999", "abcde-fghij", "000001") if c != right]
    for wrong in wrongs[:4]:
        page = client.post("/signin/code/", {"code": wrong})
        assert page.status_code == 400 and "Invalid authentication code" in text(page)
    # The fifth failure locks the account (the same django-axes count as the API's).
    locked = client.post("/signin/code/", {"code": wrongs[4]})
    assert locked.status_code == 400 and "Too many failed sign-in attempts" in text(locked)
    assert not signed_in(client)
    # Locked everywhere: the browser's password step and the API's login alike.
    again = password_step(client, user)
    assert again.status_code == 400 and "Too many failed sign-in attempts" in text(again)
    api_login = api.post(
        "/api/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert api_login.status_code == 429
    # Another account is not affected.
    assert password_step(Client(), UserFactory())["Location"] == "/"


def test_an_expired_challenge_starts_the_sign_in_again(client, user, settings):
    secret, _ = turn_on(user)
    password_step(client, user)
    later = time.time() + settings.TWO_FACTOR_CHALLENGE_SECONDS + 1
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.post("/signin/code/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response["Location"] == "/signin/"
    assert not signed_in(client)


def test_turning_it_off_needs_the_password(client, user):
    turn_on(user)
    client.force_login(user)
    wrong = client.post("/account/", {"form": "two_factor_disable", "current_password": "nope"})
    assert wrong.status_code == 400 and "Current password is incorrect" in text(wrong)
    assert two_factor.is_enabled(user)
    right = client.post("/account/", {"form": "two_factor_disable", "current_password": PASSWORD})
    assert right.status_code == 302
    assert not two_factor.is_enabled(user)
    assert not RecoveryCode.objects.filter(user=user).exists()
    # Signing in is one step again.
    fresh = Client()
    assert password_step(fresh, user)["Location"] == "/"
    assert signed_in(fresh)
