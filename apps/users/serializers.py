from rest_framework import serializers

from apps.common.serializers import InputSerializer
from apps.users.models import User
from apps.users.validators import password_problems


class UserSerializer(serializers.Serializer):
    """The user in a login response. Declared field by field: a ModelSerializer rebuilds its fields from the
    model on every instantiation, which cost three times as much on every login."""

    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=User.Role.choices, read_only=True)


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "role", "email_verified", "created_at"]
        read_only_fields = ["id", "email", "role", "email_verified", "created_at"]


class MeUpdateSerializer(InputSerializer):
    first_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    last_name = serializers.CharField(max_length=150, allow_blank=True, required=False)


class LoginInputSerializer(InputSerializer):
    email = serializers.CharField(max_length=254, trim_whitespace=True)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class RefreshInputSerializer(InputSerializer):
    refresh = serializers.CharField(max_length=2048)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class LoginOutputSerializer(TokenPairSerializer):
    user = UserSerializer()


class MfaChallengeSerializer(serializers.Serializer):
    mfa_required = serializers.BooleanField()
    mfa_token = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    code = serializers.CharField()


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()


def login_response_data(result) -> dict:
    """The body for a completed first factor: tokens and the user, or the MFA challenge."""
    if result.mfa_token:
        return {"mfa_required": True, "mfa_token": result.mfa_token}
    return {
        "access": result.tokens.access,
        "refresh": result.tokens.refresh,
        "user": UserSerializer(result.user).data,
    }


class NewPasswordSerializer(InputSerializer):
    """new_password + new_password_confirm, checked against every password rule (all failures listed)."""

    new_password = serializers.CharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    new_password_confirm = serializers.CharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )

    def validate_new_password(self, value):
        if problems := password_problems(value, user=self.context.get("user")):
            raise serializers.ValidationError(problems)
        return value

    def validate(self, attrs):
        if attrs["new_password"] != attrs["new_password_confirm"]:
            raise serializers.ValidationError({"new_password_confirm": ["Passwords do not match."]})
        return attrs
