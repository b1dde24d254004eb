from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.common.models import BaseModel


class NotificationKind(models.TextChoices):
    BILL_REMINDER = "bill_reminder", "Bill reminder"
    GOAL_MILESTONE = "goal_milestone", "Goal milestone"
    REPORT_READY = "report_ready", "Report ready"


# Channels a kind uses until the user says otherwise: (email, in_app).
DEFAULT_CHANNELS: dict[str, tuple[bool, bool]] = {
    NotificationKind.BILL_REMINDER: (True, True),
    NotificationKind.GOAL_MILESTONE: (True, True),
    NotificationKind.REPORT_READY: (False, True),
}


class Notification(BaseModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    household = models.ForeignKey(
        "households.Household", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True, help_text="Path in the web app, e.g. /bills/12")
    read_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(
        max_length=200, null=True, blank=True, unique=True, help_text="One notification per event and user."
    )

    class Meta:
        db_table = "notification"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_time"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_user_unread"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.user_id}: {self.title}"


class NotificationPreference(BaseModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    email = models.BooleanField()
    in_app = models.BooleanField()

    class Meta:
        db_table = "notification_preference"
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self):
        return f"{self.user_id} {self.kind}: email={self.email} in_app={self.in_app}"
