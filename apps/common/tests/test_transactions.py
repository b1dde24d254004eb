"""Transactions are opened by services, not per request (docs/TRANSACTIONS.md): a domain error rolls back
its service's writes, and a row committed before the error (a failure's audit row) stays."""

import pytest
from django.db import connection

from apps.audit.models import AuditAction, AuditLog

LOGIN = "/api/v1/auth/login/"


def test_requests_are_not_wrapped_in_a_transaction():
    assert connection.settings_dict["ATOMIC_REQUESTS"] is False


@pytest.mark.django_db(transaction=True)
def test_a_refused_login_keeps_its_audit_row(api_client, user):
    response = api_client.post(LOGIN, {"email": user.email, "password": "wrong-password"}, format="json")
    assert response.status_code == 401
    assert AuditLog.objects.filter(actor=user, action_type=AuditAction.LOGIN_FAILED).count() == 1
