"""Writes for accounts: sign-up, sign-in, tokens, passwords, profiles, organizations, admin."""

from __future__ import annotations

import math
import re
import secrets
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts.models import (
    MODERATORS_GROUP,
    AccountStatus,
    Membership,
    Organization,
    OrganizationRole,
    Role,
    User,
)
from accounts.plans import Plan
from accounts.tasks import send_email_task
from accounts.tokens import AccessToken, RefreshToken, TokenPair, issue_token_pair
from accounts.user_settings import merge_settings
from config.api.errors import (
    ApiError,
    Conflict,
    ErrorCode,
    Forbidden,
    InvalidCredentials,
    NotFound,
    RateLimited,
    Unauthorized,
    ValidationFailed,
)
from config.api.ratelimit import consume


class EmailExists(ApiError):
    code = ErrorCode.EMAIL_EXISTS
    default_message = "An account with this e-mail address already exists"


class UsernameExists(ApiError):
    code = ErrorCode.USERNAME_EXISTS
    default_message = "This username is taken"


# --- helpers ---------------------------------------------------------------------------------


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            f"password: {' '.join(exc.messages)}",
            details=[{"field": "password", "message": m} for m in exc.messages],
        ) from None


def _ensure_unique(
    *, email: str | None = None, username: str | None = None, exclude: User | None = None
) -> None:
    users = User.objects.exclude(pk=exclude.pk) if exclude else User.objects.all()
    if email and users.filter(email__iexact=email).exists():
        raise EmailExists()
    if username and users.filter(username__iexact=username).exists():
        raise UsernameExists()


def _username_from_email(email: str) -> str:
    """A free username from the e-mail's local part: `jane.doe`, else `jane.doe2`, ..."""
    base = re.sub(r"[^a-zA-Z0-9_.-]", "", email.split("@", 1)[0])[:24] or "user"
    base = base if len(base) >= 3 else f"{base}{secrets.randbelow(900) + 100}"
    candidate, suffix = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        suffix += 1
        candidate = f"{base}{suffix}"
    return candidate


def _save_new_user(user: User) -> User:
    """Insert a user; a race on e-mail or username becomes the documented 409."""
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        _ensure_unique(email=user.email, username=user.username)
        raise
    return user


def user_lock(*, user_id: str) -> User:
    """Lock a user's row for the transaction: their limit checks (projects, daily cost,
    jobs running at once) then run one at a time, so racing requests cannot both pass."""
    return User.objects.select_for_update().get(pk=user_id)


def apply_role(user: User, role: str) -> None:
    """The role decides admin-site access: moderators and admins are staff, admins superusers."""
    user.role = role
    user.is_staff = role in (Role.MODERATOR, Role.ADMIN)
    user.is_superuser = role == Role.ADMIN


def role_groups_sync(*, user: User) -> None:
    """Put a saved moderator in the Moderators group (its admin permissions), and take anyone
    else out of it; admins are superusers and need no group."""
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    if user.role == Role.MODERATOR:
        user.groups.add(group)
    else:
        user.groups.remove(group)


def apply_status(user: User, status: str) -> None:
    user.status = status
    user.is_active = status == AccountStatus.ACTIVE


