"""The report's CSV: one table, a `section` column telling the row kinds apart.

bill_due  an occurrence of a bill due in the period: paid (with its payment), unpaid, overdue or upcoming
          (a future occurrence of a recurring bill)
payment   a payment made in the period (paid_on inside it), whatever occurrence it settled
goal      a goal's progress at the end of the period and what was contributed during it
"""

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from apps.bills.models import Bill, BillPayment
from apps.bills.recurrence import occurrences
from apps.common.currencies import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, format_amount
from apps.goals.models import Goal
from apps.reports.models import Report, ReportKind

HEADER = [
    "section",
    "date",
    "name",
    "status",
    "amount",
    "currency",
    "payee",
    "due_date",
    "paid_on",
    "target_amount",
    "contributed_in_period",
    "progress_percent",
    "deadline",
]
# OWASP's CSV-injection rule: a text cell starting with one of these is prefixed with a quote, whatever it
# looks like ("-2" and "+5e3" included: a name is text, and a spreadsheet would compute them).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
TEXT_COLUMNS = frozenset({"section", "name", "status", "currency", "payee"})
AMOUNT_COLUMNS = frozenset({"amount", "target_amount", "contributed_in_period"})
# A weekly bill over the longest allowed period has ~260 occurrences; this only stops runaway loops.
_MAX_OCCURRENCES_PER_BILL = 2000


class ReportTooLarge(Exception):
    pass


def _text(value: str) -> str:
    """Text as a spreadsheet will not execute it (CSV formula injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _cell(column: str, value: object, currency: str) -> str:
    """Text columns are escaped; numbers and dates are written from their values, never from text."""
    if value is None:
        return ""
    if column in TEXT_COLUMNS:
        return _text(str(value))
    if isinstance(value, Decimal):
        return format_amount(value, currency) if column in AMOUNT_COLUMNS else f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"CSV column {column!r} takes a number or a date, not {type(value).__name__}")


def _row(
    section: str,
    day: date | None,
    name: str,
    status: str,
    amount: Decimal | None = None,
    currency: str = "",
    **extra: object,
) -> list[str]:
    values: dict[str, object] = {
        "section": section,
        "date": day,
        "name": name,
        "status": status,
        "amount": amount,
        "currency": currency,
    }
    values.update(extra)
    return [_cell(column, values.get(column), currency) for column in HEADER]


def _bill_rows(report: Report, today: date) -> Iterator[list[str]]:
    start, end = report.period_start, report.period_end
    paid: dict[int, list[list[Any]]] = {}
    payments = (
        BillPayment.objects.filter(household_id=report.household_id, due_date__range=(start, end))
        .order_by("due_date", "id")
        .values_list("bill_id", "due_date", "amount", "paid_on")
    )
    for bill_id, *payment in payments:
        paid.setdefault(bill_id, []).append(payment)
    bills = Bill.objects.filter(household_id=report.household_id).order_by("due_date", "id")
    for bill in bills.iterator(chunk_size=500):
        for due_date, amount, paid_on in paid.get(bill.id, []):
            yield _row(
                "bill_due",
                due_date,
                bill.name,
                "paid",
                amount,
                bill.currency,
                payee=bill.payee,
                due_date=due_date,
                paid_on=paid_on,
            )
        if bill.is_paid or bill.due_date > end:
            continue
        dates = occurrences(
            bill.due_date, bill.recurrence, bill.anchor_day, end, limit=_MAX_OCCURRENCES_PER_BILL
        )
        for n, due_date in enumerate(dates):
            if due_date < start:
                continue
            status = ("overdue" if due_date < today else "unpaid") if n == 0 else "upcoming"
            yield _row(
                "bill_due",
                due_date,
                bill.name,
                status,
                bill.amount,
                bill.currency,
                payee=bill.payee,
                due_date=due_date,
            )


def _payment_rows(report: Report) -> Iterator[list[str]]:
    payments = (
        BillPayment.objects.filter(
            household_id=report.household_id, paid_on__range=(report.period_start, report.period_end)
        )
        .select_related("bill")
        .order_by("paid_on", "id")
    )
    for payment in payments.iterator(chunk_size=500):
        yield _row(
            "payment",
            payment.paid_on,
            payment.bill.name,
            "paid",
            payment.amount,
            payment.currency,
            payee=payment.bill.payee,
            due_date=payment.due_date,
            paid_on=payment.paid_on,
        )


def _goal_rows(report: Report) -> Iterator[list[str]]:
    zero = Value(
        Decimal(0),
        output_field=DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES),
    )
    goals = (
        Goal.objects.filter(household_id=report.household_id)
        .annotate(
            saved=Coalesce(
                Sum("contributions__amount", filter=Q(contributions__contributed_on__lte=report.period_end)),
                zero,
            ),
            contributed=Coalesce(
                Sum(
                    "contributions__amount",
                    filter=Q(contributions__contributed_on__range=(report.period_start, report.period_end)),
                ),
                zero,
            ),
        )
        .order_by("id")
    )
    for goal in goals.iterator(chunk_size=500):
        saved = Decimal(goal.saved)
        percent = (saved * 100 / goal.target_amount).quantize(Decimal("0.01"))
        yield _row(
            "goal",
            report.period_end,
            goal.name,
            "achieved" if saved >= goal.target_amount else "in_progress",
            saved,
            goal.currency,
            target_amount=goal.target_amount,
            contributed_in_period=Decimal(goal.contributed),
            progress_percent=percent,
            deadline=goal.deadline,
        )


def sections(report: Report, today: date) -> list[tuple[str, Callable[[], Iterator[list[str]]]]]:
    parts = []
    if report.kind in (ReportKind.SUMMARY, ReportKind.BILLS):
        parts += [("bills", lambda: _bill_rows(report, today)), ("payments", lambda: _payment_rows(report))]
    if report.kind in (ReportKind.SUMMARY, ReportKind.GOALS):
        parts.append(("goals", lambda: _goal_rows(report)))
    return parts


def build_csv(
    report: Report, *, today: date, max_rows: int, on_progress: Callable[[int], None]
) -> tuple[str, int]:
    """The CSV text and its data row count. Raises ReportTooLarge past `max_rows` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    rows = 0
    parts = sections(report, today)
    for index, (_, produce) in enumerate(parts):
        for row in produce():
            rows += 1
            if rows > max_rows:
                raise ReportTooLarge(
                    f"The report has more than {max_rows} rows; choose a shorter period or a narrower kind."
                )
            writer.writerow(row)
        on_progress(int(100 * (index + 1) / len(parts)) if index + 1 < len(parts) else 99)
    return buffer.getvalue(), rows
