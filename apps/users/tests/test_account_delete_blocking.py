"""Nobody can block an account's deletion by taking its future placeholder address (issue 13).

The attack on the old code: register `deleted-<id>@deleted.invalid`, and every later DELETE /auth/me/ of user
<id> was a 500 on the unique constraint.
"""

import re
import secrets
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from apps.users.account.services import account as account_deletion
from apps.users.models import User
from apps.users.tests.account_support import ME, ask_email_change, refused
from apps.users.tests.factories import UserFactory
from apps.users.tests.registration_support import register

pytestmark = pytest.mark.django_db
PLACEHOLDER = re.compile(r"deleted-[0-9a-f]{32}@deleted\.invalid")

SPECIAL_USE = [
    "squatter@deleted.invalid",
    "someone@localhost",
    "someone@mail.localhost",
    "someone@kinwise.test",
    "someone@documentation.example",
    "someone@printer.local",
    "someone@hidden.onion",
    "someone@name.alt",
    "someone@router.home.arpa",
    "someone@corp.internal",
    "Someone@Deleted.INVALID",
]


def delete(client, password):
    return client.delete(ME, {"password": password}, format="json")


def test_the_old_placeholder_address_cannot_be_registered(user):
    response = register(APIClient(), f"deleted-{user.pk}@deleted.invalid")
    assert response.status_code == 400, response.content
    assert "special-use domain" in response.json()["email"][0]
    assert not User.objects.filter(email=f"deleted-{user.pk}@deleted.invalid").exists()


@pytest.mark.parametrize("email", SPECIAL_USE)
def test_special_use_domains_are_refused_at_registration(email):
    response = register(APIClient(), email)
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["email"]


@pytest.mark.parametrize("email", SPECIAL_USE)
def test_special_use_domains_are_refused_at_email_change(auth_client, password, email, mailoutbox):
    response = ask_email_change(auth_client, email, password)
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["new_email"]
    assert mailoutbox == []


@pytest.mark.parametrize("email", ["ann@example.com", "ann@example.org", "ann@mail.test-lab.com"])
def test_ordinary_and_documentation_domains_are_accepted(email):
    assert register(APIClient(), email).status_code == 201


def test_deletion_works_although_the_old_placeholder_address_is_taken(client_for, password):
    victim = UserFactory(password=password)
    # registered before registration refused special-use domains
    UserFactory(email=f"deleted-{victim.pk}@deleted.invalid")
    assert delete(client_for(victim), password).status_code == 204
    victim.refresh_from_db()
    assert PLACEHOLDER.fullmatch(victim.email)
    assert victim.deleted_at is not None


def test_placeholders_are_unguessable_and_differ_between_accounts(client_for, password):
    users = [UserFactory(password=password) for _ in range(2)]
    for user in users:
        assert delete(client_for(user), password).status_code == 204
        user.refresh_from_db()
    emails = [user.email for user in users]
    assert all(PLACEHOLDER.fullmatch(e) for e in emails)
    assert emails[0] != emails[1]


@pytest.fixture
def draws(monkeypatch):
    """The placeholder's random source (`secrets` as account deletion sees it), scripted: the values given
    first, then real randomness. Other users of `secrets` (database driver, cache) are untouched."""
    scripted = []

    def token_hex(nbytes=None):
        return scripted.pop(0) if scripted else secrets.token_hex(nbytes)

    monkeypatch.setattr(account_deletion, "secrets", SimpleNamespace(token_hex=token_hex))
    return scripted


def test_a_placeholder_collision_is_drawn_again(client_for, password, draws):
    taken = "a" * 32
    UserFactory(email=f"deleted-{taken}@deleted.invalid")  # an earlier deletion drew it
    victim = UserFactory(password=password)
    draws.extend([taken, "b" * 32])
    assert delete(client_for(victim), password).status_code == 204
    victim.refresh_from_db()
    assert victim.email == f"deleted-{'b' * 32}@deleted.invalid"


def test_deletion_answers_409_not_500_if_every_draw_collides(client_for, password, draws):
    taken = "c" * 32
    UserFactory(email=f"deleted-{taken}@deleted.invalid")
    victim = UserFactory(password=password)
    client = client_for(victim)
    draws.extend([taken] * 5)
    refused(delete(client, password), 409, "deletion_retry")
    victim.refresh_from_db()
    assert victim.is_active
    assert victim.deleted_at is None
    assert client.get(ME).status_code == 200  # its session was not revoked either: the rollback took it back
    assert delete(client, password).status_code == 204


def test_the_schema_documents_the_new_codes():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "deletion_retry" in schema["paths"]["/api/v1/auth/me/"]["delete"]["description"]
    for path, field in (("/api/v1/auth/register/", "email"), ("/api/v1/auth/email/change/", "new_email")):
        body = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        component = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
        assert "Special-use domains" in component["properties"][field]["description"]
