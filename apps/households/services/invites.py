"""Invitations by email: the token travels only in the email (encrypted in the outbox until sent); the
database keeps its keyed hash. An invite is single use, expires, and binds to the invited address."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common import clock
from apps.common.exceptions import ApplicationError, Conflict, Forbidden, NotFound
from apps.common.links import frontend_link
from apps.emails.services import email_send
from apps.households.models import Household, HouseholdInvite, Membership
from apps.households.selectors import membership_get
from apps.households.services.members import can_invite, require_allowed
from apps.households.tokens import invite_token_hash, invite_token_new
from apps.users.models import User, normalize_email

INVITER_NOT_ALLOWED = (
    "Whoever sent this invitation can no longer invite with that role; ask the household for a new one."
)


def _lock_household(household_id: int) -> None:
    list(Household.objects.select_for_update().filter(id=household_id).values_list("id", flat=True))


def _display_name(user: User) -> str:
    return (f"{user.first_name} {user.last_name}".strip() or user.email)[:200]


@transaction.atomic
def invite_create(
    *, actor: User, household_id: int, email: str, role: str, request: HttpRequest | None = None
) -> HouseholdInvite:
    """Invite an address. A newer invite to the same address replaces the open one.

    Invitations to one household are serialized on its row: two at once to one address would otherwise both
    revoke nothing and both insert, and the one-open-invitation constraint would answer the second with a
    500. Locked, each revokes its predecessor and all succeed.
    """
    membership = membership_get(user=actor, household_id=household_id, manage=True)
    _lock_household(household_id)
    require_allowed(
        membership.role, role, message="You cannot invite someone with that role.", invitation=True
    )
    email = normalize_email(email)
    if Membership.objects.filter(household_id=household_id, user__email=email).exists():
        raise Conflict("That person is already a member of this household.", code="already_member")

    now = clock.now()
    HouseholdInvite.objects.filter(
        household_id=household_id, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now, updated_at=now)
    token = invite_token_new()
    ttl = timedelta(days=settings.HOUSEHOLD_INVITE_TTL_DAYS)
    invite = HouseholdInvite.objects.create(
        household_id=household_id,
        email=email,
        role=role,
        token_hash=invite_token_hash(token),
        invited_by=actor,
        expires_at=now + ttl,
    )
    email_send(
        to=email,
        template="household_invite",
        context={
            "household_name": membership.household.name,
            "inviter_name": _display_name(actor),
            "role": role,
            "expires_days": settings.HOUSEHOLD_INVITE_TTL_DAYS,
        },
        secret_context={"invite_url": frontend_link("accept_invite", token=token)},
    )
    log_action(
        user=actor,
        action_type=AuditAction.MEMBER_INVITED,
        description=f"Invited as {role}",
        request=request,
        object_type="household",
        object_id=household_id,
        metadata={"invite_id": invite.id, "email": email, "role": role},
    )
    return invite


@transaction.atomic
def invite_revoke(
    *, actor: User, household_id: int, invite_id: int, request: HttpRequest | None = None
) -> None:
    """Revoke an open invitation; an admin only one whose role they could grant (not an admin invitation)."""
    role = membership_get(user=actor, household_id=household_id, manage=True).role
    open_invite = HouseholdInvite.objects.filter(
        id=invite_id, household_id=household_id, accepted_at__isnull=True, revoked_at__isnull=True
    )
    invite_role = open_invite.values_list("role", flat=True).first()
    if invite_role is None:
        raise NotFound("Invitation not found.")
    require_allowed(
        role, invite_role, message="Admins can only revoke member and viewer invitations.", invitation=True
    )
    now = clock.now()
    if not open_invite.update(revoked_at=now, updated_at=now):
        raise NotFound("Invitation not found.")
    log_action(
        user=actor,
        action_type=AuditAction.INVITE_REVOKED,
        description="Invitation revoked",
        request=request,
        object_type="household",
        object_id=household_id,
        metadata={"invite_id": invite_id},
    )


@transaction.atomic
def invite_accept(*, user: User, token: str, request: HttpRequest | None = None) -> Membership:
    """Join as the invitation says, if its sender may still invite with that role.

    The household row is locked first, before the invitation, as role changes and removals lock it: two
    invitations accepted at once give one membership and one 409, and accepting while the inviter is being
    removed serialises with it, both taking their locks in one order (no deadlock).
    """
    by_token = HouseholdInvite.objects.filter(token_hash=invite_token_hash(token))
    household_id = by_token.values_list("household_id", flat=True).first()
    if household_id is not None:
        _lock_household(household_id)
    invite = by_token.select_for_update().select_related("household").first()
    if invite is None or invite.revoked_at is not None:
        raise NotFound("Invitation not found.", code="invite_not_found")
    if invite.accepted_at is not None:
        raise Conflict("This invitation has already been used.", code="invite_used")
    now = clock.now()
    if invite.expires_at <= now:
        raise ApplicationError("This invitation has expired.", code="invite_expired", status_code=410)
    if normalize_email(user.email) != invite.email:
        raise Forbidden(
            "This invitation was sent to a different email address.", code="invite_email_mismatch"
        )
    if Membership.objects.filter(household_id=invite.household_id, user_id=user.pk).exists():
        raise Conflict("You are already a member of this household.", code="already_member")
    inviter_role = (
        None
        if invite.invited_by_id is None
        else Membership.objects.filter(household_id=invite.household_id, user_id=invite.invited_by_id)
        .values_list("role", flat=True)
        .first()
    )
    if invite.invited_by_id is None or not can_invite(inviter_role, invite.role):
        # removed, left, demoted or deleted since: whoever vouched for this invitation no longer may
        raise Forbidden(INVITER_NOT_ALLOWED, code="inviter_not_allowed")

    membership = Membership.objects.create(household=invite.household, user=user, role=invite.role)
    HouseholdInvite.objects.filter(id=invite.id, accepted_at__isnull=True).update(
        accepted_at=now, accepted_by=user, updated_at=now
    )
    log_action(
        user=user,
        action_type=AuditAction.INVITE_ACCEPTED,
        description=f"Joined household as {invite.role}",
        request=request,
        object_type="household",
        object_id=invite.household_id,
        metadata={"invite_id": invite.id},
    )
    return membership


def invite_purge_stale(*, older_than: timedelta = timedelta(days=30)) -> int:
    cutoff = clock.now() - older_than
    deleted, _ = HouseholdInvite.objects.filter(
        Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff) | Q(accepted_at__lt=cutoff)
    ).delete()
    return deleted
