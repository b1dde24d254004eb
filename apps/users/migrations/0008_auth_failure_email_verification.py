"""Wrong email-verification codes move to the per-account failure budget (`auth_failure_window`).

The budget used to be a sum over the account's unexpired verifications; that sum is carried over into a
window starting at the oldest of them, so an account that was paused stays paused until its window ends.
"""

from datetime import timedelta

from django.db import migrations, models
from django.db.models import Min, Sum
from django.utils import timezone

BUDGET = 15  # EMAIL_VERIFICATION_FAILURE_BUDGET when this was written
WINDOW = timedelta(hours=24)


def carry_over_budgets(apps, schema_editor):
    EmailVerification = apps.get_model("users", "EmailVerification")
    AuthFailureWindow = apps.get_model("users", "AuthFailureWindow")
    spent = (
        EmailVerification.objects.filter(expires_at__gt=timezone.now(), attempts__gt=0)
        .values("user_id")
        .annotate(failures=Sum("attempts"), started=Min("created_at"))
    )
    for row in spent:
        AuthFailureWindow.objects.update_or_create(
            user_id=row["user_id"],
            factor="email_verification",
            defaults={
                "window_started_at": row["started"],
                "failures": row["failures"],
                "paused_until": row["started"] + WINDOW if row["failures"] >= BUDGET else None,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0007_one_time_secrets"),
    ]

    operations = [
        migrations.AlterField(
            model_name="authfailurewindow",
            name="factor",
            field=models.CharField(
                choices=[
                    ("otp", "Email OTP"),
                    ("totp", "TOTP"),
                    ("reauth", "Reauthentication email code"),
                    ("email_change", "Email-change code"),
                    ("password", "Current password"),
                    ("email_verification", "Email-verification code"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(carry_over_budgets, migrations.RunPython.noop),
    ]
