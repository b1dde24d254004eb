from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.common.currencies import DEFAULT_CURRENCY
from apps.common.models import BaseModel
from apps.common.validation import validate_currency, validate_time_zone


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


# Roles an invitation can carry; owners are made by promotion, never by invitation.
INVITE_ROLE_CHOICES = [(r.value, r.label) for r in (Role.ADMIN, Role.MEMBER, Role.VIEWER)]

ROLE_RANK: dict[str, int] = {Role.VIEWER: 1, Role.MEMBER: 2, Role.ADMIN: 3, Role.OWNER: 4}
# Who may create and change bills, goals, contributions and reports.
WRITE_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})
# Who may invite, remove members and change roles (admins only below their own rank).
MANAGE_ROLES = frozenset({Role.OWNER, Role.ADMIN})


class Household(BaseModel):
    name = models.CharField(max_length=150)
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA time zone; 'today' for reminders and reports is the date here.",
    )
    currency = models.CharField(
        max_length=3,
        default=DEFAULT_CURRENCY,
        validators=[validate_currency],
        help_text="ISO 4217 code used when a bill or goal does not name its own.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "household"
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Membership(BaseModel):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        db_table = "household_membership"
        ordering = ["household_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["household", "user"], name="membership_one_per_user"),
        ]

    def __str__(self):
        return f"{self.user_id} in {self.household_id} as {self.role}"


class HouseholdInvite(BaseModel):
    """An emailed invitation. Only a keyed hash of its token is stored; the token lives in the email."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "household_invite"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invite_one_open_per_email",
            ),
        ]

    def __str__(self):
        return f"invite {self.email} to {self.household_id} as {self.role}"


class HouseholdItem(BaseModel):
    """What a household keeps and its members write (a bill, a goal): a name, a currency, notes and who
    created it; each declares its own `household` (its reverse name is the household's `bills`, `goals`).
    Writes go through apps.households.services.items."""

    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    notes = models.TextField(blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True
