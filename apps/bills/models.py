from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.common.models import BaseModel, money_field
from apps.common.validation import validate_currency
from apps.households.models import HouseholdItem

MAX_REMINDER_DAYS = 90


class Recurrence(models.TextChoices):
    NONE = "none", "One-off"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    YEARLY = "yearly", "Yearly"


class Bill(HouseholdItem):
    household = models.ForeignKey("households.Household", on_delete=models.CASCADE, related_name="bills")
    amount = money_field()
    due_date = models.DateField(
        help_text="The next unpaid due date (recurring bills move it forward when paid)."
    )
    anchor_day = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="Day of month monthly/yearly recurrences aim for; months too short get their last day.",
    )
    recurrence = models.CharField(max_length=10, choices=Recurrence.choices, default=Recurrence.NONE)
    reminder_days_before = models.PositiveSmallIntegerField(
        default=3, validators=[MaxValueValidator(MAX_REMINDER_DAYS)]
    )
    remind_from = models.DateField(
        help_text="due_date - reminder_days_before, kept for the reminder job's index."
    )
    is_paid = models.BooleanField(
        default=False, help_text="Only one-off bills stay paid; recurring ones roll on."
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    payee = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "bill"
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["household", "due_date"], name="bill_household_due"),
            models.Index(
                fields=["due_date", "remind_from"], condition=Q(is_paid=False), name="bill_unpaid_reminder"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="bill_amount_positive"),
            models.CheckConstraint(
                condition=Q(anchor_day__gte=1, anchor_day__lte=31), name="bill_anchor_day"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.amount} {self.currency}, due {self.due_date})"


class BillPayment(BaseModel):
    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="payments")
    household = models.ForeignKey("households.Household", on_delete=models.CASCADE, related_name="+")
    amount = money_field()
    currency = models.CharField(max_length=3, validators=[validate_currency])
    due_date = models.DateField(help_text="The occurrence this payment settled.")
    paid_on = models.DateField()
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        db_table = "bill_payment"
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["household", "paid_on"], name="bill_payment_household_paid")]
        constraints = [
            models.UniqueConstraint(fields=["bill", "due_date"], name="bill_payment_once_per_occurrence"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bill_payment_amount_positive"),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency} for bill {self.bill_id} due {self.due_date}"


class BillReminder(models.Model):
    """A reminder that was sent. The unique key, not a check-then-insert, keeps the daily job exactly-once
    across reruns and concurrent workers; `run_id` tells a run which rows it inserted itself."""

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="+")
    due_date = models.DateField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    run_id = models.UUIDField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "bill_reminder"
        constraints = [
            models.UniqueConstraint(fields=["bill", "due_date", "user"], name="bill_reminder_once"),
        ]

    def __str__(self):
        return f"reminder bill {self.bill_id} due {self.due_date} → user {self.user_id}"
