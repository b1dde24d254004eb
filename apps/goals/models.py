from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.common.models import BaseModel, money_field
from apps.households.models import HouseholdItem

MILESTONES = (25, 50, 75, 100)


class GoalStatus(models.TextChoices):
    """Derived, never stored (docs/HOUSEHOLDS.md has the transitions)."""

    IN_PROGRESS = "in_progress", "In progress"
    OVERDUE = "overdue", "Deadline passed"
    ACHIEVED = "achieved", "Achieved"


class Goal(HouseholdItem):
    household = models.ForeignKey("households.Household", on_delete=models.CASCADE, related_name="goals")
    target_amount = money_field()
    current_amount = money_field(
        validators=[],
        default=Decimal("0.00"),
        help_text="Sum of contributions; only ever changed by one atomic UPDATE.",
    )
    deadline = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Optional: the member this goal belongs to; milestones then notify only them.",
    )

    class Meta:
        db_table = "goal"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["household", "deadline"], name="goal_household_deadline")]
        constraints = [
            models.CheckConstraint(condition=Q(target_amount__gt=0), name="goal_target_positive"),
            models.CheckConstraint(condition=Q(current_amount__gte=0), name="goal_current_not_negative"),
        ]

    def __str__(self):
        return f"{self.name} ({self.current_amount}/{self.target_amount} {self.currency})"

    def status_on(self, today: date) -> str:
        if self.current_amount >= self.target_amount:
            return GoalStatus.ACHIEVED
        if self.deadline is not None and self.deadline < today:
            return GoalStatus.OVERDUE
        return GoalStatus.IN_PROGRESS

    @property
    def progress_percent(self) -> Decimal:
        return (self.current_amount * 100 / self.target_amount).quantize(Decimal("0.01"))


class GoalContribution(BaseModel):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="contributions")
    household = models.ForeignKey("households.Household", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    amount = money_field()
    contributed_on = models.DateField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        db_table = "goal_contribution"
        ordering = ["-contributed_on", "-id"]
        indexes = [models.Index(fields=["household", "contributed_on"], name="goal_contrib_household_date")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="goal_contribution_positive")]

    def __str__(self):
        return f"{self.amount} to goal {self.goal_id} on {self.contributed_on}"


class GoalMilestoneReached(models.Model):
    """A milestone that was announced. Unique per (goal, milestone): the milestone job's exactly-once key."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    milestone = models.PositiveSmallIntegerField(choices=[(m, f"{m}%") for m in MILESTONES])
    run_id = models.UUIDField(db_index=True)
    reached_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "goal_milestone"
        ordering = ["goal_id", "milestone"]
        constraints = [models.UniqueConstraint(fields=["goal", "milestone"], name="goal_milestone_once")]

    def __str__(self):
        return f"goal {self.goal_id} reached {self.milestone}%"
