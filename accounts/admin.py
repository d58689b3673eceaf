"""Users and organizations in the Django admin."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from accounts import services, two_factor
from accounts.models import AccountStatus, Membership, Organization, User


class PlatformUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = ("email", "username")


class PlatformUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = "__all__"


class TwoFactorAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in asks for the second factor of an account that has one.

    The admin is a browser sign-in beside the API's: without this, a password alone would open
    the admin of a staff account whose API sign-in needs a code. A wrong or missing code is a
    failed sign-in for django-axes, as in the API.
    """

    otp_code = forms.CharField(
        label="Authentication code",
        required=False,
        max_length=32,
        help_text="Only if two-factor sign-in is on: the app's 6-digit code or a recovery code.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and two_factor.is_enabled(user):
            code = cleaned.get("otp_code") or ""
            if not code or not two_factor.verify_code(user=user, code=code):
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": user.email},
                    request=self.request,
                )
                self.user_cache = None
                raise ValidationError(
                    "This account signs in with two factors: enter a valid authentication code.",
                    code="invalid_otp",
                )
        return cleaned


admin.site.login_form = TwoFactorAdminAuthenticationForm
admin.site.login_template = "accounts/admin_login.html"  # travels with the app


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PlatformUserChangeForm
    add_form = PlatformUserCreationForm
    list_display = [
        "username",
        "email",
        "display_name",
        "role",
        "plan",
        "status",
        "date_joined",
        "last_login",
    ]
    list_filter = ["role", "plan", "status", "is_staff", "date_joined"]
    search_fields = ["username", "email", "display_name", "id"]
    ordering = ["-date_joined"]
    readonly_fields = ["id", "date_joined", "last_login", "updated_at", "is_staff", "is_superuser"]
    fieldsets = (
        (None, {"fields": ("id", "email", "username", "password")}),
        ("Profile", {"fields": ("display_name", "bio", "avatar_url", "settings")}),
        (
            "Role and plan",
            {
                "fields": (
                    "role",
                    "plan",
                    "status",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Dates", {"fields": ("date_joined", "last_login", "updated_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "username", "password1", "password2")}),
    )
    actions = ["suspend_users", "reactivate_users", "reset_two_factor"]

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        # Role and status decide admin access and sign-in: keep the flags in step with them.
        services.apply_role(obj, obj.role)
        services.apply_status(obj, obj.status)
        super().save_model(request, obj, form, change)
        if obj.status != AccountStatus.ACTIVE:
            services.user_revoke_tokens(user=obj)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # After the form's groups are saved: the role decides the Moderators membership.
        services.role_groups_sync(user=form.instance)

    @admin.action(description="Suspend the selected users (sign-in blocked, tokens revoked)")
    def suspend_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset.exclude(pk=request.user.pk):
            services.admin_user_update(
                user=user, actor=cast(User, request.user), data={"status": AccountStatus.SUSPENDED}
            )
            count += 1
        self.message_user(request, f"Suspended {count} users.", messages.SUCCESS)

    @admin.action(description="Reactivate the selected users")
    def reactivate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.admin_user_update(
                user=user, actor=cast(User, request.user), data={"status": AccountStatus.ACTIVE}
            )
        self.message_user(request, f"Reactivated {queryset.count()} users.", messages.SUCCESS)

    @admin.action(description="Reset two-factor sign-in of the selected users (a lost phone)")
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users = list(queryset.filter(two_factor_device__isnull=False))
        for user in users:
            services.user_two_factor_reset(user=user)
        self.message_user(
            request,
            f"Two-factor sign-in turned off for {len(users)} users; they sign in with their "
            "password and may turn it on again.",
            messages.SUCCESS,
        )


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "created_by", "member_count", "created_at"]
    search_fields = ["name", "id", "created_by__username", "created_by__email"]
    list_filter = ["created_at"]
    readonly_fields = ["id", "created_at", "updated_at"]
    autocomplete_fields = ["created_by"]
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return (
            super()
            .get_queryset(request)
            .select_related("created_by")
            .annotate(_member_count=Count("memberships"))
        )

    @admin.display(description="Members", ordering="_member_count")
    def member_count(self, org: Organization) -> int:
        return org._member_count  # type: ignore[attr-defined]
