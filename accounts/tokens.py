"""JWT access and refresh tokens (djangorestframework-simplejwt), both revocable.

Access tokens join the blacklist on logout; each carries the id (`rjti`) of the refresh token
it was issued with, so that logging out with an access token revokes its refresh token too.
Changing the password revokes every token (simplejwt's CHECK_REVOKE_TOKEN).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rest_framework_simplejwt import tokens

from config.api.responses import iso


class AccessToken(tokens.BlacklistMixin["AccessToken"], tokens.AccessToken):
    """An access token that can be blacklisted (logout)."""


class RefreshToken(tokens.RefreshToken):
    """A refresh token whose access tokens are the blacklistable kind."""

    access_token_class = AccessToken


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    expires_at: datetime

    def as_dict(self) -> dict[str, object]:
        """The token fields of the login, signup and refresh responses."""
        return {
            "token": self.access,
            "access_token": self.access,
            "refresh_token": self.refresh,
            "token_type": "Bearer",
            "expires_at": iso(self.expires_at),
        }


def issue_token_pair(user) -> TokenPair:
    """A fresh refresh token (recorded as outstanding) and its access token."""
    refresh = RefreshToken.for_user(user)
    access = refresh.access_token
    access["rjti"] = refresh["jti"]
    return TokenPair(
        access=str(access),
        refresh=str(refresh),
        expires_at=datetime.fromtimestamp(access["exp"], tz=UTC),
    )
