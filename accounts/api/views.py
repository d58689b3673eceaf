"""Account endpoints: every account operation of the five API documents, under /api/v1."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import selectors, services
from accounts.api import serializers as s
from accounts.models import User
from accounts.tokens import AccessToken, TokenPair
from accounts.user_settings import (
    UserSettingsResultSerializer,
    UserSettingsSerializer,
    effective_settings,
)
from config.api.errors import NotFound, Unauthorized
from config.api.requests import AuthenticatedRequest
from config.api.responses import ApiResponse
from config.api.schema import message_only


class IsPlatformAdmin(BasePermission):
    """Only users with role `admin`."""

    message = "Only administrators can do this"

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(
            request.user and request.user.is_authenticated and request.user.is_platform_admin
        )


def _auth_payload(user: User, tokens: TokenPair, request: Request) -> dict[str, Any]:
    return {"user": s.UserSerializer(user, context={"request": request}).data, **tokens.as_dict()}


# --- authentication -------------------------------------------------------------------------


class RegisterView(GenericAPIView):
    """POST /auth/signup and /auth/register: create an account and sign in."""

    schema_errors = (409,)

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = s.RegisterSerializer

    @extend_schema(
        summary="Create an account (also /auth/signup)",
        tags=["auth"],
        request=s.RegisterSerializer,
        responses={201: s.AuthResultSerializer},
    )
    def post(self, request: Request) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        user, tokens = services.user_register(
            email=fields["email"],
            password=fields["password"],
            username=fields.get("username"),
            display_name=fields.get("display_name", ""),
        )
        return ApiResponse(
            _auth_payload(user, tokens, request),
            status=status.HTTP_201_CREATED,
            message="Registration successful",
        )


LOGIN_ANSWER = PolymorphicProxySerializer(
    component_name="LoginResult",
    serializers=[s.AuthResultSerializer, s.TwoFactorChallengeSerializer],
    resource_type_field_name=None,
)


def _login_answer(outcome: services.LoginOutcome, request: Request) -> ApiResponse:
    if outcome.challenge is not None:
        return ApiResponse(
            {
                "two_factor_required": True,
                "challenge_token": outcome.challenge.token,
                "expires_at": outcome.challenge.expires_at,
                "methods": ["totp", "recovery_code"],
            },
            message="Enter the code from your authenticator app",
        )
    assert outcome.tokens is not None
    return ApiResponse(
        _auth_payload(outcome.user, outcome.tokens, request), message="Login successful"
    )


class LoginView(GenericAPIView):
    """POST /auth/login."""

    schema_errors = (401, 403)

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = s.LoginSerializer

    @extend_schema(
        operation_id="auth_login",
        summary="Sign in with e-mail (or username) and password",
        description=(
            "Answers the user and a token pair, or, for an account with two-factor sign-in, "
            "`twoFactorRequired: true` and a short-lived `challengeToken` (no tokens): send it "
            "with a code to POST /auth/login/verify."
        ),
        tags=["auth"],
        responses={200: LOGIN_ANSWER},
    )
    def post(self, request: Request) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.user_login(
            request=request._request,
            email=data.validated_data["email"],
            password=data.validated_data["password"],
        )
        return _login_answer(outcome, request)


class LoginVerifyView(GenericAPIView):
    """POST /auth/login/verify: the second step of a two-factor sign-in."""

    schema_errors = (401,)

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = s.LoginVerifySerializer

    @extend_schema(
        operation_id="auth_login_verify",
        summary="Complete a two-factor sign-in with a TOTP or recovery code",
        description=(
            "Answers as a sign-in does. A wrong code is 401 INVALID_CREDENTIALS and counts "
            "toward the account's lockout (429 RATE_LIMITED); an expired or forged challenge "
            "token is 401 UNAUTHORIZED."
        ),
        tags=["auth"],
        responses={200: s.AuthResultSerializer},
    )
    def post(self, request: Request) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = services.user_login_verify(
            request=request._request,
            challenge_token=data.validated_data["challenge_token"],
            code=data.validated_data["code"],
        )
        return _login_answer(outcome, request)


class RefreshView(GenericAPIView):
    """POST /auth/refresh: rotate the refresh token."""

    schema_errors = (401,)

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = s.RefreshSerializer

    @extend_schema(
        operation_id="auth_refresh",
        summary="Exchange a refresh token for a new token pair",
        tags=["auth"],
        responses={200: s.AuthResultSerializer},
    )
    def post(self, request: Request) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        user, tokens = services.token_refresh(refresh_token=data.validated_data["refresh_token"])
        return ApiResponse(
            _auth_payload(user, tokens, request), message="Token refreshed successfully"
        )


class LogoutView(GenericAPIView):
    """POST /auth/logout: revoke the access token and its refresh token."""

    serializer_class = s.LogoutSerializer

    @extend_schema(
        operation_id="auth_logout",
        summary="Sign out: the access token and its refresh token stop working",
        tags=["auth"],
        responses={200: message_only("LogoutResult")},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not isinstance(request.auth, AccessToken):
            raise Unauthorized()
        services.user_logout(
            access_token=request.auth, refresh_token=data.validated_data.get("refresh_token")
        )
        return ApiResponse({"message": "Logged out successfully"}, message="Logout successful")


class PasswordChangeView(GenericAPIView):
    """PUT /auth/password."""

    serializer_class = s.PasswordChangeSerializer

    @extend_schema(
        operation_id="auth_password_change",
        summary="Change the password; other sessions are signed out, a new token pair is returned",
        tags=["auth"],
        responses={200: s.AuthResultSerializer},
    )
    def put(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        tokens = services.user_change_password(
            user=request.user,
            current_password=data.validated_data["current_password"],
            new_password=data.validated_data["new_password"],
        )
        return ApiResponse(
            _auth_payload(request.user, tokens, request), message="Password changed successfully"
        )


class ForgotPasswordView(GenericAPIView):
    """POST /auth/forgot-password: the same answer whether or not the address is registered."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = s.ForgotPasswordSerializer
    message = "If an account exists for this address, a password reset link has been sent"

    @extend_schema(
        operation_id="auth_forgot_password",
        summary="E-mail a single-use password reset link (valid one hour)",
        tags=["auth"],
        responses={200: message_only("ForgotPasswordResult")},
    )
    def post(self, request: Request) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_request(
            request=request._request, email=data.validated_data["email"]
        )
        return ApiResponse({"message": self.message}, message=self.message)