def send_email(*, to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    """Send a templated e-mail through the worker once the transaction commits."""
    body = render_to_string(template, {**context, "base_url": settings.PUBLIC_BASE_URL})
    transaction.on_commit(lambda: send_email_task.delay(to=to, subject=subject, body=body))


# --- sign-up, sign-in, tokens ---------------------------------------------------------------


def _new_user(
    *,
    email: str,
    password: str,
    username: str | None,
    display_name: str,
    role: str = Role.USER,
    plan: str = Plan.FREE,
    status: str = AccountStatus.ACTIVE,
) -> User:
    """Validate and insert a user (e-mail and username free, password strong enough)."""
    email = email.strip().lower()
    _ensure_unique(email=email, username=username)
    user = User(
        email=email,
        username=username or _username_from_email(email),
        display_name=display_name,
        plan=plan,
    )
    apply_role(user, role)
    apply_status(user, status)
    _check_password(password, user)
    user.set_password(password)
    _save_new_user(user)
    if role == Role.MODERATOR:
        role_groups_sync(user=user)
    return user


def user_signup(
    *, email: str, password: str, username: str | None = None, display_name: str = ""
) -> User:
    """Create a free-plan user (the API then issues tokens, the browser opens a session)."""
    return _new_user(email=email, password=password, username=username, display_name=display_name)


def user_register(
    *, email: str, password: str, username: str | None = None, display_name: str = ""
) -> tuple[User, TokenPair]:
    """Create a free-plan user and sign them in."""
    with transaction.atomic():
        user = user_signup(
            email=email, password=password, username=username, display_name=display_name
        )
        return user, issue_token_pair(user)


def user_authenticate(*, request: HttpRequest, email: str, password: str) -> User:
    """The user these credentials belong to, or the error the API and the browser both give.

    django-axes counts failures and locks the account a while (429); a banned account is 403
    (told only to someone who knows its password); anything else is 401 INVALID_CREDENTIALS.
    """
    email = email.strip().lower()
    user = authenticate(request, username=email, password=password)
    if getattr(request, "axes_locked_out", False):
        cool_off = get_cool_off(request)
        wait = math.ceil(cool_off.total_seconds()) if cool_off else 900
        raise RateLimited(
            f"Too many failed sign-in attempts for this account; try again in "
            f"{math.ceil(wait / 60)} minutes",
            headers={"Retry-After": str(wait)},
        )
    if user is None:
        banned = User.objects.filter(email__iexact=email, status=AccountStatus.BANNED).first()
        # Only someone who knows the password learns that the account is banned.
        if banned is not None and banned.check_password(password):
            raise Forbidden(
                "This account has been banned", details={"accountStatus": AccountStatus.BANNED}
            )
        raise InvalidCredentials()
    return user


def user_signed_in(*, request: HttpRequest, user: User) -> None:
    """What every sign-in does, by token or by session: record it, and e-mail the owner if
    they asked to hear of each one."""
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    security = (user.settings or {}).get("security", {})
    if security.get("login_notifications"):
        send_email(
            to=user.email,
            subject="New sign-in to your account",
            template="emails/login_notification.txt",
            context={
                "user": user,
                "ip": request.META.get("REMOTE_ADDR", "unknown"),
                "agent": request.headers.get("User-Agent", "unknown"),
                "when": timezone.now(),
            },
        )


def user_login(*, request: HttpRequest, email: str, password: str) -> tuple[User, TokenPair]:
    """Check credentials (`user_authenticate`) and issue a token pair."""
    user = user_authenticate(request=request, email=email, password=password)
    with transaction.atomic():
        tokens = issue_token_pair(user)
        user_signed_in(request=request, user=user)
    return user, tokens


def token_refresh(*, refresh_token: str) -> tuple[User, TokenPair]:
    """Exchange a refresh token for a new pair; the used one stops working.

    The used token is blacklisted by inserting its row into a unique table, so of two
    refreshes racing with the same token exactly one wins.
    """
    try:
        refresh = RefreshToken(refresh_token)  # type: ignore[arg-type]  # simplejwt types it oddly
    except TokenError:
        raise Unauthorized("Invalid or expired refresh token") from None
    user = User.objects.filter(pk=refresh.get("sub"), is_active=True).first()
    if user is None or refresh.get("hash_password") != get_md5_hash_password(user.password):
        raise Unauthorized("Invalid or expired refresh token")
    with transaction.atomic():
        outstanding = OutstandingToken.objects.filter(jti=refresh["jti"]).first()
        if outstanding is None:
            raise Unauthorized("Invalid or expired refresh token")
        try:
            with transaction.atomic():
                BlacklistedToken.objects.create(token=outstanding)
        except IntegrityError:
            raise Unauthorized("Refresh token has already been used") from None
        return user, issue_token_pair(user)


def user_logout(*, access_token: AccessToken, refresh_token: str | None = None) -> None:
    """Revoke the access token and its refresh token (and one the client names)."""
    jtis = [access_token.get("rjti")]
    if refresh_token:
        try:
            refresh = RefreshToken(refresh_token, verify=False)  # type: ignore[arg-type]
        except TokenError:
            raise ValidationFailed.for_field("refreshToken", "Not a valid token.") from None
        if refresh.get("sub") != access_token.get("sub"):
            raise ValidationFailed.for_field("refreshToken", "Not one of your tokens.")
        jtis.append(refresh.get("jti"))
    with transaction.atomic():
        access_token.blacklist()
        for outstanding in OutstandingToken.objects.filter(jti__in=[j for j in jtis if j]):
            BlacklistedToken.objects.get_or_create(token=outstanding)


def user_revoke_tokens(*, user: User) -> int:
    """Blacklist every refresh token the user holds (a ban, a deletion)."""
    revoked = 0
    for outstanding in OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True):
        BlacklistedToken.objects.get_or_create(token=outstanding)
        revoked += 1
    return revoked


