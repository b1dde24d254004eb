"""Self-service registration: an inactive, unverified user and a verification email, in one transaction."""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common import clock
from apps.common.exceptions import InvalidInput
from apps.emails.services import email_send
from apps.users.account.services.verification import verification_issue
from apps.users.models import User, normalize_email

DUPLICATE_EMAIL = "A user with this email already exists."


@dataclass(frozen=True)
class RegistrationResult:
    email: str
    user: User | None  # None: the address was taken and ACCOUNT_PREVENT_ENUMERATION hid it


def user_register(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    request: HttpRequest | None = None,
) -> RegistrationResult:
    """Register a new account, or handle a taken address (400, or a silent notice to its owner).

    There is no "does it exist?" read first: the insert itself decides, against the case-insensitive unique
    constraint, so two simultaneous registrations of one address cannot both succeed, and a taken address
    costs the same password hashing as a free one.
    """
    email = normalize_email(email)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                is_active=False,
                email_verified=False,
            )
            verification_issue(user=user)
            log_action(
                user=user,
                action_type=AuditAction.CREATE,
                request=request,
                description="User registered",
                object_type="User",
                object_id=user.pk,
            )
            return RegistrationResult(email=user.email, user=user)
    except IntegrityError:
        existing = User.objects.filter(email=email).first()
        if existing is None:  # some other constraint failed: not ours to explain
            raise
    return _registration_duplicate(existing=existing, request=request)


def _registration_duplicate(*, existing: User, request: HttpRequest | None) -> RegistrationResult:
    hide = settings.ACCOUNT_PREVENT_ENUMERATION
    with transaction.atomic():  # committed before the 400 below, which would roll back the request
        log_action(
            user=existing,
            action_type=AuditAction.REGISTRATION_DUPLICATE,
            request=request,
            description="Registration attempted with an existing email",
            object_type="User",
            object_id=existing.pk,
        )
        if hide:
            email_send(
                to=existing.email,
                template="account_exists",
                context={"name": existing.first_name or existing.email},
                # at most one such notice per account per hour, however many attempts
                dedupe_key=f"account_exists:{existing.pk}:{clock.now():%Y%m%d%H}",
            )
    if not hide:
        raise InvalidInput({"email": DUPLICATE_EMAIL}, code="unique")
    return RegistrationResult(email=existing.email, user=None)
