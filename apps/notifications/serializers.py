from rest_framework import serializers

from apps.common.serializers import InputSerializer, StrictFieldsMixin
from apps.households.serializers import HouseholdFilterSerializer
from apps.notifications.models import Notification, NotificationKind


class NotificationSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", allow_null=True)
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "household", "is_read", "read_at", "created_at"]
        read_only_fields = fields

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None


class NotificationFilterSerializer(HouseholdFilterSerializer):
    unread = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: only unread; false: only read."
    )
    kind = serializers.ChoiceField(choices=NotificationKind.choices, required=False)


class MarkAllReadInputSerializer(StrictFieldsMixin, HouseholdFilterSerializer):
    pass


class MarkAllReadResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text="How many notifications were marked read.")


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    email = serializers.BooleanField()
    in_app = serializers.BooleanField()


class PreferenceUpdateSerializer(InputSerializer):
    email = serializers.BooleanField(required=False)
    in_app = serializers.BooleanField(required=False)
