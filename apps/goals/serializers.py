from datetime import timedelta

from rest_framework import serializers

from apps.common import clock
from apps.common.fields import AmountField, BoundedDateField, CurrencyField, IdField, MoneyField
from apps.common.serializers import InputSerializer
from apps.goals.models import MILESTONES, Goal, GoalContribution
from apps.households.serializers import HouseholdFilterSerializer, MemberHouseholdField


def _not_in_future(value):
    # No place on Earth is more than 14 hours ahead of UTC.
    if value > (clock.now() + timedelta(hours=14)).date():
        raise serializers.ValidationError("Cannot be in the future.")
    return value


class GoalInputSerializer(InputSerializer):
    household = MemberHouseholdField()
    name = serializers.CharField(max_length=200)
    target_amount = MoneyField()
    currency = CurrencyField(required=False, help_text="ISO 4217; defaults to the household's currency.")
    deadline = BoundedDateField(required=False, allow_null=True, default=None)
    owner = IdField(required=False, allow_null=True, default=None, help_text="User id of a household member.")
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class GoalUpdateSerializer(InputSerializer):
    name = serializers.CharField(max_length=200, required=False)
    target_amount = MoneyField(required=False)
    deadline = BoundedDateField(required=False, allow_null=True)
    owner = IdField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class GoalSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id")
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    target_amount = AmountField()
    current_amount = AmountField()
    progress_percent = serializers.DecimalField(max_digits=None, decimal_places=2)
    status = serializers.SerializerMethodField(
        help_text="achieved (saved ≥ target), overdue (deadline passed, not achieved) or in_progress."
    )
    milestones_reached = serializers.SerializerMethodField(help_text="Milestones (25/50/75/100) announced.")

    class Meta:
        model = Goal
        fields = [
            "id",
            "household",
            "name",
            "target_amount",
            "current_amount",
            "currency",
            "progress_percent",
            "status",
            "milestones_reached",
            "deadline",
            "owner",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_status(self, obj) -> str:
        return obj.status_on(clock.today_in(obj.household.time_zone))

    def get_milestones_reached(self, obj) -> list[int]:
        return sorted(m.milestone for m in obj.milestones.all() if m.milestone in MILESTONES)


class GoalFilterSerializer(HouseholdFilterSerializer):
    achieved = serializers.BooleanField(required=False, allow_null=True, default=None)


class ContributionInputSerializer(InputSerializer):
    amount = MoneyField()
    contributed_on = BoundedDateField(
        required=False,
        validators=[_not_in_future],
        help_text="Defaults to today in the household's time zone.",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ContributionSerializer(serializers.ModelSerializer):
    goal = serializers.IntegerField(source="goal_id")
    household = serializers.IntegerField(source="household_id")
    amount = AmountField(currency_source="goal.currency")
    user = serializers.EmailField(source="user.email", allow_null=True, default=None)

    class Meta:
        model = GoalContribution
        fields = ["id", "goal", "household", "amount", "contributed_on", "user", "note", "created_at"]
        read_only_fields = fields


class ContributionResultSerializer(serializers.Serializer):
    goal = GoalSerializer()
    contribution = ContributionSerializer()
    milestones_crossed = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Milestones this contribution crossed, lowest first (each is recorded once per goal).",
    )
