from rest_framework import serializers

from apps.common.currencies import DEFAULT_CURRENCY
from apps.common.fields import CurrencyField, IdField, TimeZoneField
from apps.common.serializers import InputSerializer
from apps.common.validation import ID_MAX
from apps.households.models import INVITE_ROLE_CHOICES, HouseholdInvite, Membership, Role


class HouseholdInputSerializer(InputSerializer):
    name = serializers.CharField(max_length=150)
    time_zone = TimeZoneField(required=False, default="UTC")
    currency = CurrencyField(required=False, default=DEFAULT_CURRENCY)


class HouseholdUpdateSerializer(InputSerializer):
    name = serializers.CharField(max_length=150, required=False)
    time_zone = TimeZoneField(required=False)
    currency = CurrencyField(required=False)


class HouseholdSerializer(serializers.Serializer):
    """A household as seen by one member (built from that member's Membership)."""

    id = serializers.IntegerField(source="household.id")
    name = serializers.CharField(source="household.name")
    time_zone = serializers.CharField(source="household.time_zone")
    currency = serializers.CharField(source="household.currency")
    role = serializers.ChoiceField(choices=Role.choices, help_text="Your role in this household.")
    created_at = serializers.DateTimeField(source="household.created_at")


class MemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField()
    email = serializers.EmailField(source="user.email")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    joined_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Membership
        fields = ["user_id", "email", "first_name", "last_name", "role", "joined_at"]


class RoleInputSerializer(InputSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InviteInputSerializer(InputSerializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=INVITE_ROLE_CHOICES, default=Role.MEMBER, required=False)


class InviteSerializer(serializers.ModelSerializer):
    invited_by = serializers.EmailField(source="invited_by.email", allow_null=True, default=None)

    class Meta:
        model = HouseholdInvite
        fields = ["id", "email", "role", "invited_by", "expires_at", "created_at"]


class InviteAcceptSerializer(InputSerializer):
    token = serializers.CharField(max_length=200, trim_whitespace=True)


class MemberHouseholdField(IdField):
    """A household id the requesting user is a member of. Unknown and foreign ids get the same message."""

    default_error_messages = {"not_found": "Household not found."}

    def to_internal_value(self, data) -> int:
        value = super().to_internal_value(data)
        user = self.context["request"].user
        if not 1 <= value <= ID_MAX:  # validators run after this method; keep absurd ids from the database
            self.fail("not_found")
        if not Membership.objects.filter(user_id=user.pk, household_id=value).exists():
            self.fail("not_found")
        return value


class HouseholdFilterSerializer(serializers.Serializer):
    """`?household=<id>`: narrows a list to one household (a household you are not in gives an empty list)."""

    household = IdField(required=False)
