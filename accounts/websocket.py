"""Bearer-token authentication for WebSockets.

The token may come in the query string (`?token=`), the `Authorization` header, or, for the
StoryForge protocol, inside a `subscribe` message (the consumer calls `user_for_token`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import APIException

from accounts.authentication import JWTAuthentication


def user_for_token_sync(token: str) -> Any:
    """The active user a valid, unrevoked access token belongs to, else None."""
    if not token:
        return None
    auth = JWTAuthentication()
    try:
        validated = auth.get_validated_token(token.encode())
        return auth.get_user(validated)
    except APIException:
        return None


user_for_token = database_sync_to_async(user_for_token_sync)


def token_from_scope(scope: dict[str, Any]) -> str:
    query = parse_qs(scope.get("query_string", b"").decode())
    if query.get("token"):
        return query["token"][0]
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            kind, _, token = value.decode().partition(" ")
            if kind.lower() == "bearer":
                return token.strip()
    return ""


class TokenAuthMiddleware(BaseMiddleware):
    """Sets `scope["user"]` from a bearer token, when the client sends one (AnonymousUser if
    it is not valid: a bad token never falls back to a cookie). Without a token, the user the
    session middleware in front found (a signed-in browser page) stays, else AnonymousUser."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        token = token_from_scope(scope)
        if token:
            scope["user"] = await user_for_token(token) or AnonymousUser()
        elif scope.get("user") is None:
            scope["user"] = AnonymousUser()
        return await super().__call__(scope, receive, send)
