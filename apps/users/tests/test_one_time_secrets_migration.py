"""The migration onto the one-time-secret base keeps every row: the attempt counts are renamed, not rebuilt.

Rows are written on the schema before the migration (through the historical models), the migration runs, and
the same rows are read back on the new schema.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("users", "0006_email_change_both_addresses_and_budgets")
AFTER = ("users", "0007_one_time_secrets")
BUDGETS = ("users", "0008_auth_failure_email_verification")


def migrate(targets: list[tuple[str, str]]):
    """Migrate the test database to `targets`; returns the historical models there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_migration():
    """Migrate back to a given migration; afterwards forward to the latest, as the rest of the suite needs."""
    yield lambda target: migrate([target])
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def old_schema(at_migration):
    return at_migration(BEFORE)


def test_rows_and_their_counts_survive(old_schema):
    get = old_schema.get_model
    now = timezone.now()
    later = now + timedelta(hours=1)
    user = get("users", "User").objects.create(email="kept@example.com", password="!")
    session = get("users", "LoginSession").objects.create(user=user, current_jti="j", expires_at=later)
    get("users", "EmailVerification").objects.create(
        user=user, token_hash="t" * 64, code_hash="c" * 64, expires_at=later, failed_attempts=3
    )
    otps = get("users", "EmailOTP").objects
    otps.create(user=user, code_hash="o" * 64, expires_at=later, failed_attempts=2)
    get("users", "MfaChallenge").objects.create(
        user=user, token_hash="m" * 64, method="password", expires_at=later, failed_attempts=4
    )
    get("users", "PasswordReset").objects.create(
        user=user, token_hash="p" * 64, code_hash="q" * 64, expires_at=later, code_attempts=1
    )
    get("users", "EmailChange").objects.create(
        user=user,
        new_email="new@example.com",
        token_hash="e" * 64,
        code_hash="f" * 64,
        old_token_hash="g" * 64,
        old_code_hash="h" * 64,
        expires_at=later,
        code_attempts=2,
        old_code_attempts=5,
        session=session,
    )
    get("users", "ReauthenticationCode").objects.create(
        user=user, session=session, code_hash="r" * 64, expires_at=later, code_attempts=4, used_at=now
    )

    get = migrate([AFTER]).get_model

    def row(model):
        return get("users", model).objects.get(user__email="kept@example.com")

    verification = row("EmailVerification")
    assert (verification.attempts, verification.token_hash, verification.code_hash) == (3, "t" * 64, "c" * 64)
    assert (row("EmailOTP").attempts, row("EmailOTP").code_hash) == (2, "o" * 64)
    assert (row("MfaChallenge").attempts, row("MfaChallenge").token_hash) == (4, "m" * 64)
    assert (row("PasswordReset").attempts, row("PasswordReset").code_hash) == (1, "q" * 64)
    change = row("EmailChange")
    assert (change.attempts, change.old_code_attempts, change.old_code_hash) == (2, 5, "h" * 64)
    assert change.session_id == session.pk
    reauth = row("ReauthenticationCode")
    assert (reauth.attempts, reauth.used_at) == (4, now)


def test_wrong_verification_codes_carry_over_into_the_accounts_budget(at_migration):
    get = at_migration(AFTER).get_model
    now = timezone.now()
    users = get("users", "User").objects
    paused, counting, expired = (users.create(email=f"{name}@example.com", password="!") for name in "pce")
    verifications = get("users", "EmailVerification").objects

    def verification(user, n, attempts, expires_at):
        verifications.create(
            user=user,
            token_hash=f"{user.pk}-{n}".ljust(64, "t"),
            code_hash="c" * 64,
            expires_at=expires_at,
            attempts=attempts,
        )

    for n in range(3):
        verification(paused, n, 5, now + timedelta(hours=20 + n))
    verification(counting, 0, 2, now + timedelta(hours=3))
    verification(expired, 0, 5, now - timedelta(hours=1))

    windows = (
        migrate([BUDGETS]).get_model("users", "AuthFailureWindow").objects.filter(factor="email_verification")
    )
    by_user = {window.user_id: window for window in windows}
    assert set(by_user) == {paused.pk, counting.pk}
    assert by_user[paused.pk].failures == 15
    assert by_user[paused.pk].paused_until is not None
    assert by_user[counting.pk].failures == 2
    assert by_user[counting.pk].paused_until is None
