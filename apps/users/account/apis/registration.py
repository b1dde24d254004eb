"""Registration: a new, unverified account and its verification email."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.schema import errors
from apps.common.serializers import InputSerializer, validated_body
from apps.common.throttles import IPRateThrottle, throttle
from apps.users.account.services.registration import user_register
from apps.users.models import User, normalize_email
from apps.users.validators import password_problems, validate_not_special_use

REGISTERED = "Registration successful. Please check your email to verify your account."


class RegisterInputSerializer(InputSerializer):
    email = serializers.EmailField(
        max_length=254,
        validators=[validate_not_special_use],
        help_text="Trimmed and lower-cased before use. Special-use domains (.invalid, .test, .localhost, "
        ".example, …) are refused.",
    )
    password = serializers.CharField(
        max_length=128,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="At least 8 characters, with an upper-case letter, a lower-case letter and a digit.",
    )
    password_confirm = serializers.CharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")

    def validate_email(self, value: str) -> str:
        return normalize_email(value)

    def validate(self, data):
        """Every failing password rule and a mismatch are reported together."""
        errors = {}
        if data["password"] != data["password_confirm"]:
            errors["password_confirm"] = ["Passwords do not match."]
        candidate = User(email=data["email"], first_name=data["first_name"], last_name=data["last_name"])
        if problems := password_problems(data["password"], user=candidate):
            errors["password"] = problems
        if errors:
            raise serializers.ValidationError(errors)
        return data


class RegisterOutputSerializer(serializers.Serializer):
    message = serializers.CharField()
    email = serializers.EmailField()
    user_id = serializers.IntegerField(
        allow_null=True, help_text="Null for every registration when ACCOUNT_PREVENT_ENUMERATION is on."
    )


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [throttle("register_ip", IPRateThrottle)]

    @extend_schema(
        request=RegisterInputSerializer,
        responses={201: RegisterOutputSerializer, **errors(400, 429)},
        tags=["auth"],
        summary="Register: creates an inactive account and emails a verification link and code",
        description=(
            "400 lists field errors: `email` (invalid, or already registered unless "
            "ACCOUNT_PREVENT_ENUMERATION is on), `password` (every failing rule), `password_confirm`."
        ),
    )
    def post(self, request):
        values = validated_body(request, RegisterInputSerializer)
        result = user_register(
            email=values["email"],
            password=values["password"],
            first_name=values["first_name"],
            last_name=values["last_name"],
            request=request,
        )
        shown = None if settings.ACCOUNT_PREVENT_ENUMERATION else result.user
        return Response(
            {"message": REGISTERED, "email": result.email, "user_id": shown.pk if shown else None},
            status=status.HTTP_201_CREATED,
        )
