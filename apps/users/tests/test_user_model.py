import pytest
from django.db import IntegrityError

from apps.users.models import User

pytestmark = pytest.mark.django_db


def test_email_is_trimmed_and_lowercased():
    user = User.objects.create_user(email="  Mixed@Example.COM ", password="SecurePass123!")
    assert user.email == "mixed@example.com"


def test_email_unique_case_insensitively_in_the_database():
    User.objects.create_user(email="a@example.com", password="x")
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="A@EXAMPLE.COM")])  # bulk_create skips save()


def test_password_is_hashed_with_argon2_in_production_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = User.objects.create_user(email="h@example.com", password="SecurePass123!")
    assert user.password.startswith("argon2$argon2id$")
