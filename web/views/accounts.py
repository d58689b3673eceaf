"""Sign up, sign in (in steps, so that a second factor slots in), sign out, password reset by
e-mail, profile and settings: the accounts services the API calls, with a session instead of
tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.models import User
from config.api.errors import ApiError
from web.forms import (
    NewPasswordForm,
    PasswordResetRequestForm,
    ProfileForm,
    SettingsForm,
    SignInForm,
    SignUpForm,
    add_api_error,
)

SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request: HttpRequest) -> str:
    """Where to go after signing in: the `next` the page was sent with, if it is ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("web:home")


def _open_session(request: HttpRequest, user: User) -> None:
    """The last step of every sign-in: the session, and what each sign-in does (last login,
    the owner's sign-in notification)."""
    login(request, user, backend=SESSION_BACKEND)
    account_services.user_signed_in(request=request, user=user)


def _credentials_checked(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """After the password: a user with a second factor is asked for it here (a challenge
    step between the password and the session, which the accounts' 2FA adds); everyone else
    is signed in."""
    _open_session(request, user)
    return redirect(next_url)


def sign_in(request: HttpRequest) -> HttpResponse:
    """Step one of signing in: e-mail and password (accounts.services.user_authenticate, the
    API's check: lockout after repeated failures, banned accounts refused)."""
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_services.user_authenticate(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
        except ApiError as exc:
            form.add_error(None, exc.message)
        else:
            return _credentials_checked(request, user, _next_url(request))
    return render(
        request,
        "web/signin.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


def sign_up(request: HttpRequest) -> HttpResponse:
    """Create an account (accounts.services.user_signup) and sign in."""
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = account_services.user_signup(
                email=data["email"],
                password=data["password"],
                username=data["username"],
                display_name=data["display_name"],
            )
        except ApiError as exc:
            add_api_error(form, exc)
        else:
            _open_session(request, user)
            messages.success(request, f"Welcome, {user.name}! Your account is ready.")
            return redirect(_next_url(request))
    return render(
        request,
        "web/signup.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("web:home")


def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link (the same service as POST /auth/forgot-password: the answer is
    the same whether or not the address has an account)."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_services.password_reset_request(request=request, email=form.cleaned_data["email"])
        return redirect("password_reset_done")
    return render(request, "web/password_reset.html", {"form": form})


def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "web/password_reset_done.html")


def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The e-mailed link: choose a new password (POST /auth/reset-password's service)."""
    form = NewPasswordForm(request.POST or None)
    invalid = False
    if request.method == "POST" and form.is_valid():
        try:
            account_services.password_reset_confirm(
                token=f"{uidb64}.{token}", new_password=form.cleaned_data["new_password"]
            )
        except ApiError as exc:
            if exc.status_code == 401:
                invalid = True
            else:
                add_api_error(form, exc)
        else:
            return redirect("password_reset_complete")
    return render(
        request,
        "web/password_reset_confirm.html",
        {"form": form, "invalid": invalid},
        status=400 if (form.errors or invalid) else 200,
    )


def password_reset_complete(request: HttpRequest) -> HttpResponse:
    return render(request, "web/password_reset_complete.html")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in user's profile (PATCH /users/me's service) and settings."""
    user: User = request.user  # type: ignore[assignment]
    profile_form = ProfileForm(
        request.POST if request.POST.get("form") == "profile" else None,
        initial={"display_name": user.display_name, "bio": user.bio, "avatar_url": user.avatar_url},
    )
    security = (user.settings or {}).get("security", {})
    settings_form = SettingsForm(
        request.POST if request.POST.get("form") == "settings" else None,
        initial={"login_notifications": bool(security.get("login_notifications"))},
    )
    if request.method == "POST":
        if profile_form.is_bound and profile_form.is_valid():
            try:
                account_services.user_update_profile(user=user, data=profile_form.cleaned_data)
            except ApiError as exc:
                add_api_error(profile_form, exc)
            else:
                messages.success(request, "Your profile was saved.")
                return redirect("web:profile")
        elif settings_form.is_bound and settings_form.is_valid():
            account_services.user_update_settings(
                user=user,
                changes={
                    "security": {
                        "login_notifications": settings_form.cleaned_data["login_notifications"]
                    }
                },
            )
            messages.success(request, "Your settings were saved.")
            return redirect("web:profile")
    context: dict[str, Any] = {
        "profile_form": profile_form,
        "settings_form": settings_form,
        "stats": [
            (name.replace("_", " ").capitalize(), value)
            for name, value in account_selectors.user_stats(user=user).items()
        ],
    }
    return render(request, "web/profile.html", context)