class ResetPasswordView(GenericAPIView):
    """POST /auth/reset-password."""

    schema_errors = (401,)

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = s.ResetPasswordSerializer

    @extend_schema(
        operation_id="auth_reset_password",
        summary="Set a new password with the e-mailed reset token",
        tags=["auth"],
        responses={200: message_only("ResetPasswordResult")},
    )
    def post(self, request: Request) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_confirm(
            token=data.validated_data["token"], new_password=data.validated_data["new_password"]
        )
        message = "Password reset successful"
        return ApiResponse({"message": message}, message=message)


# --- the caller's own account ---------------------------------------------------------------


class MeView(GenericAPIView):
    """GET /auth/me, GET/PUT /users/profile, GET/PATCH /users/me: the caller's account."""

    schema_errors = (409,)

    serializer_class = s.ProfileUpdateSerializer

    @extend_schema(
        summary="The signed-in user",
        tags=["users"],
        responses={200: s.UserSerializer},
    )
    def get(self, request: AuthenticatedRequest) -> ApiResponse:
        return ApiResponse(s.UserSerializer(request.user, context={"request": request}).data)

    @extend_schema(
        summary="Update the signed-in user's profile (partial updates allowed)",
        tags=["users"],
        responses={200: s.UserSerializer},
    )
    def put(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.user_update_profile(user=request.user, data=data.validated_data)
        return ApiResponse(
            s.UserSerializer(user, context={"request": request}).data,
            message="Profile updated successfully",
        )

    @extend_schema(
        summary="Update the signed-in user's profile",
        tags=["users"],
        responses={200: s.UserSerializer},
    )
    def patch(self, request: AuthenticatedRequest) -> ApiResponse:
        return self.put(request)


class SettingsView(GenericAPIView):
    """GET/PUT /users/settings: StoryCore's nested settings, validated section by section."""

    serializer_class = UserSettingsSerializer

    @extend_schema(
        operation_id="settings_get",
        summary="The signed-in user's settings",
        tags=["users"],
        responses={200: UserSettingsResultSerializer},
    )
    def get(self, request: AuthenticatedRequest) -> ApiResponse:
        return ApiResponse(effective_settings(request.user.settings))

    @extend_schema(
        operation_id="settings_update",
        summary="Update settings (sections and keys left out stay as they are)",
        description=(
            "`security.twoFactorAuth: true` turns two-factor sign-in on and answers, this once, "
            "`security.twoFactorSetup` (secret, otpauth URI, QR code, ten recovery codes). "
            "Turning it off needs `currentPassword`."
        ),
        tags=["users"],
        responses={200: UserSettingsResultSerializer},
    )
    def put(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        current_password = changes.pop("current_password", None)
        user, setup = services.user_update_settings(
            user=request.user, changes=changes, current_password=current_password
        )
        shown = effective_settings(user.settings)
        if setup is not None:
            shown["security"]["two_factor_setup"] = setup.as_dict()
        return ApiResponse(shown, message="Settings updated successfully")

    @extend_schema(
        operation_id="settings_partial_update",
        summary="Update settings",
        tags=["users"],
        responses={200: UserSettingsResultSerializer},
    )
    def patch(self, request: AuthenticatedRequest) -> ApiResponse:
        return self.put(request)


class PublicProfileView(GenericAPIView):
    """GET /users/:id: a user's public profile and StoryForge stats."""

    permission_classes = [AllowAny]
    serializer_class = s.PublicProfileSerializer

    @extend_schema(operation_id="users_get", summary="A user's public profile", tags=["users"])
    def get(self, request: Request, user_id: str) -> ApiResponse:
        user = selectors.user_public_get(user_id=user_id, viewer=request.user)
        if user is None:
            raise NotFound("User not found")
        return ApiResponse(self.get_serializer(user).data)


# --- organizations ---------------------------------------------------------------------------


class OrganizationListView(GenericAPIView):
    """GET/POST /users/organizations."""

    schema_errors = (409,)

    serializer_class = s.OrganizationSerializer

    def get_queryset(self):
        return selectors.organization_list_for(user=cast(User, self.request.user))

    def get_serializer_class(self):
        return (
            s.OrganizationCreateSerializer
            if self.request.method == "POST"
            else s.OrganizationSerializer
        )

    @extend_schema(
        operation_id="organizations_list",
        summary="The caller's organizations",
        tags=["organizations"],
        responses={200: s.OrganizationSerializer(many=True)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        context = {"project_counts": selectors.organization_project_counts(page or [])}
        return self.get_paginated_response(
            s.OrganizationSerializer(page, many=True, context=context).data
        )

    @extend_schema(
        operation_id="organizations_create",
        summary="Create an organization; its creator becomes its admin",
        tags=["organizations"],
        responses={201: s.OrganizationDetailSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = services.organization_create(
            creator=request.user,
            name=data.validated_data["name"],
            description=data.validated_data.get("description", ""),
            settings_=data.validated_data.get("settings"),
        )
        created = selectors.organization_get_for(user=request.user, org_id=org.pk)
        return ApiResponse(
            s.OrganizationDetailSerializer(created).data,
            status=status.HTTP_201_CREATED,
            message="Organization created successfully",
        )


class OrganizationDetailView(GenericAPIView):
    """GET /users/organizations/:id, with its members."""

    serializer_class = s.OrganizationDetailSerializer

    @extend_schema(
        operation_id="organizations_get",
        summary="An organization and its members",
        tags=["organizations"],
    )
    def get(self, request: AuthenticatedRequest, org_id: str) -> ApiResponse:
        org = selectors.organization_get_for(user=request.user, org_id=org_id)
        if org is None:
            raise NotFound("Organization not found")
        context = {"project_counts": selectors.organization_project_counts([org])}
        return ApiResponse(s.OrganizationDetailSerializer(org, context=context).data)


class OrganizationMembersView(GenericAPIView):
    """POST /users/organizations/:id/members: an admin adds a user by e-mail."""

    schema_errors = (403, 409)

    serializer_class = s.MemberAddSerializer

    @extend_schema(
        operation_id="organizations_members_add",
        summary="Add a member",
        tags=["organizations"],
        responses={201: s.MembershipSerializer},
    )
    def post(self, request: AuthenticatedRequest, org_id: str) -> ApiResponse:
        org = selectors.organization_get_for(user=request.user, org_id=org_id)
        if org is None:
            raise NotFound("Organization not found")
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.organization_add_member(
            organization=org, actor=request.user, **data.validated_data
        )
        return ApiResponse(
            s.MembershipSerializer(membership).data,
            status=status.HTTP_201_CREATED,
            message="Member added",
        )


class OrganizationMemberView(GenericAPIView):
    """DELETE /users/organizations/:id/members/:userId."""

    schema_errors = (403, 409)

    serializer_class = s.MembershipSerializer

    @extend_schema(
        operation_id="organizations_members_remove",
        summary="Remove a member (or leave)",
        tags=["organizations"],
        responses={200: message_only("MemberRemoved")},
    )
    def delete(self, request: AuthenticatedRequest, org_id: str, user_id: str) -> ApiResponse:
        org = selectors.organization_get_for(user=request.user, org_id=org_id)
        if org is None:
            raise NotFound("Organization not found")
        services.organization_remove_member(organization=org, actor=request.user, user_id=user_id)
        return ApiResponse({"message": "Member removed"}, message="Member removed")


# --- admin ----------------------------------------------------------------------------------


class AdminUserListView(GenericAPIView):
    """GET/POST /admin/users (admins only)."""

    schema_errors = (409,)

    permission_classes = [IsAuthenticated, IsPlatformAdmin]
    serializer_class = s.AdminUserSerializer
    queryset = User.objects.all()

    def get_serializer_class(self):
        return (
            s.AdminUserCreateSerializer if self.request.method == "POST" else s.AdminUserSerializer
        )

    @extend_schema(
        operation_id="admin_users_list",
        summary="All users",
        tags=["admin"],
        responses={200: s.AdminUserSerializer(many=True)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.AdminUserSerializer(page, many=True).data)

    @extend_schema(
        operation_id="admin_users_create",
        summary="Create a user with any role and plan",
        tags=["admin"],
        responses={201: s.AdminUserSerializer},
    )
    def post(self, request: AuthenticatedRequest) -> ApiResponse:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.admin_user_create(**data.validated_data)
        return ApiResponse(
            s.AdminUserSerializer(user).data,
            status=status.HTTP_201_CREATED,
            message="User created successfully",
        )


class AdminUserDetailView(GenericAPIView):
    """GET/PUT/DELETE /admin/users/:id (admins only)."""

    schema_errors = (409,)

    permission_classes = [IsAuthenticated, IsPlatformAdmin]
    serializer_class = s.AdminUserUpdateSerializer

    def _user(self, user_id: str) -> User:
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise NotFound("User not found")
        return user

    @extend_schema(
        operation_id="admin_users_get",
        summary="One user",
        tags=["admin"],
        responses={200: s.AdminUserSerializer},
    )
    def get(self, request: AuthenticatedRequest, user_id: str) -> ApiResponse:
        return ApiResponse(s.AdminUserSerializer(self._user(user_id)).data)

    @extend_schema(
        operation_id="admin_users_update",
        summary="Change a user's name, role, plan or status (partial)",
        tags=["admin"],
        responses={200: s.AdminUserSerializer},
    )
    def put(self, request: AuthenticatedRequest, user_id: str) -> ApiResponse:
        user = self._user(user_id)
        data = self.get_serializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = services.admin_user_update(user=user, actor=request.user, data=data.validated_data)
        return ApiResponse(s.AdminUserSerializer(user).data, message="User updated successfully")

    @extend_schema(
        operation_id="admin_users_partial_update",
        summary="Change a user (partial)",
        tags=["admin"],
        responses={200: s.AdminUserSerializer},
    )
    def patch(self, request: AuthenticatedRequest, user_id: str) -> ApiResponse:
        return self.put(request, user_id)

    @extend_schema(
        operation_id="admin_users_delete",
        summary="Delete a user",
        tags=["admin"],
        responses={200: OpenApiResponse(message_only("UserDeleted"))},
    )
    def delete(self, request: AuthenticatedRequest, user_id: str) -> ApiResponse:
        services.admin_user_delete(user=self._user(user_id), actor=request.user)
        return ApiResponse(
            {"message": "User deleted successfully"}, message="User deleted successfully"
        )