# --- passwords ------------------------------------------------------------------------------


def user_change_password(*, user: User, current_password: str, new_password: str) -> TokenPair:
    """Change the password; every earlier token stops working and a new pair is issued."""
    if not user.check_password(current_password):
        raise InvalidCredentials("Current password is incorrect")
    _check_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password", "updated_at"])
        user_revoke_tokens(user=user)
        return issue_token_pair(user)


def _reset_token(user: User) -> str:
    return (
        f"{urlsafe_base64_encode(force_bytes(user.pk))}.{default_token_generator.make_token(user)}"
    )


def password_reset_request(*, request: HttpRequest, email: str) -> None:
    """E-mail a reset link if the address has an active account; say nothing either way."""
    email = email.strip().lower()
    # A few mails an hour per address at most, so the endpoint cannot flood an inbox.
    if consume(request, group="password-reset", key=email, rate="5/h").limited:
        return
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    token = _reset_token(user)
    uidb64, raw = token.split(".", 1)
    send_email(
        to=user.email,
        subject="Reset your password",
        template="emails/password_reset.txt",
        context={
            "user": user,
            "token": token,
            "link": f"{settings.PUBLIC_BASE_URL}/accounts/reset/{uidb64}/{raw}/",
            "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        },
    )


def password_reset_confirm(*, token: str, new_password: str) -> None:
    """Set a new password with a reset token (single use: it dies with the old password)."""
    invalid = Unauthorized("Invalid or expired reset token")
    uidb64, _, raw = token.partition(".")
    try:
        user_id = force_str(urlsafe_base64_decode(uidb64))
    except (ValueError, UnicodeDecodeError):
        raise invalid from None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, raw):
        raise invalid
    _check_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password", "updated_at"])
        user_revoke_tokens(user=user)


# --- profile and settings -------------------------------------------------------------------


