"""Forgotten password: ask for an email, then confirm with its link or its code."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.schema import ErrorBody, errors
from apps.common.serializers import InputSerializer, validated_body
from apps.common.throttles import EmailRateThrottle, IPRateThrottle, throttle
from apps.users.account.services.password_reset import (
    REQUEST_MESSAGE,
    password_reset_confirm_code,
    password_reset_confirm_token,
    password_reset_request,
)
from apps.users.models import PASSWORD_RESET_LIFETIME
from apps.users.serializers import MessageSerializer, NewPasswordSerializer

RESET_DONE = "Your password has been reset. Sign in with your new password."


class PasswordResetInputSerializer(InputSerializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetOutputSerializer(serializers.Serializer):
    message = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds the emailed link and code stay valid.")


class PasswordResetConfirmInputSerializer(NewPasswordSerializer):
    """Either `token` (from the link) or `email` + `code` (from the same email), plus the new password."""

    token = serializers.CharField(required=False, max_length=512)
    email = serializers.CharField(required=False, max_length=254)
    code = serializers.CharField(required=False, max_length=32, help_text="The 6-digit code from the email.")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if not attrs.get("token") and not (attrs.get("email") and attrs.get("code")):
            raise serializers.ValidationError(
                {"non_field_errors": ["Send the token from the link, or the email address and the code."]}
            )
        return attrs


RESET_REFUSED = OpenApiResponse(
    ErrorBody,
    description=(
        "Field errors (`new_password`: every failing rule, `new_password_confirm`, `non_field_errors`), or a "
        "refusal with `code`: invalid_token (unknown, used or replaced link), invalid_code (unknown address, "
        "wrong code, or a code past its 5 tries: all answered alike), expired."
    ),
)


class PasswordResetApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [
        throttle("password_reset_ip", IPRateThrottle),
        throttle("password_reset_email", EmailRateThrottle),
    ]

    @extend_schema(
        request=PasswordResetInputSerializer,
        responses={200: PasswordResetOutputSerializer, **errors(400, 429)},
        tags=["auth"],
        summary="Forgot password: email a reset link and code (same answer for any address)",
    )
    def post(self, request):
        data = validated_body(request, PasswordResetInputSerializer)
        password_reset_request(email=data["email"], request=request)
        return Response(
            {"message": REQUEST_MESSAGE, "expires_in": int(PASSWORD_RESET_LIFETIME.total_seconds())}
        )


class PasswordResetConfirmApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [
        throttle("password_reset_confirm_ip", IPRateThrottle),
        throttle("password_reset_confirm_email", EmailRateThrottle),
    ]

    @extend_schema(
        request=PasswordResetConfirmInputSerializer,
        responses={200: MessageSerializer, 400: RESET_REFUSED, **errors(429)},
        tags=["auth"],
        summary="Set a new password with the emailed link's token, or with the email address and code",
        description="Signs out every session of the account. The emailed link and code work once.",
        examples=[
            OpenApiExample(
                "Link token",
                value={"token": "…", "new_password": "…", "new_password_confirm": "…"},
                request_only=True,
            ),
            OpenApiExample(
                "Code",
                value={
                    "email": "ann@example.com",
                    "code": "123456",
                    "new_password": "…",
                    "new_password_confirm": "…",
                },
                request_only=True,
            ),
        ],
    )
    def post(self, request):
        values = validated_body(request, PasswordResetConfirmInputSerializer)
        if values.get("token"):
            password_reset_confirm_token(
                token=values["token"], new_password=values["new_password"], request=request
            )
        else:
            password_reset_confirm_code(
                email=values["email"],
                code=values["code"],
                new_password=values["new_password"],
                request=request,
            )
        return Response({"message": RESET_DONE})
