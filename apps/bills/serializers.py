from datetime import timedelta

from rest_framework import serializers

from apps.bills.models import MAX_REMINDER_DAYS, Bill, BillPayment, Recurrence
from apps.common import clock
from apps.common.fields import AmountField, BoundedDateField, CurrencyField, MoneyField
from apps.common.serializers import InputSerializer
from apps.households.serializers import HouseholdFilterSerializer, MemberHouseholdField


class BillInputSerializer(InputSerializer):
    household = MemberHouseholdField()
    name = serializers.CharField(max_length=200)
    amount = MoneyField()
    currency = CurrencyField(required=False, help_text="ISO 4217; defaults to the household's currency.")
    due_date = BoundedDateField()
    recurrence = serializers.ChoiceField(choices=Recurrence.choices, default=Recurrence.NONE)
    reminder_days_before = serializers.IntegerField(min_value=0, max_value=MAX_REMINDER_DAYS, default=3)
    payee = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class BillUpdateSerializer(InputSerializer):
    name = serializers.CharField(max_length=200, required=False)
    amount = MoneyField(required=False)
    currency = CurrencyField(required=False)
    due_date = BoundedDateField(required=False)
    recurrence = serializers.ChoiceField(choices=Recurrence.choices, required=False)
    reminder_days_before = serializers.IntegerField(min_value=0, max_value=MAX_REMINDER_DAYS, required=False)
    payee = serializers.CharField(max_length=200, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class BillSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id")
    amount = AmountField()

    class Meta:
        model = Bill
        fields = [
            "id",
            "household",
            "name",
            "amount",
            "currency",
            "due_date",
            "recurrence",
            "reminder_days_before",
            "is_paid",
            "paid_at",
            "payee",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class BillFilterSerializer(HouseholdFilterSerializer):
    is_paid = serializers.BooleanField(required=False, allow_null=True, default=None)
    recurrence = serializers.ChoiceField(choices=Recurrence.choices, required=False)
    due_from = BoundedDateField(required=False)
    due_to = BoundedDateField(required=False)


class BillPayInputSerializer(InputSerializer):
    amount = MoneyField(required=False, help_text="Defaults to the bill's amount.")
    paid_on = BoundedDateField(required=False, help_text="Defaults to today in the household's time zone.")
    due_date = BoundedDateField(
        required=False,
        help_text="The occurrence you are paying; if the bill has moved on (already paid), you get 409.",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate_paid_on(self, value):
        # No place on Earth is more than 14 hours ahead of UTC.
        if value > (clock.now() + timedelta(hours=14)).date():
            raise serializers.ValidationError("A payment date cannot be in the future.")
        return value


class BillPaymentSerializer(serializers.ModelSerializer):
    bill = serializers.IntegerField(source="bill_id")
    household = serializers.IntegerField(source="household_id")
    amount = AmountField()
    paid_by = serializers.EmailField(source="paid_by.email", allow_null=True, default=None)

    class Meta:
        model = BillPayment
        fields = ["id", "bill", "household", "amount", "currency", "due_date", "paid_on", "paid_by", "note"]
        read_only_fields = fields


class BillPayResultSerializer(serializers.Serializer):
    bill = BillSerializer()
    payment = BillPaymentSerializer()