def user_update_profile(*, user: User, data: dict[str, Any]) -> User:
    """Update the caller's own profile (display name, username, bio, avatar, settings)."""
    if "username" in data and data["username"].lower() != user.username.lower():
        _ensure_unique(username=data["username"], exclude=user)
    for field in ("username", "display_name", "bio"):
        if field in data:
            setattr(user, field, data[field])
    if "avatar_url" in data:
        user.avatar_url = data["avatar_url"] or ""  # null clears it
    if "settings" in data:
        user.settings = merge_settings(user.settings or {}, data["settings"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise UsernameExists() from None
    return user


def user_update_settings(*, user: User, changes: dict[str, Any]) -> User:
    """Lay validated settings changes over the stored ones."""
    user.settings = merge_settings(user.settings or {}, changes)
    user.save(update_fields=["settings", "updated_at"])
    return user


# --- organizations --------------------------------------------------------------------------

DEFAULT_ORGANIZATION_SETTINGS = {"plan": Plan.FREE, "max_members": 10, "max_projects": 100}


def organization_create(
    *, creator: User, name: str, description: str = "", settings_: dict[str, Any] | None = None
) -> Organization:
    """Create an organization with its creator as its admin."""
    if Organization.objects.filter(created_by=creator, name__iexact=name).exists():
        raise Conflict("You already have an organization with this name")
    org_settings = {**DEFAULT_ORGANIZATION_SETTINGS, **(settings_ or {})}
    org_settings["plan"] = Plan.FREE  # a plan is bought, not declared
    try:
        with transaction.atomic():
            org = Organization.objects.create(
                name=name, description=description, settings=org_settings, created_by=creator
            )
            Membership.objects.create(organization=org, user=creator, role=OrganizationRole.ADMIN)
    except IntegrityError:
        raise Conflict("You already have an organization with this name") from None
    return org


def _require_org_admin(org: Organization, actor: User) -> None:
    if not Membership.objects.filter(
        organization=org, user=actor, role=OrganizationRole.ADMIN
    ).exists():
        raise Forbidden("Only the organization's admins can manage its members")


def organization_add_member(
    *, organization: Organization, actor: User, email: str, role: str
) -> Membership:
    """Add an existing user to the organization, within its member limit."""
    _require_org_admin(organization, actor)
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise NotFound("No active account has this e-mail address")
    with transaction.atomic():
        # Lock the organization so two additions cannot both pass the member limit.
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        limit = (locked.settings or {}).get(
            "max_members", DEFAULT_ORGANIZATION_SETTINGS["max_members"]
        )
        if locked.memberships.count() >= limit:
            raise Conflict(f"The organization already has its maximum of {limit} members")
        membership, created = Membership.objects.get_or_create(
            organization=locked, user=user, defaults={"role": role}
        )
        if not created:
            raise Conflict("This user is already a member")
    return membership


def organization_remove_member(*, organization: Organization, actor: User, user_id: str) -> None:
    """Remove a member (members may leave; admins may remove anyone but the last admin)."""
    if actor.pk != user_id:
        _require_org_admin(organization, actor)
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(organization=organization, user_id=user_id)
            .first()
        )
        if membership is None:
            raise NotFound("This user is not a member")
        admins = Membership.objects.filter(organization=organization, role=OrganizationRole.ADMIN)
        if membership.role == OrganizationRole.ADMIN and admins.count() == 1:
            raise Conflict("The organization's last admin cannot leave it")
        membership.delete()


# --- admin ----------------------------------------------------------------------------------


def admin_user_create(
    *,
    email: str,
    password: str,
    username: str | None = None,
    display_name: str = "",
    role: str = Role.USER,
    plan: str = Plan.FREE,
    status: str = AccountStatus.ACTIVE,
) -> User:
    """An admin creates an account with any role, plan and status."""
    return _new_user(
        email=email,
        password=password,
        username=username,
        display_name=display_name,
        role=role,
        plan=plan,
        status=status,
    )


def admin_user_update(*, user: User, actor: User, data: dict[str, Any]) -> User:
    """An admin changes a user's name, handle, e-mail, role, plan or status."""
    if user.pk == actor.pk and (
        data.get("role", Role.ADMIN) != Role.ADMIN
        or data.get("status", AccountStatus.ACTIVE) != AccountStatus.ACTIVE
    ):
        raise Conflict("You cannot remove your own admin role or disable your own account")
    _ensure_unique(email=data.get("email"), username=data.get("username"), exclude=user)
    for field in ("email", "username", "display_name", "plan"):
        if field in data:
            setattr(user, field, data[field].lower() if field == "email" else data[field])
    if "role" in data:
        apply_role(user, data["role"])
    if "password" in data:
        _check_password(data["password"], user)
        user.set_password(data["password"])
    with transaction.atomic():
        if "status" in data:
            apply_status(user, data["status"])
            if user.status != AccountStatus.ACTIVE:
                user_revoke_tokens(user=user)
        user.save()
        if "role" in data:
            role_groups_sync(user=user)
    return user


def admin_user_delete(*, user: User, actor: User) -> None:
    """Delete an account and everything it owns."""
    if user.pk == actor.pk:
        raise Conflict("You cannot delete your own account")
    user.delete()
