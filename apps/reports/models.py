from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from apps.common.models import BaseModel


class ReportKind(models.TextChoices):
    SUMMARY = "summary", "Bills, payments and goal progress"
    BILLS = "bills", "Bills due and payments"
    GOALS = "goals", "Goal progress"


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Report(BaseModel):
    """A CSV built by a worker. The file lives in `content` (reports are small and household-private, so the
    database's access control and backups cover them; see docs/HOUSEHOLDS.md)."""

    household = models.ForeignKey("households.Household", on_delete=models.CASCADE, related_name="reports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    failure_reason = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    content = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "report"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["household", "-created_at"], name="report_household_time"),
            models.Index(fields=["status", "started_at"], name="report_status_started"),
        ]

    def __str__(self):
        return f"{self.kind} report {self.period_start}..{self.period_end} ({self.status})"

    @property
    def filename(self) -> str:
        return f"kinwise-{self.kind}-{self.household_id}-{self.period_start}-{self.period_end}.csv"
