"""Login sessions (refresh-token families): issue, rotate with reuse detection, revoke.

Revoking a session also voids the email changes it asked for
(apps.users.account.services.email_change_voids): a change cannot outlive the login that requested it.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TypeAlias

from django.db import transaction
from django.http import HttpRequest
from rest_framework_simplejwt.exceptions import TokenError

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.common import clock
from apps.common.client_ip import client_ip, user_agent
from apps.common.exceptions import AuthenticationFailed, NotFound
from apps.users.account.services.email_change_voids import email_changes_void, email_changes_void_for_sessions
from apps.users.auth.revocation import sessions_mark_revoked
from apps.users.auth.services.security_notices import security_notice_send
from apps.users.auth.tokens import SESSION_CLAIM, SessionRefreshToken, blacklist_sessions_tokens
from apps.users.models import LoginSession, User

INVALID_REFRESH = "Refresh token is invalid or expired."

# A login session's id: the UUID, or its text as the tokens' `sid` claim carries it.
SessionId: TypeAlias = uuid.UUID | str


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    session_id: uuid.UUID


@dataclass(frozen=True)
class LoginResult:
    """How a first factor ended: tokens, or (with MFA on) a challenge to answer at /auth/mfa/verify/.

    Here, below both login.py and mfa.py, because both finish logins: mfa.py must not import login.py.
    """

    user: User
    tokens: TokenPair | None = None
    mfa_token: str | None = None


def user_can_log_in(user: User) -> bool:
    return user.is_active and user.email_verified


def _expiry(now: datetime) -> datetime:
    """Until when a session may be refreshed, counted on the domain clock from its last refresh (or login).

    The refresh token's own `exp` (the same lifetime, on the wall clock, checked by simplejwt) bounds it too;
    the session row decides, so a test that moves the clock past it sees the session end.
    """
    return now + SessionRefreshToken.lifetime


def session_start(*, user: User, request: HttpRequest | None, method: str = "password") -> TokenPair:
    """Open a login session and return its first token pair. Call inside the login's transaction."""
    session_id = uuid.uuid4()
    now = clock.now()
    refresh = SessionRefreshToken.for_session(user=user, session_id=session_id)
    LoginSession.objects.create(
        id=session_id,
        user=user,
        current_jti=refresh.jti,
        created_at=now,
        last_used_at=now,
        expires_at=_expiry(now),
        ip_address=client_ip(request) if request else None,
        user_agent=user_agent(request) if request else "",
        method=method,
        reauthenticated_at=now,  # the login is this session's first proof of identity
    )
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh), session_id=session_id)


def _decode(raw: str) -> SessionRefreshToken:
    try:
        token = SessionRefreshToken(raw)  # type: ignore[arg-type]  # simplejwt types the encoded text as Token
        uuid.UUID(str(token.payload[SESSION_CLAIM]))
    except (TokenError, KeyError, ValueError, TypeError) as exc:
        raise AuthenticationFailed(INVALID_REFRESH, code="token_not_valid") from exc
    return token


def session_refresh(*, refresh: str, request: HttpRequest | None) -> TokenPair:
    """Rotate a refresh token. Presenting a rotated-out token revokes its whole family (theft signal); a
    session past its expiry (on the domain clock) is refused like an unknown one.

    The rotation is one conditional UPDATE on the session's current jti, so two concurrent refreshes of the
    same token cannot both succeed: the loser sees a stale jti and is treated as reuse.
    """
    old = _decode(refresh)
    session_id = old.payload[SESSION_CLAIM]
    now = clock.now()
    with transaction.atomic():
        session = LoginSession.objects.select_related("user").filter(id=session_id).first()
        if (
            session is None
            or session.revoked_at is not None
            or session.expires_at <= now
            or not session.user.is_active
        ):
            raise AuthenticationFailed(INVALID_REFRESH, code="token_not_valid")
        new = SessionRefreshToken.for_session(user=session.user, session_id=session_id)
        rotated = LoginSession.objects.filter(
            id=session_id, current_jti=old.jti, revoked_at__isnull=True
        ).update(current_jti=new.jti, last_used_at=now, expires_at=_expiry(now))
        if rotated:  # the old token is dead now: it no longer matches current_jti
            return TokenPair(access=str(new.access_token), refresh=str(new), session_id=session.id)

    # Committed before the 401 is raised, so the revocation sticks.
    with transaction.atomic():
        if session_revoke(session=session, reason="reuse", request=request):
            log_action(
                user=session.user,
                action_type=AuditAction.TOKEN_REUSE,
                request=request,
                description="Rotated-out refresh token presented again; session revoked",
                object_type="LoginSession",
                object_id=session.id,
            )
            security_notice_send(user=session.user, kind="token_reuse")
    raise AuthenticationFailed(INVALID_REFRESH, code="token_not_valid")


