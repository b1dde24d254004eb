"""The email outbox: write a row in the caller's transaction, deliver it after commit, at most once."""

import functools
import logging
import random
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast, overload

from billiard.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Field, Q
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

from apps.common import clock
from apps.common.enqueue import enqueue_on_commit, publish
from apps.common.links import frontend_link
from apps.common.sql import Columns, fetch_one
from apps.emails import connection as email_connection
from apps.emails.crypto import decrypt_json, encrypt_json
from apps.emails.models import EmailOutbox, EmailStatus
from apps.emails.registry import PREPARERS, SUBJECTS

logger = logging.getLogger(__name__)

DELIVER_EMAIL = "apps.emails.tasks.deliver_email"


@overload
def email_send(
    *,
    to: str,
    template: str,
    context: dict[str, Any] | None = None,
    secret_context: dict[str, Any] | None = None,
    dedupe_key: None = None,
) -> EmailOutbox: ...
@overload
def email_send(
    *,
    to: str,
    template: str,
    context: dict[str, Any] | None = None,
    secret_context: dict[str, Any] | None = None,
    dedupe_key: str | None,
) -> EmailOutbox | None: ...
def email_send(
    *,
    to: str,
    template: str,
    context: dict[str, Any] | None = None,
    secret_context: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> EmailOutbox | None:
    """Queue an email. Call inside the transaction of the write it belongs to.

    Put codes, tokens and links that contain them in `secret_context`: they are encrypted at rest and wiped
    after sending. With `dedupe_key`, a second call with the same key queues nothing and returns None.
    """
    if template not in SUBJECTS:
        raise ValueError(f"Unknown email template {template!r}; add it to apps.emails.registry.SUBJECTS")
    row = EmailOutbox(
        to=to,
        template=template,
        context=context or {},
        secret_context=encrypt_json(secret_context) if secret_context else None,
        dedupe_key=dedupe_key,
        next_attempt_at=clock.now(),
    )
    if dedupe_key:
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            return None
    else:
        row.save()
    enqueue_on_commit(DELIVER_EMAIL, (row.id,))
    return row


@dataclass(frozen=True)
class PreparedEmail:
    """What a preparer (apps.emails.registry.PREPARERS) makes of a request: the email to send."""

    to: str
    context: dict[str, Any]
    secret_context: dict[str, Any] | None = None


def email_request(*, to: str, template: str, preparer: str, origin: dict[str, Any]) -> EmailOutbox:
    """Queue a request for an email that the worker writes: one INSERT and one publish, whoever `to` is.

    For flows that must not tell whether an address has an account (login code, password reset, resend of the
    verification): the web request does no lookup. In the worker, `preparer` looks the address up, makes the
    codes and its own rows, and returns the email, or None to send nothing (the row is then `dropped`).
    `origin` (client IP, user agent: no secrets) is handed to the preparer for its audit rows.
    """
    if template not in SUBJECTS:
        raise ValueError(f"Unknown email template {template!r}; add it to apps.emails.registry.SUBJECTS")
    if preparer not in PREPARERS:
        raise ValueError(f"Unknown email preparer {preparer!r}; add it to apps.emails.registry.PREPARERS")
    row = EmailOutbox(to=to, template=template, context=origin, prepare=preparer, next_attempt_at=clock.now())
    row.save()
    enqueue_on_commit(DELIVER_EMAIL, (row.id,))
    return row


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str  # "sent", "skipped", "dropped", "retry", "failed"
    retry_in: float | None = None


def _stale_before(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.EMAIL_OUTBOX_STALE_SECONDS)


@functools.cache
def _claim_statement() -> tuple[str, Columns]:
    """One UPDATE that takes a row and returns it (PostgreSQL and SQLite >= 3.35 both have RETURNING).

    Through the ORM a claim was an UPDATE and then a SELECT of the row, and building those two statements
    cost the worker more CPU than running them (docs/PERFORMANCE.md, round 4); the returned row becomes the
    instance without a RawQuerySet either (round 6).
    """
    quote = connection.ops.quote_name
    columns = Columns(EmailOutbox, quote(EmailOutbox._meta.db_table))
    sql = (
        f"UPDATE {quote(EmailOutbox._meta.db_table)}"  # noqa: S608 — names from the model, values as parameters
        " SET status = %s, claimed_at = %s, attempts = attempts + 1, updated_at = %s"
        " WHERE id = %s AND attempts < %s AND (status = %s OR (status = %s AND claimed_at < %s))"
        f" RETURNING {columns.names}"
    )
    return sql, columns


def _claim(outbox_id: int) -> EmailOutbox | None:
    """Take the row for one delivery attempt with a single conditional UPDATE, which returns it; None if
    someone else has it.

    Claimable: pending, or "sending" for longer than a live attempt can take (its worker died). A row that
    already used every attempt is never claimed again (the sweeper marks it failed).
    """
    now = clock.now()
    params = [
        EmailStatus.SENDING,
        now,
        now,
        outbox_id,
        settings.EMAIL_OUTBOX_MAX_ATTEMPTS,
        EmailStatus.PENDING,
        EmailStatus.SENDING,
        _stale_before(now),
    ]
    sql, columns = _claim_statement()
    row = fetch_one(sql, params)
    return None if row is None else cast(EmailOutbox, columns.take(row, 0))


def render_email(row: EmailOutbox) -> EmailMultiAlternatives:
    context = {
        **row.context,
        "frontend_url": settings.FRONTEND_URL,
        "login_url": frontend_link("login"),
        "reset_password_page_url": frontend_link("reset_password"),
        "subject": SUBJECTS[row.template],
    }
    if row.secret_context:
        context.update(decrypt_json(row.secret_context))
    text = render_to_string(f"emails/{row.template}.txt", context)
    html = render_to_string(f"emails/{row.template}.html", context)
    message = EmailMultiAlternatives(
        subject=SUBJECTS[row.template], body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[row.to]
    )
    message.attach_alternative(html, "text/html")
    message.extra_headers["X-KinWise-Outbox-Id"] = str(row.id)
    return message


def backoff_seconds(attempt: int) -> float:
    """Delay before retry number `attempt`: exponential, with "equal jitter".

    The cap doubles per attempt (BASE, 2*BASE, 4*BASE, ... at most MAX) and the delay is drawn from its upper
    half, so retries spread out (no thundering herd after an SMTP outage) yet never bunch up at zero.
    """
    base, ceiling = settings.EMAIL_OUTBOX_RETRY_BASE_SECONDS, settings.EMAIL_OUTBOX_RETRY_MAX_SECONDS
    cap = min(ceiling, base * 2 ** (attempt - 1))
    return random.uniform(cap / 2, cap)  # noqa: S311 — jitter, not security


# Status codes of an HTTP email API worth retrying: timeouts, rate limits, server trouble, and the
# authentication answers (a configuration problem an operator can fix while the retries run, as for SMTP).
_TRANSIENT_HTTP = frozenset({401, 403, 408, 409, 425, 429})


def _is_transient_anymail(exc: BaseException) -> bool | None:
    """Anymail's answer (django-anymail, the HTTP email APIs), or None when `exc` is not one of its errors.

    Its API error is an OSError (requests.HTTPError): the SMTP rule would retry a permanent 4xx eight times.
    """
    try:
        # optional dependency (the anymail group): absent, no error can be one of its own
        from anymail.exceptions import AnymailError, AnymailRecipientsRefused
    except ImportError:  # the optional anymail group is not installed
        return None
    if not isinstance(exc, AnymailError):
        return None
    if isinstance(exc, AnymailRecipientsRefused):
        return False
    status = exc.status_code
    if status is None:  # no answer at all: a connection error or a timeout
        return isinstance(exc, OSError)
    return status >= 500 or status in _TRANSIENT_HTTP


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: network and server trouble, 4xx SMTP answers, our own time limit; for an HTTP email
    API (anymail), 5xx, 429, timeouts and authentication errors.

    Permanent: a 5xx SMTP refusal of the recipient(s) or of the message itself, an HTTP API's other 4xx (the
    request itself is wrong, every retry would be too) or refusal of every recipient, and anything that is
    not an I/O error (a template or decryption error fails the same way every time). SMTP authentication and
    sender errors are configuration problems that an operator can fix while the retries run: transient.
    """
    anymail = _is_transient_anymail(exc)
    if anymail is not None:
        return anymail
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(not 500 <= code < 600 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPDataError):
        return not 500 <= exc.smtp_code < 600
    # smtplib.SMTPException is an OSError; OperationalError: the database failed a preparer (a lost
    # connection, a deadlock), which the next attempt may not meet
    return isinstance(exc, OSError | SoftTimeLimitExceeded | OperationalError)


def email_deliver(*, outbox_id: int) -> DeliveryOutcome:
    """Send one row if nobody else has. Safe to call any number of times, concurrently."""
    row = _claim(outbox_id)
    if row is None:
        return DeliveryOutcome("skipped")
    if row.prepare:
        try:
            prepared = _prepare(row)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row, retried or final
            return _record_failure(row, exc)
        if prepared is None:
            return DeliveryOutcome("dropped")
        row = prepared
    try:
        email_connection.send(render_email(row))  # over the session this worker keeps open
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row, retried or final
        return _record_failure(row, exc)
    # The window for a duplicate is between the SMTP server accepting the message and this UPDATE.
    _mark_sent(row.id)
    logger.info("Email %s sent (template %s, attempt %s)", row.id, row.template, row.attempts)
    return DeliveryOutcome("sent")


def _mark_sent(outbox_id: int) -> None:
    """The completion write, its secrets wiped. Plain SQL for the reason given at _claim_statement()."""
    now = connection.ops.adapt_datetimefield_value(clock.now())
    table = connection.ops.quote_name(EmailOutbox._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, secret_context = NULL, last_error = '',"  # noqa: S608
            " updated_at = %s WHERE id = %s",
            [EmailStatus.SENT, now, now, outbox_id],
        )


class _PreparedElsewhere(Exception):
    pass


def _prepare(row: EmailOutbox) -> EmailOutbox | None:
    """Turn a request row into its email with its preparer, or drop it: one transaction for the preparer's
    writes (its code row, its audit row) and the row's new content, so a code exists exactly when its email
    is on its way, and a retry after an SMTP failure sends the same email again.

    The closing UPDATE is conditional on the row still being a request: if a stale claim let two workers
    prepare one row, one preparation commits and the other rolls back and goes on with what the first wrote.
    """
    now = clock.now()
    try:
        with transaction.atomic():
            email = import_string(PREPARERS[row.prepare])(to=row.to, origin=row.context)
            changes: dict[str, Any]
            if email is None:
                changes = {"status": EmailStatus.DROPPED, "context": {}}
            else:
                secret = encrypt_json(email.secret_context) if email.secret_context else None
                changes = {"to": email.to, "context": email.context, "secret_context": secret}
            if not _finish_request(row, changes={"prepare": "", "updated_at": now, **changes}):
                raise _PreparedElsewhere
    except _PreparedElsewhere:
        row = EmailOutbox.objects.get(id=row.id)
        return row if row.status == EmailStatus.SENDING else None  # dropped or already sent by the other
    if email is None:
        logger.info("Email %s dropped: nothing to send for this request (template %s)", row.id, row.template)
        return None
    row.to, row.context, row.secret_context, row.prepare = email.to, email.context, secret, ""
    return row


def _finish_request(row: EmailOutbox, *, changes: dict[str, Any]) -> bool:
    """UPDATE the row with `changes` if it is still the request `row` was; plain SQL for the reason given at
    _claim_statement() (values adapted by their model fields, as QuerySet.update would)."""
    quote = connection.ops.quote_name
    fields = [cast("Field[Any, Any]", EmailOutbox._meta.get_field(name)) for name in changes]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    values = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, changes.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(EmailOutbox._meta.db_table)} SET {assignments}"  # noqa: S608 — names from the model
            " WHERE id = %s AND prepare = %s",
            [*values, row.id, row.prepare],
        )
        return bool(cursor.rowcount == 1)


def _record_failure(row: EmailOutbox, exc: Exception) -> DeliveryOutcome:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    now = clock.now()
    if not is_transient(exc) or row.attempts >= settings.EMAIL_OUTBOX_MAX_ATTEMPTS:
        EmailOutbox.objects.filter(id=row.id).update(
            status=EmailStatus.FAILED, last_error=error, secret_context=None, updated_at=now
        )
        logger.error("Email %s failed for good after %s attempts: %s", row.id, row.attempts, error)
        return DeliveryOutcome("failed")
    delay = backoff_seconds(row.attempts)
    EmailOutbox.objects.filter(id=row.id).update(
        status=EmailStatus.PENDING,
        last_error=error,
        next_attempt_at=now + timedelta(seconds=delay),
        updated_at=now,
    )
    logger.warning("Email %s attempt %s failed, retrying in %.0fs: %s", row.id, row.attempts, delay, error)
    return DeliveryOutcome("retry", retry_in=delay)


def email_sweep(*, limit: int = 500) -> int:
    """Re-enqueue rows that are due and were not picked up: a down broker, a lost message, a dead worker.

    Pending rows are taken only EMAIL_OUTBOX_GRACE_SECONDS after they fell due, so the on-commit enqueue and
    the retry countdowns get their chance first; "sending" rows once their claim is stale. A stale row that
    has used every attempt is marked failed instead. Stops at the first broker error (the next sweep tries
    again). Overlapping sweeps are harmless: delivery claims each row.
    """
    now = clock.now()
    _fail_abandoned(now)
    grace = timedelta(seconds=settings.EMAIL_OUTBOX_GRACE_SECONDS)
    due = (
        EmailOutbox.objects.filter(
            Q(status=EmailStatus.PENDING, next_attempt_at__lte=now - grace)
            | Q(status=EmailStatus.SENDING, claimed_at__lt=_stale_before(now))
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    enqueued = publish(DELIVER_EMAIL, [(outbox_id,) for outbox_id in due])
    if enqueued:
        logger.info("Outbox sweep re-enqueued %s email(s)", enqueued)
    return enqueued


def _fail_abandoned(now: datetime) -> None:
    abandoned = EmailOutbox.objects.filter(
        status=EmailStatus.SENDING,
        claimed_at__lt=_stale_before(now),
        attempts__gte=settings.EMAIL_OUTBOX_MAX_ATTEMPTS,
    )
    for outbox_id in abandoned.values_list("id", flat=True):
        updated = EmailOutbox.objects.filter(id=outbox_id, status=EmailStatus.SENDING).update(
            status=EmailStatus.FAILED,
            last_error="Worker lost during the last delivery attempt",
            secret_context=None,
            updated_at=now,
        )
        if updated:
            logger.error("Email %s failed for good: worker lost during its last attempt", outbox_id)


def email_prune(*, batch: int = 1000) -> int:
    """Delete sent, failed and dropped rows older than EMAIL_OUTBOX_RETENTION_DAYS, in small batches."""
    cutoff = clock.now() - timedelta(days=settings.EMAIL_OUTBOX_RETENTION_DAYS)
    done = [EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.DROPPED]
    old = EmailOutbox.objects.filter(status__in=done, updated_at__lt=cutoff)
    deleted = 0
    while ids := list(old.values_list("id", flat=True)[:batch]):
        deleted += EmailOutbox.objects.filter(id__in=ids).delete()[0]
    if deleted:
        logger.info("Outbox prune deleted %s row(s)", deleted)
    return deleted
