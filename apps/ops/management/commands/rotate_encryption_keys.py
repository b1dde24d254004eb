"""Re-encrypt every stored secret under the first key of its setting, so older keys can be retired."""

from importlib import import_module

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand

from apps.common.crypto import BOXES

# The modules that define the boxes whose tokens rest in the database.
BOX_MODULES = ("apps.emails.crypto", "apps.users.mfa.services.mfa")


class Command(BaseCommand):
    help = (
        "Re-encrypt TOTP seeds and queued emails' secret context under the first key of MFA_ENCRYPTION_KEY / "
        "EMAIL_CONTEXT_KEY. Run after putting the new key first; then the old keys can be removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="rows read per query")

    def handle(self, *args, batch: int, **options):
        for module in BOX_MODULES:
            import_module(module)
        failed = 0
        for box in BOXES:
            if box.stored_in is None:
                continue
            label, field = box.stored_in
            model = apps.get_model(label)
            rotated = unreadable = 0
            rows = model.objects.exclude(**{f"{field}__isnull": True}).exclude(**{field: ""})
            for pk, token in rows.values_list("pk", field).iterator(chunk_size=batch):
                try:
                    fresh = box.rotate(token)
                except InvalidToken:
                    unreadable += 1
                    continue
                # Only if nobody rewrote the row meanwhile (a new seed, a sent email wiping its secrets).
                rotated += model.objects.filter(pk=pk, **{field: token}).update(**{field: fresh})
            failed += unreadable
            self.stdout.write(f"{label}.{field}: {rotated} re-encrypted, {unreadable} unreadable")
        if failed:
            self.stderr.write("Some rows could not be decrypted with any configured key; keep the old keys.")
            raise SystemExit(1)