@transaction.atomic
def session_revoke(*, session: LoginSession, reason: str, request: HttpRequest | None = None) -> bool:
    """Revoke one session, which kills every token it issued (its access tokens too, once this commits), and
    blacklist its current one. Returns False if it was already revoked."""
    revoked = LoginSession.objects.filter(id=session.id, revoked_at__isnull=True).update(
        revoked_at=clock.now(), revoked_reason=reason
    )
    if revoked:
        blacklist_sessions_tokens(LoginSession.objects.filter(id=session.id))
        transaction.on_commit(partial(sessions_mark_revoked, [session.id]))
        email_changes_void_for_sessions(session_ids=[session.id], reason=reason)
    return bool(revoked)


def session_logout(*, refresh: str, request: HttpRequest | None) -> None:
    token = _decode(refresh)
    with transaction.atomic():
        session = LoginSession.objects.select_related("user").filter(id=token.payload[SESSION_CLAIM]).first()
        if session is None or session.revoked_at is not None or session.current_jti != token.jti:
            raise AuthenticationFailed(INVALID_REFRESH, code="token_not_valid")
        session_revoke(session=session, reason="logout", request=request)
        log_action(
            user=session.user,
            action_type=AuditAction.LOGOUT,
            request=request,
            object_type="LoginSession",
            object_id=session.id,
        )


def sessions_revoke_all(*, user: User, reason: str, except_session_id: SessionId | None = None) -> int:
    """Revoke every active session of a user (optionally keeping one), their access tokens too once this
    commits. Returns how many were revoked."""
    active = LoginSession.objects.filter(user=user, revoked_at__isnull=True)
    if except_session_id:
        active = active.exclude(id=except_session_id)
    ids = list(active.values_list("id", flat=True))
    count = LoginSession.objects.filter(id__in=ids, revoked_at__isnull=True).update(
        revoked_at=clock.now(), revoked_reason=reason
    )
    blacklist_sessions_tokens(LoginSession.objects.filter(id__in=ids))
    if ids:
        transaction.on_commit(partial(sessions_mark_revoked, ids))
    email_changes_void_for_sessions(session_ids=ids, reason=reason)
    return count


def session_revoke_own(*, user: User, session_id: SessionId, request: HttpRequest | None) -> None:
    """Sign out one of the user's own active sessions (404 for anyone else's, or an already revoked one)."""
    with transaction.atomic():
        session = LoginSession.objects.filter(id=session_id, user=user, revoked_at__isnull=True).first()
        if session is not None and session_revoke(session=session, reason="user_revoked", request=request):
            log_action(
                user=user,
                action_type=AuditAction.SESSION_REVOKED,
                request=request,
                description="Session signed out by its user",
                object_type="LoginSession",
                object_id=session.id,
            )
            return
    raise NotFound("No such active session.")


@transaction.atomic
def sessions_revoke_others(
    *, user: User, current_session_id: SessionId | None, request: HttpRequest | None
) -> int:
    """Sign out every other session; every pending email change of the account is void too, whoever asked."""
    count = sessions_revoke_all(user=user, reason="user_revoked_others", except_session_id=current_session_id)
    email_changes_void(user=user, reason="user_revoked_others")
    if count:
        log_action(
            user=user,
            action_type=AuditAction.SESSION_REVOKED,
            request=request,
            description="Every other session signed out by the user",
            metadata={"sessions_revoked": count},
        )
    return count


@transaction.atomic
def sessions_revoke_by_staff(
    *, staff: User, session_ids: Iterable[SessionId], request: HttpRequest | None
) -> int:
    """An operator signs sessions out from the admin. They end as any revocation does (their access tokens
    with them, once this commits; the email changes they asked for void), with one audit row each naming the
    operator. Rows are never deleted: a deleted row would leave its access tokens alive until they expire."""
    sessions = LoginSession.objects.filter(id__in=list(session_ids), revoked_at__isnull=True).order_by("id")
    revoked = 0
    for session in sessions:
        if session_revoke(session=session, reason="staff_revoked", request=request):
            revoked += 1
            log_action(
                user=staff,
                action_type=AuditAction.SESSION_REVOKED,
                request=request,
                description="Session signed out by staff in the admin",
                object_type="LoginSession",
                object_id=session.id,
                metadata={"user_id": session.user_id},
            )
    return revoked
