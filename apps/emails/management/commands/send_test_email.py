from django.core.management.base import BaseCommand
from django.core.validators import validate_email
from django.db import transaction

from apps.emails.services import email_send


class Command(BaseCommand):
    help = "Queue a test email through the outbox; a running worker delivers it."

    def add_arguments(self, parser):
        parser.add_argument("address")

    def handle(self, *args, address, **options):
        validate_email(address)
        with transaction.atomic():
            row = email_send(to=address, template="test")
        self.stdout.write(f"Queued outbox row {row.id} to {address}")
