"""Request and response shapes of the account endpoints."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import selectors
from accounts.models import AccountStatus, Membership, Organization, OrganizationRole, Role, User
from accounts.plans import Plan, normalize_plan
from accounts.user_settings import UserSettingsSerializer, effective_settings
from config.api.fields import (
    BlankAsNullCharField,
    StrictCharField,
    StrictChoiceField,
    StrictEmailField,
    StrictIntegerField,
    StrictRegexField,
    StrictURLField,
)
from config.api.serializers import StrictSerializer

USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{3,30}$"
USERNAME_HELP = "3 to 30 letters, digits, '_', '.' or '-'."


def username_field(**kwargs: Any) -> serializers.Field:
    return StrictRegexField(
        USERNAME_PATTERN,
        max_length=30,
        help_text=USERNAME_HELP,
        error_messages={"invalid": f"Must be {USERNAME_HELP}"},
        **kwargs,
    )


def password_field(**kwargs: Any) -> serializers.Field:
    return StrictCharField(
        max_length=128,
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        **kwargs,
    )


class PlanField(StrictChoiceField):
    """A plan word: `free`, `pro` (or `premium`), `enterprise`, in any case."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Plan.choices, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, str):
            data = normalize_plan(data)
        return super().to_internal_value(data)


# --- output --------------------------------------------------------------------------------


class UserSummarySerializer(serializers.ModelSerializer):
    """A user as others see them inside other objects."""

    avatar_url = BlankAsNullCharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "avatar_url"]


class PublicProfileSerializer(serializers.ModelSerializer):
    """A user's public profile with StoryForge's stats."""

    name = serializers.CharField(read_only=True)
    avatar_url = BlankAsNullCharField(read_only=True)
    created_at = serializers.DateTimeField(source="date_joined", read_only=True)
    stats = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "name",
            "avatar_url",
            "bio",
            "role",
            "created_at",
            "stats",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                k: {"type": "integer"}
                for k in ("scenesCreated", "segmentsContributed", "ideasSubmitted", "totalLikes")
            },
        }
    )
    def get_stats(self, user: User) -> dict[str, int]:
        return selectors.user_stats(user=user)


class UsageSerializer(serializers.Serializer):
    storage_used = serializers.IntegerField()
    storage_limit = serializers.IntegerField()
    projects_created = serializers.IntegerField()
    jobs_completed = serializers.IntegerField()


class UserSerializer(PublicProfileSerializer):
    """The caller's own account, in the shape every document's client reads."""

    subscription_tier = serializers.CharField(source="plan", read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    settings = serializers.SerializerMethodField()
    usage = serializers.SerializerMethodField()
    storage_used = serializers.SerializerMethodField()
    storage_limit = serializers.SerializerMethodField()
    last_login_at = serializers.DateTimeField(source="last_login", read_only=True)

    class Meta(PublicProfileSerializer.Meta):
        fields = [
            "id",
            "email",
            "username",
            "display_name",
            "name",
            "avatar_url",
            "bio",
            "role",
            "plan",
            "subscription_tier",
            "status",
            "is_active",
            "settings",
            "usage",
            "storage_used",
            "storage_limit",
            "stats",
            "created_at",
            "updated_at",
            "last_login_at",
        ]

    def _usage(self, user: User) -> dict[str, Any]:
        cache = self.context.setdefault("_usage", {})
        if user.pk not in cache:
            cache[user.pk] = selectors.user_usage(user=user)
        return cache[user.pk]

    @extend_schema_field(UserSettingsSerializer)
    def get_settings(self, user: User) -> dict[str, Any]:
        return effective_settings(user.settings)

    @extend_schema_field(UsageSerializer)
    def get_usage(self, user: User) -> dict[str, Any]:
        return self._usage(user)

    def get_storage_used(self, user: User) -> int:
        return self._usage(user)["storage_used"]

    def get_storage_limit(self, user: User) -> int:
        return self._usage(user)["storage_limit"]


class AdminUserSerializer(serializers.ModelSerializer):
    """A user as the admin API shows them."""

    name = serializers.CharField(read_only=True)
    subscription_tier = serializers.CharField(source="plan", read_only=True)
    created_at = serializers.DateTimeField(source="date_joined", read_only=True)
    last_login_at = serializers.DateTimeField(source="last_login", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "username",
            "display_name",
            "name",
            "role",
            "plan",
            "subscription_tier",
            "status",
            "is_active",
            "created_at",
            "updated_at",
            "last_login_at",
        ]


class AuthResultSerializer(serializers.Serializer):
    """What sign-up, sign-in and refresh return: the user and a token pair."""

    user = UserSerializer(required=False)
    token = serializers.CharField(help_text="The access token (also `accessToken`).")
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    token_type = serializers.CharField()
    expires_at = serializers.DateTimeField()


class OrganizationSerializer(serializers.ModelSerializer):
    role = serializers.CharField(source="my_role", read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    project_count = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "description",
            "settings",
            "role",
            "member_count",
            "project_count",
            "created_at",
            "updated_at",
        ]

    def get_project_count(self, org: Organization) -> int:
        return self.context.get("project_counts", {}).get(org.pk, 0)


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer()

    class Meta:
        model = Membership
        fields = ["user", "role", "joined_at"]


class OrganizationDetailSerializer(OrganizationSerializer):
    members = serializers.SerializerMethodField()

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "members"]

    @extend_schema_field(MembershipSerializer(many=True))
    def get_members(self, org: Organization) -> Any:
        return MembershipSerializer(
            selectors.organization_members(organization=org), many=True
        ).data


