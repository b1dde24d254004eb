from typing import Any

from django.db.models import QuerySet

from apps.bills.models import Bill, BillPayment
from apps.households.selectors import scoped, scoped_get
from apps.users.models import User


def bill_list(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Bill]:
    filters = filters or {}
    bills = scoped(Bill.objects.all(), user=user, household_id=filters.get("household"))
    if filters.get("is_paid") is not None:
        bills = bills.filter(is_paid=filters["is_paid"])
    if filters.get("recurrence"):
        bills = bills.filter(recurrence=filters["recurrence"])
    if filters.get("due_from"):
        bills = bills.filter(due_date__gte=filters["due_from"])
    if filters.get("due_to"):
        bills = bills.filter(due_date__lte=filters["due_to"])
    return bills.order_by("due_date", "id")


def bill_get(*, user: User, bill_id: int, write: bool = False) -> Bill:
    return scoped_get(Bill.objects.all(), user=user, pk=bill_id, write=write)


def bill_payment_list(*, user: User, bill_id: int) -> QuerySet[BillPayment]:
    bill = bill_get(user=user, bill_id=bill_id)
    return BillPayment.objects.filter(bill_id=bill.id).select_related("paid_by").order_by("-paid_on", "-id")
