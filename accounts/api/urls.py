from __future__ import annotations

from accounts.api import views
from config.api.routes import route

urlpatterns = [
    route("auth/signup", views.RegisterView.as_view(), "auth-signup"),
    route("auth/register", views.RegisterView.as_view(), "auth-register"),
    route("auth/login", views.LoginView.as_view(), "auth-login"),
    route("auth/login/verify", views.LoginVerifyView.as_view(), "auth-login-verify"),
    route("auth/logout", views.LogoutView.as_view(), "auth-logout"),
    route("auth/refresh", views.RefreshView.as_view(), "auth-refresh"),
    route("auth/me", views.MeView.as_view(), "auth-me"),
    route("auth/password", views.PasswordChangeView.as_view(), "auth-password"),
    route("auth/forgot-password", views.ForgotPasswordView.as_view(), "auth-forgot-password"),
    route("auth/reset-password", views.ResetPasswordView.as_view(), "auth-reset-password"),
    route("users/profile", views.MeView.as_view(), "users-profile"),
    route("users/me", views.MeView.as_view(), "users-me"),
    route("users/settings", views.SettingsView.as_view(), "users-settings"),
    route("users/organizations", views.OrganizationListView.as_view(), "organizations"),
    route("users/organizations/<org_id>", views.OrganizationDetailView.as_view(), "organization"),
    route(
        "users/organizations/<org_id>/members",
        views.OrganizationMembersView.as_view(),
        "organization-members",
    ),
    route(
        "users/organizations/<org_id>/members/<user_id>",
        views.OrganizationMemberView.as_view(),
        "organization-member",
    ),
    route("users/<user_id>", views.PublicProfileView.as_view(), "user-profile"),
    route("admin/users", views.AdminUserListView.as_view(), "admin-users"),
    route("admin/users/<user_id>", views.AdminUserDetailView.as_view(), "admin-user"),
]
