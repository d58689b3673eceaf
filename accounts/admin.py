"""Users and organizations in the Django admin."""

from __future__ import annotations

from typing import cast

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from accounts import services
from accounts.models import AccountStatus, Membership, Organization, User


class PlatformUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = ("email", "username")


class PlatformUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = "__all__"


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
    actions = ["suspend_users", "reactivate_users"]

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
