"""insert_rows: the batch jobs' INSERT (reminders, notifications, outbox rows) on whichever database runs."""

import uuid
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.bills.models import BillReminder
from apps.bills.tests.factories import BillFactory
from apps.common.bulk import insert_rows
from apps.emails.models import EmailOutbox, EmailStatus
from apps.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIELDS = ("to", "template", "context", "dedupe_key")


def outbox_row(key: str, **context) -> tuple:
    return (f"{key}@example.com", "bill_reminder", {"key": key, **context}, key)


def test_columns_left_out_get_the_models_defaults_as_bulk_create_would():
    before = timezone.now()
    insert_rows(EmailOutbox, FIELDS, [outbox_row("a")])
    row = EmailOutbox.objects.get(dedupe_key="a")
    assert (row.status, row.attempts, row.secret_context, row.claimed_at, row.sent_at) == (
        EmailStatus.PENDING,
        0,
        None,
        None,
        None,
    )
    assert (row.last_error, row.prepare) == ("", "")
    assert before <= row.created_at <= row.updated_at <= timezone.now()
    assert before <= row.next_attempt_at <= timezone.now()


def test_values_are_written_exactly_quotes_unicode_json_and_all():
    awkward = 'O\'Brien "quoted" \\ back, {braces} % percent; Zoë 🎉'
    insert_rows(
        EmailOutbox, FIELDS, [("x@example.com", "bill_reminder", {"name": awkward, "n": [1, None]}, awkward)]
    )
    row = EmailOutbox.objects.get(dedupe_key=awkward)
    assert row.context == {"name": awkward, "n": [1, None]}
    assert row.to == "x@example.com"


def test_a_conflicting_row_is_skipped_and_only_new_rows_are_returned():
    first = insert_rows(
        EmailOutbox, FIELDS, [outbox_row("a"), outbox_row("b")], ignore_conflicts=True, returning=("id",)
    )
    second = insert_rows(
        EmailOutbox,
        FIELDS,
        [outbox_row("b", changed=True), outbox_row("c")],
        ignore_conflicts=True,
        returning=("id", "dedupe_key"),
    )
    ids = dict(EmailOutbox.objects.values_list("dedupe_key", "id"))
    assert sorted(first) == sorted([(ids["a"],), (ids["b"],)])
    assert second == [(ids["c"], "c")]
    assert EmailOutbox.objects.get(dedupe_key="b").context == {"key": "b"}


def test_without_ignore_conflicts_a_duplicate_is_an_integrity_error():
    insert_rows(EmailOutbox, FIELDS, [outbox_row("a")])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(EmailOutbox, FIELDS, [outbox_row("a")])


def test_rows_are_sent_in_batches_and_all_arrive():
    rows = (outbox_row(f"k{n}") for n in range(7))  # a generator: never a list of everything
    inserted = insert_rows(EmailOutbox, FIELDS, rows, returning=("dedupe_key",), batch_size=3)
    assert sorted(key for (key,) in inserted) == [f"k{n}" for n in range(7)]
    assert EmailOutbox.objects.count() == 7


def test_shared_values_dates_and_foreign_keys():
    user = UserFactory()
    bill = BillFactory()
    run_id = uuid.uuid4()
    due = date(2026, 2, 28)
    insert_rows(
        BillReminder,
        ("bill_id", "due_date", "user_id"),
        [(bill.id, due, user.id), (bill.id, due + timedelta(days=1), user.id)],
        values={"run_id": run_id},
    )
    rows = BillReminder.objects.order_by("due_date").values_list("bill_id", "due_date", "user_id", "run_id")
    assert list(rows) == [(bill.id, due, user.id, run_id), (bill.id, date(2026, 3, 1), user.id, run_id)]


def test_nothing_to_insert_runs_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_rows(EmailOutbox, FIELDS, [], returning=("id",)) == []
