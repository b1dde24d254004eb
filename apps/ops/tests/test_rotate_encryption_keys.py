"""Key rotation: several keys decrypt, the first encrypts, the command moves stored rows to the first key."""

import pytest
from cryptography.fernet import InvalidToken
from django.core.management import call_command

from apps.emails.models import EmailOutbox
from apps.emails.services import email_send, render_email
from apps.users.models import TotpDevice
from apps.users.tests.mfa_helpers import enable_mfa, totp_code

pytestmark = pytest.mark.django_db


def test_seeds_and_queued_emails_survive_a_rotation_and_the_old_key_can_then_go(
    auth_client, user, settings, clock, capsys
):
    from datetime import timedelta

    from apps.users.mfa.services.mfa import _seed_box

    settings.MFA_ENCRYPTION_KEY = ["old-totp-key"]
    settings.EMAIL_CONTEXT_KEY = ["old-email-key"]
    secret, _ = enable_mfa(auth_client)
    queued = email_send(to="ann@example.com", template="login_otp", secret_context={"otp_code": "246810"})
    old_seed = TotpDevice.objects.get(user=user).secret_encrypted

    # Step 2: the new key first, the old one still there: everything reads.
    settings.MFA_ENCRYPTION_KEY = ["new-totp-key", "old-totp-key"]
    settings.EMAIL_CONTEXT_KEY = ["new-email-key", "old-email-key"]
    assert _seed_box.decrypt(old_seed) == secret
    call_command("rotate_encryption_keys")
    out = capsys.readouterr().out
    assert "users.TotpDevice.secret_encrypted: 1 re-encrypted, 0 unreadable" in out
    assert "emails.EmailOutbox.secret_context: 1 re-encrypted, 0 unreadable" in out

    # Step 4: only the new key. The rows were rewritten under it.
    settings.MFA_ENCRYPTION_KEY = ["new-totp-key"]
    settings.EMAIL_CONTEXT_KEY = ["new-email-key"]
    with pytest.raises(InvalidToken):
        _seed_box.decrypt(old_seed)
    clock.advance(timedelta(seconds=60))
    assert auth_client.post(
        "/api/v1/auth/mfa/totp/disable/", {"code": totp_code(secret)}, format="json"
    ).status_code in (200, 204)
    assert "246810" in render_email(EmailOutbox.objects.get(id=queued.id)).body


def test_a_row_no_key_opens_is_reported_and_the_command_fails(auth_client, settings, capsys):
    settings.MFA_ENCRYPTION_KEY = ["lost-key"]
    enable_mfa(auth_client)
    settings.MFA_ENCRYPTION_KEY = ["another-key"]
    with pytest.raises(SystemExit) as exited:
        call_command("rotate_encryption_keys")
    assert exited.value.code == 1
    assert "users.TotpDevice.secret_encrypted: 0 re-encrypted, 1 unreadable" in capsys.readouterr().out


def test_keys_derived_from_secret_key_follow_its_fallbacks(auth_client, user, settings):
    from apps.users.mfa.services.mfa import _seed_box

    settings.MFA_ENCRYPTION_KEY = []
    secret, _ = enable_mfa(auth_client)
    stored = TotpDevice.objects.get(user=user).secret_encrypted
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-" + "x" * 40
    assert _seed_box.decrypt(stored) == secret
    assert _seed_box.decrypt(_seed_box.rotate(stored)) == secret
