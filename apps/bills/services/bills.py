from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from apps.audit.models import AuditAction
from apps.audit.services import log_action
from apps.bills.models import Bill, BillPayment, Recurrence
from apps.bills.recurrence import next_due_date
from apps.bills.selectors import bill_get
from apps.common import clock
from apps.common.currencies import format_amount
from apps.common.exceptions import Conflict, field_error
from apps.common.validation import require_minor_units
from apps.households.selectors import membership_get, require_write
from apps.households.services.items import household_item_create, household_item_delete, household_item_update
from apps.users.models import User

UPDATABLE = ["name", "amount", "currency", "due_date", "recurrence", "reminder_days_before", "payee", "notes"]


@transaction.atomic
def bill_create(
    *,
    user: User,
    household_id: int,
    name: str,
    amount: Decimal,
    due_date: date,
    currency: str | None = None,
    recurrence: str = Recurrence.NONE,
    reminder_days_before: int = 3,
    payee: str = "",
    notes: str = "",
    request: HttpRequest | None = None,
) -> Bill:
    membership = membership_get(user=user, household_id=household_id)
    require_write(membership.role)
    currency = currency or membership.household.currency
    require_minor_units(amount, currency)
    bill = Bill(
        household_id=household_id,
        name=name,
        amount=amount,
        currency=currency,
        due_date=due_date,
        anchor_day=due_date.day,
        recurrence=recurrence,
        reminder_days_before=reminder_days_before,
        remind_from=due_date - timedelta(days=reminder_days_before),
        payee=payee,
        notes=notes,
        created_by=user,
    )
    return household_item_create(user=user, item=bill, request=request)


@transaction.atomic
def bill_update(
    *, user: User, bill_id: int, data: dict[str, Any], request: HttpRequest | None = None
) -> Bill:
    """Change a bill. Its row is locked so a payment cannot slip in between the checks and the write.

    A new due date that already has a payment is 409 `occurrence_paid`: moving a monthly bill back onto a
    month it was paid for would make that month look unpaid and pay it twice.
    """
    bill_get(user=user, bill_id=bill_id, write=True)
    bill = Bill.objects.select_for_update().get(id=bill_id)
    data = {k: v for k, v in data.items() if k in UPDATABLE}
    if bill.is_paid and ({"due_date", "recurrence"} & data.keys()):
        raise Conflict(
            "This bill is paid; its due date and recurrence can no longer change.", code="bill_paid"
        )
    if {"amount", "currency"} & data.keys():
        require_minor_units(data.get("amount", bill.amount), data.get("currency", bill.currency))
    if (
        data.get("due_date", bill.due_date) != bill.due_date
        and BillPayment.objects.filter(bill_id=bill.id, due_date=data["due_date"]).exists()
    ):
        raise Conflict(
            f"The occurrence due on {data['due_date']} is already paid; choose another due date.",
            code="occurrence_paid",
        )
    if "due_date" in data:
        data["anchor_day"] = data["due_date"].day
    due_date = data.get("due_date", bill.due_date)
    days = data.get("reminder_days_before", bill.reminder_days_before)
    data["remind_from"] = due_date - timedelta(days=days)
    fields = [*UPDATABLE, "anchor_day", "remind_from"]
    household_item_update(user=user, item=bill, fields=fields, data=data, request=request)
    return bill


@transaction.atomic
def bill_delete(*, user: User, bill_id: int, request: HttpRequest | None = None) -> None:
    household_item_delete(user=user, item=bill_get(user=user, bill_id=bill_id, write=True), request=request)


@transaction.atomic
def bill_mark_paid(
    *,
    user: User,
    bill_id: int,
    amount: Decimal | None = None,
    paid_on: date | None = None,
    due_date: date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> BillPayment:
    """Record a payment for the bill's current occurrence; a recurring bill then moves to its next due date.

    Pass `due_date` (the occurrence the client saw) to make a retried or double-clicked request harmless:
    once that occurrence is paid the bill has moved on, and the request gets 409 instead of paying twice.

    A payment settles its occurrence in full: an amount below the bill's is refused (400
    `partial_payment`) rather than recorded as partial. One payment per occurrence is what reminders,
    the history and the CSV count on; a family paying less this time (a smaller utility bill) changes the
    bill's amount first. Paying more (a late fee) is recorded as paid.
    """
    bill_get(user=user, bill_id=bill_id, write=True)
    bill = Bill.objects.select_for_update(of=("self",)).select_related("household").get(id=bill_id)
    if bill.is_paid:
        raise Conflict("This bill is already paid.", code="already_paid")
    if due_date is not None and due_date != bill.due_date:
        raise Conflict(
            f"That occurrence is not the one due: the bill is now due on {bill.due_date}.",
            code="occurrence_mismatch",
        )
    if amount is None:
        amount = bill.amount
    require_minor_units(amount, bill.currency)
    if amount < bill.amount:
        raise field_error(
            "amount",
            f"Partial payments are not recorded: this occurrence is "
            f"{format_amount(bill.amount, bill.currency)} {bill.currency}. Change the bill's amount first "
            "if less is owed.",
            code="partial_payment",
        )
    if BillPayment.objects.filter(bill_id=bill.id, due_date=bill.due_date).exists():
        raise Conflict(f"The occurrence due on {bill.due_date} is already paid.", code="occurrence_paid")
    payment = BillPayment.objects.create(
        bill=bill,
        household_id=bill.household_id,
        amount=amount,
        currency=bill.currency,
        due_date=bill.due_date,
        paid_on=paid_on or clock.today_in(bill.household.time_zone),
        paid_by=user,
        note=note,
    )
    following = next_due_date(bill.due_date, bill.recurrence, bill.anchor_day)
    if following is None:
        bill.is_paid, bill.paid_at = True, clock.now()
    else:
        bill.due_date = following
        bill.remind_from = following - timedelta(days=bill.reminder_days_before)
    bill.save(update_fields=["is_paid", "paid_at", "due_date", "remind_from", "updated_at"])
    log_action(
        user=user,
        action_type=AuditAction.BILL_PAID,
        description="Bill paid",
        request=request,
        obj=bill,
        metadata={
            "payment_id": payment.id,
            "amount": format_amount(payment.amount, payment.currency),
            "due_date": str(payment.due_date),
        },
    )
    return payment
