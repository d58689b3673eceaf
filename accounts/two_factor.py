"""Two-factor sign-in: TOTP codes (RFC 6238, pyotp) and single-use recovery codes.

Turning it on makes a secret and ten recovery codes and shows them once. From then on a
password sign-in answers a short-lived challenge token instead of tokens; the token and a
current code (or an unused recovery code) complete the sign-in (`services.user_login_verify`).
Wrong codes count toward the same django-axes lockout as wrong passwords.

This module holds the mechanics (secrets, codes, challenges); the sign-in flows that use them
are in `accounts.services` and the admin's login form (`accounts.admin`).
"""

from __future__ import annotations

import base64
import hashlib
import io
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pyotp
import qrcode
import qrcode.image.pil
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from accounts.models import RecoveryCode, TwoFactorDevice, User
from accounts.user_settings import merge_settings
from config.api.errors import Unauthorized

RECOVERY_CODE_COUNT = 10
# A code from the step before or after the current one is accepted: clocks drift.
VALID_WINDOW = 1
_CHALLENGE_SALT = "accounts.two_factor.challenge"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


@dataclass(frozen=True)
class TwoFactorSetup:
    """What the user is shown once, when two-factor sign-in is turned on."""

    secret: str
    otpauth_uri: str
    qr_code: str  # a PNG as a data URL
    recovery_codes: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "secret": self.secret,
            "otpauth_uri": self.otpauth_uri,
            "qr_code": self.qr_code,
            "recovery_codes": list(self.recovery_codes),
        }


@dataclass(frozen=True)
class Challenge:
    """A password sign-in that still needs a code: its token and when the token expires."""

    token: str
    expires_at: datetime


def is_enabled(user: User) -> bool:
    """Whether the user signs in with a second factor."""
    return TwoFactorDevice.objects.filter(user=user).exists()


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _new_recovery_code() -> str:
    """Ten characters (about 50 bits) as `xxxxx-xxxxx`: high entropy, so SHA-256 suffices."""
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def qr_data_url(text: str) -> str:
    """`text` as a QR code, a PNG in a data URL (an <img src> any client can show)."""
    image = qrcode.make(text, image_factory=qrcode.image.pil.PilImage, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _set_flag(user: User, enabled: bool) -> None:
    user.settings = merge_settings(user.settings or {}, {"security": {"two_factor_auth": enabled}})
    user.save(update_fields=["settings", "updated_at"])


def two_factor_enable(*, user: User) -> TwoFactorSetup:
    """Make a new secret and ten recovery codes (replacing any earlier ones); shown once."""
    secret = pyotp.random_base32(length=32)  # 160 bits, as RFC 4226 recommends
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        TwoFactorDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        TwoFactorDevice.objects.create(user=user, secret=secret)
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, code_hash=_hash(code)) for code in codes
        )
        _set_flag(user, True)
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=user.email, issuer_name=settings.TWO_FACTOR_ISSUER
    )
    return TwoFactorSetup(
        secret=secret, otpauth_uri=uri, qr_code=qr_data_url(uri), recovery_codes=codes
    )


def two_factor_disable(*, user: User) -> None:
    """Turn two-factor sign-in off: the secret and the recovery codes are deleted."""
    with transaction.atomic():
        TwoFactorDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        _set_flag(user, False)


def verify_code(*, user: User, code: str) -> bool:
    """Whether `code` is a current TOTP code or an unused recovery code; either is used up.

    A TOTP code is accepted once: the device's `last_step` moves past it with a conditional
    UPDATE, so of two sign-ins racing with one code exactly one wins. A recovery code is
    marked used the same way.
    """
    device = TwoFactorDevice.objects.filter(user=user).first()
    if device is None or not isinstance(code, str):
        return False
    digits = code.replace(" ", "").replace("-", "")
    if digits.isdigit() and len(digits) == 6:
        totp = pyotp.TOTP(device.secret)
        now = time.time()
        for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
            moment = now + offset * totp.interval
            if secrets.compare_digest(totp.at(moment), digits):
                step = totp.timecode(datetime.fromtimestamp(moment))
                return bool(
                    TwoFactorDevice.objects.filter(pk=device.pk, last_step__lt=step).update(
                        last_step=step
                    )
                )
        return False
    return bool(
        RecoveryCode.objects.filter(user=user, code_hash=_hash(code), used_at__isnull=True).update(
            used_at=timezone.now()
        )
    )


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def _fingerprint(user: User) -> str:
    """Changes when the password or the secret does: a challenge outlives neither."""
    device = TwoFactorDevice.objects.filter(user=user).values_list("secret", flat=True).first()
    material = f"{user.password}:{device or ''}".encode()
    return hashlib.sha256(material).hexdigest()[:16]


def challenge_issue(*, user: User) -> Challenge:
    """A signed token naming the user whose password was right; it lives a few minutes."""
    ttl = settings.TWO_FACTOR_CHALLENGE_SECONDS
    token = signing.dumps({"u": user.pk, "f": _fingerprint(user)}, salt=_CHALLENGE_SALT)
    return Challenge(token=token, expires_at=timezone.now() + timedelta(seconds=ttl))


def challenge_user(token: str) -> User:
    """The user a challenge token was issued to; 401 when it is forged, expired or stale."""
    try:
        claim = signing.loads(
            token, salt=_CHALLENGE_SALT, max_age=settings.TWO_FACTOR_CHALLENGE_SECONDS
        )
    except signing.BadSignature:  # SignatureExpired is one
        raise Unauthorized("Invalid or expired challenge token; sign in again") from None
    user = User.objects.filter(pk=claim.get("u"), is_active=True).first()
    if user is None or not secrets.compare_digest(_fingerprint(user), str(claim.get("f"))):
        raise Unauthorized("Invalid or expired challenge token; sign in again")
    return user
