"""The newest code of an account is found through the per-account index, however many codes the table holds.

Joining on the address let Postgres walk the whole table backwards by id instead, a login getting slower with
every code ever sent (1.8 ms of database time at 3 600 codes).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.users.models import EmailOTP, User
from apps.users.tests.otp_helpers import fresh_code, verify_code

pytestmark = pytest.mark.django_db


class StatementLog:
    """Every statement the connection runs, with its parameters (an execute wrapper, so nothing is mocked)."""

    def __init__(self):
        self.statements: list[tuple[str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def _plan(sql: str, params) -> str:
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join(" ".join(str(col) for col in row) for row in cursor.fetchall())


def _other_accounts_codes(accounts: int, codes_each: int) -> None:
    users = User.objects.bulk_create(
        User(email=f"other{i}@example.com", email_verified=True) for i in range(accounts)
    )
    expires = timezone.now() + timedelta(minutes=10)
    EmailOTP.objects.bulk_create(
        EmailOTP(user=user, code_hash=f"{user.pk}-{n}", expires_at=expires)
        for n in range(codes_each)
        for user in users
    )


def test_login_by_code_reads_the_newest_code_through_the_account_index(api_client, user, mailoutbox):
    _other_accounts_codes(accounts=200, codes_each=20)
    code = fresh_code(api_client, mailoutbox, user.email)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "ANALYZE email_otp")

    log = StatementLog()
    with connection.execute_wrapper(log):
        response = verify_code(api_client, user.email, code)
    assert response.status_code == 200, response.content

    [(sql, params)] = [
        (sql, params)
        for sql, params in log.statements
        if sql.lstrip().startswith("SELECT") and 'FROM "email_otp"' in sql
    ]
    plan = _plan(sql, params)
    assert "email_otp_user_newest" in plan, plan
    assert "email_otp_pkey" not in plan, plan
