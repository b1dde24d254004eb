"""The emailed-secret rows and the MFA challenge share one base (apps.common.one_time_secrets).

Their try counters had two names (`failed_attempts`, `code_attempts`); they are renamed to `attempts`, so every
existing row keeps its count (a rename, not a drop and an add). The other operations change help texts only.
"""

from django.db import migrations, models

ATTEMPTS_HELP = "Tries so far, right or wrong, each claimed before it is judged."
CODE_HASH_HELP = "Keyed HMAC-SHA256 of the code; the code is not kept."

RENAMED = [
    ("emailverification", "failed_attempts"),
    ("emailotp", "failed_attempts"),
    ("mfachallenge", "failed_attempts"),
    ("passwordreset", "code_attempts"),
    ("emailchange", "code_attempts"),
    ("reauthenticationcode", "code_attempts"),
]
WITH_CODE_HASH = ["emailverification", "emailotp", "passwordreset", "emailchange", "reauthenticationcode"]


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0006_email_change_both_addresses_and_budgets"),
    ]

    operations = [
        *[migrations.RenameField(model, old, "attempts") for model, old in RENAMED],
        *[
            migrations.AlterField(
                model_name=model,
                name="attempts",
                field=models.PositiveSmallIntegerField(default=0, help_text=ATTEMPTS_HELP),
            )
            for model, _ in RENAMED
        ],
        *[
            migrations.AlterField(
                model_name=model,
                name="code_hash",
                field=models.CharField(editable=False, help_text=CODE_HASH_HELP, max_length=64),
            )
            for model in WITH_CODE_HASH
        ],
    ]
