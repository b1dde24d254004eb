"""Reads, and the household scoping every other app uses: non-members see nothing (404, never 403)."""

from typing import Any, TypeVar, cast

from django.db.models import Model, OuterRef, QuerySet, Subquery

from apps.common import clock
from apps.common.exceptions import Forbidden, NotFound
from apps.households.models import MANAGE_ROLES, WRITE_ROLES, HouseholdInvite, Membership
from apps.users.models import User

M = TypeVar("M", bound=Model)

READ_ONLY_MESSAGE = "Your role in this household is read-only."


def membership_get(*, user: User, household_id: int, manage: bool = False) -> Membership:
    """The user's membership of the household (household loaded), or 404 for non-members and unknown ids.

    With manage=True a member who is not an owner or admin gets 403 `not_manager`.
    """
    membership = (
        Membership.objects.select_related("household")
        .filter(user_id=user.pk, household_id=household_id)
        .first()
    )
    if membership is None:
        raise NotFound("Household not found.")
    if manage:
        require_manage(membership.role)
    return membership


def membership_exists(*, household_id: int, user_id: int) -> bool:
    return Membership.objects.filter(household_id=household_id, user_id=user_id).exists()


def require_write(role: str) -> None:
    if role not in WRITE_ROLES:
        raise Forbidden(READ_ONLY_MESSAGE, code="read_only")


def require_manage(role: str) -> None:
    if role not in MANAGE_ROLES:
        raise Forbidden("Only owners and admins can manage this household.", code="not_manager")


def member_household_ids(*, user: User) -> QuerySet[Membership, Any]:
    return Membership.objects.filter(user_id=user.pk).values("household_id")


def scoped(queryset: QuerySet[M], *, user: User, household_id: int | None = None) -> QuerySet[M]:
    """Rows of `queryset` (a model with a `household` FK) in households the user belongs to."""
    queryset = queryset.filter(household_id__in=member_household_ids(user=user))
    if household_id is not None:
        queryset = queryset.filter(household_id=household_id)
    return queryset


def scoped_get(queryset: QuerySet[M], *, user: User, pk: object, write: bool = False) -> M:
    """One household-scoped row, with `my_role` set; 404 when it is not in one of the user's households.

    With write=True a read-only member gets 403: membership is established, so existence is no secret.
    """
    role = Membership.objects.filter(household_id=OuterRef("household_id"), user_id=user.pk).values("role")[
        :1
    ]
    obj = queryset.filter(pk=pk).annotate(my_role=Subquery(role)).filter(my_role__isnull=False).first()
    if obj is None:
        raise NotFound(f"{str(queryset.model._meta.verbose_name).capitalize()} not found.")
    if write:
        require_write(obj.my_role)
    return cast(M, obj)  # the annotated row is Any to the Django plugin


def household_list_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user_id=user.pk)
        .select_related("household")
        .order_by("household__name", "id")
    )


def member_list(*, user: User, household_id: int) -> QuerySet[Membership]:
    membership_get(user=user, household_id=household_id)
    return (
        Membership.objects.filter(household_id=household_id)
        .select_related("user")
        .order_by("created_at", "id")
    )


def invite_list(*, user: User, household_id: int) -> QuerySet[HouseholdInvite]:
    membership_get(user=user, household_id=household_id, manage=True)
    return HouseholdInvite.objects.filter(
        household_id=household_id,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=clock.now(),
    ).select_related("invited_by")


def household_member_user_ids(*, household_id: int) -> list[int]:
    return list(Membership.objects.filter(household_id=household_id).values_list("user_id", flat=True))
