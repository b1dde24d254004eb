"""Email verification: by the link token or by email + code, and resending the email."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.schema import ErrorBody, errors
from apps.common.serializers import InputSerializer, validated_body
from apps.common.throttles import EmailRateThrottle, IPRateThrottle, throttle
from apps.users.account.services.verification import (
    VerificationResult,
    email_verify_code,
    email_verify_token,
    verification_resend,
)

VERIFIED = "Email verified successfully"
ALREADY_VERIFIED = "Email already verified"
RESENT = "If an unverified account exists for this email, a new verification email has been sent."


class VerifyEmailInputSerializer(InputSerializer):
    """Either `token` (from the link) or `email` + `code` (from the same email). Shapes are checked by the
    service, so every refusal answers {error, code}."""

    token = serializers.CharField(required=False)
    email = serializers.CharField(required=False)
    code = serializers.CharField(required=False, help_text="The 6-digit code from the email.")


class VerifiedUserSerializer(serializers.Serializer):
    email = serializers.EmailField()
    is_active = serializers.BooleanField()


class VerifyEmailOutputSerializer(serializers.Serializer):
    message = serializers.CharField()
    user = VerifiedUserSerializer(required=False, help_text="Absent when the email was already verified.")


class MessageOutputSerializer(serializers.Serializer):
    message = serializers.CharField()


class ResendInputSerializer(InputSerializer):
    email = serializers.EmailField(max_length=254)


VERIFY_REFUSED = OpenApiResponse(
    ErrorBody,
    description=(
        "Refused, with `code`: token_required, invalid_token, invalid_code, expired, replaced, "
        "too_many_attempts. Never a field error."
    ),
)


def _verification_body(result: VerificationResult) -> dict:
    if result.already_verified:
        return {"message": ALREADY_VERIFIED}
    return {"message": VERIFIED, "user": {"email": result.user.email, "is_active": result.user.is_active}}


class VerifyEmailApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [
        throttle("verify_email_ip", IPRateThrottle),
        throttle("verify_email_email", EmailRateThrottle),
    ]

    @extend_schema(
        parameters=[OpenApiParameter("token", str, required=True, description="The token from the link.")],
        responses={200: VerifyEmailOutputSerializer, 400: VERIFY_REFUSED, **errors(429)},
        tags=["auth"],
        summary="Verify an email with the link's token",
    )
    def get(self, request):
        result = email_verify_token(token=request.query_params.get("token"), request=request)
        return Response(_verification_body(result))

    @extend_schema(
        request=VerifyEmailInputSerializer,
        responses={200: VerifyEmailOutputSerializer, 400: VERIFY_REFUSED, **errors(429)},
        tags=["auth"],
        summary="Verify an email with the link's token, or with the email address and the 6-digit code",
        examples=[
            OpenApiExample("Link token", value={"token": "…"}, request_only=True),
            OpenApiExample("Code", value={"email": "ann@example.com", "code": "123456"}, request_only=True),
        ],
    )
    def post(self, request):
        data = request.data if hasattr(request.data, "get") else {}
        if "token" in data:
            result = email_verify_token(token=data.get("token"), request=request)
        elif "email" in data or "code" in data:
            result = email_verify_code(email=data.get("email"), code=data.get("code"), request=request)
        else:
            result = email_verify_token(token=None, request=request)
        return Response(_verification_body(result))


class ResendVerificationApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [
        throttle("resend_verification_ip", IPRateThrottle),
        throttle("resend_verification_email", EmailRateThrottle),
    ]

    @extend_schema(
        request=ResendInputSerializer,
        responses={200: MessageOutputSerializer, **errors(400, 429)},
        tags=["auth"],
        summary="Resend the verification email (same answer whether or not the account exists)",
    )
    def post(self, request):
        data = validated_body(request, ResendInputSerializer)
        verification_resend(email=data["email"], request=request)
        return Response({"message": RESENT})
