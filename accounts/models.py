"""Users, their roles and plans, and organizations."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower

from accounts.choices import AccountStatus, OrganizationRole, Role
from accounts.plans import Plan, PlanLimits, limits_for
from config.api.ids import PublicIdField

# The Django group whose permissions make a moderator's admin (set up by the moderation app);
# users with the moderator role are its members (`accounts.services.role_groups_sync`).
MODERATORS_GROUP = "Moderators"


class UserManager(DjangoUserManager["User"]):
    """Users sign in with their e-mail address; the username is their public handle."""

    use_in_migrations = True

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        username = extra.pop("username", None) or email.split("@", 1)[0]
        user = self.model(
            email=self.normalize_email(email).lower(),
            username=self.model.normalize_username(username),
            **extra,
        )
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person using the platform: an author, a moderator or an admin."""

    id = PublicIdField(prefix="usr")
    email = models.EmailField("e-mail address", max_length=254, unique=True)
    display_name = models.CharField(max_length=100, blank=True)
    bio = models.TextField(max_length=500, blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.USER)
    plan = models.CharField(max_length=16, choices=Plan.choices, default=Plan.FREE)
    status = models.CharField(
        max_length=16, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    settings = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        ordering = ["-date_joined"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def name(self) -> str:
        """The name to show: the display name, else the username."""
        return self.display_name or self.username

    @property
    def limits(self) -> PlanLimits:
        return limits_for(self.plan)

    @property
    def is_moderator(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_platform_admin(self) -> bool:
        return self.role == Role.ADMIN


class Organization(models.Model):
    """A team whose members share projects; its creator is its first admin."""

    id = PublicIdField(prefix="org")
    name = models.CharField(max_length=100)
    description = models.TextField(max_length=2000, blank=True)
    settings = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="created_organizations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "created_by", Lower("name"), name="accounts_org_name_per_creator_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in an organization, with the role the organization gives them."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        max_length=16, choices=OrganizationRole.choices, default=OrganizationRole.MEMBER
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="accounts_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"


class TwoFactorDevice(models.Model):
    """A user's TOTP secret (RFC 6238); its presence means two-factor sign-in is on.

    `last_step` is the time step of the last code accepted: a code is good once, so one seen
    over a shoulder or replayed from a log cannot open a second session.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor_device")
    secret = models.CharField(max_length=64)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"TOTP of {self.user}"


class RecoveryCode(models.Model):
    """A single-use code that stands in for a TOTP code; only its SHA-256 hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "code_hash"], name="accounts_recovery_lookup")]

    def __str__(self) -> str:
        return f"Recovery code of {self.user}" + (" (used)" if self.used_at else "")