# --- input ---------------------------------------------------------------------------------


class RegisterSerializer(StrictSerializer):
    email = StrictEmailField(max_length=254)
    password = password_field()
    username = username_field(required=False)
    display_name = StrictCharField(max_length=100, required=False, allow_blank=True)
    field_aliases = {"name": "display_name"}
    plan = PlanField(
        required=False,
        help_text="Accepted for compatibility; every account starts on the free plan.",
    )


class LoginSerializer(StrictSerializer):
    email = StrictCharField(max_length=254, help_text="The e-mail address (or the username).")
    password = password_field()
    field_aliases = {"username": "email"}


class TwoFactorChallengeSerializer(serializers.Serializer):
    """A right password for an account with two-factor sign-in: no tokens yet, a challenge."""

    two_factor_required = serializers.BooleanField(help_text="Always true here.")
    challenge_token = serializers.CharField(
        help_text="Send it with a code to POST /auth/login/verify before `expiresAt`."
    )
    expires_at = serializers.DateTimeField()
    methods = serializers.ListField(
        child=serializers.ChoiceField(choices=["totp", "recovery_code"]),
        help_text="What `code` may be: a TOTP code of the authenticator app, or a recovery code.",
    )


class LoginVerifySerializer(StrictSerializer):
    challenge_token = StrictCharField(max_length=1000)
    code = StrictCharField(
        max_length=32, help_text="The 6-digit code of the authenticator app, or a recovery code."
    )


class RefreshSerializer(StrictSerializer):
    refresh_token = StrictCharField(max_length=2000)
    field_aliases = {"refresh": "refresh_token"}


class LogoutSerializer(StrictSerializer):
    refresh_token = StrictCharField(max_length=2000, required=False)


class PasswordChangeSerializer(StrictSerializer):
    current_password = password_field()
    new_password = password_field()


class ForgotPasswordSerializer(StrictSerializer):
    email = StrictEmailField(max_length=254)


class ResetPasswordSerializer(StrictSerializer):
    token = StrictCharField(max_length=500)
    new_password = password_field()
    field_aliases = {"password": "new_password"}


class ProfileUpdateSerializer(StrictSerializer):
    """What a user may change of their own profile; role, plan and counters are ignored."""

    username = username_field(required=False)
    display_name = StrictCharField(max_length=100, required=False, allow_blank=True)
    field_aliases = {"name": "display_name"}
    bio = StrictCharField(max_length=500, required=False, allow_blank=True)
    avatar_url = StrictURLField(max_length=500, required=False, allow_blank=True, allow_null=True)
    settings = UserSettingsSerializer(required=False)
    # Read-only fields a client may send back unchanged; never applied.
    ignored = (
        "id",
        "email",
        "role",
        "plan",
        "subscription_tier",
        "status",
        "is_active",
        "usage",
        "storage_used",
        "storage_limit",
        "stats",
        "created_at",
        "updated_at",
        "last_login_at",
    )


class OrganizationSettingsSerializer(StrictSerializer):
    plan = StrictCharField(
        max_length=32, required=False, help_text="Ignored: organizations start on the free plan."
    )
    max_members = StrictIntegerField(min_value=1, max_value=10_000, required=False)
    max_projects = StrictIntegerField(min_value=1, max_value=100_000, required=False)


class OrganizationCreateSerializer(StrictSerializer):
    name = StrictCharField(max_length=100)
    description = StrictCharField(max_length=2000, required=False, allow_blank=True)
    settings = OrganizationSettingsSerializer(required=False)


class MemberAddSerializer(StrictSerializer):
    email = StrictEmailField(max_length=254)
    role = StrictChoiceField(choices=OrganizationRole.choices, default=OrganizationRole.MEMBER)


class AdminUserCreateSerializer(StrictSerializer):
    email = StrictEmailField(max_length=254)
    password = password_field()
    username = username_field(required=False)
    display_name = StrictCharField(max_length=100, required=False, allow_blank=True)
    field_aliases = {"name": "display_name"}
    role = StrictChoiceField(choices=Role.choices, default=Role.USER)
    plan = PlanField(default=Plan.FREE)
    status = StrictChoiceField(choices=AccountStatus.choices, default=AccountStatus.ACTIVE)


class AdminUserUpdateSerializer(StrictSerializer):
    email = StrictEmailField(max_length=254, required=False)
    password = password_field(required=False)
    username = username_field(required=False)
    display_name = StrictCharField(max_length=100, required=False, allow_blank=True)
    field_aliases = {"name": "display_name"}
    role = StrictChoiceField(choices=Role.choices, required=False)
    plan = PlanField(required=False)
    status = StrictChoiceField(choices=AccountStatus.choices, required=False)
