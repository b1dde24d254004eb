from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from apps.common.schema import errors
from apps.common.serializers import CodeField, InputSerializer, validated_body
from apps.common.throttles import EmailRateThrottle, IPRateThrottle, throttle
from apps.users.auth.apis.login import LOGIN_RESPONSE
from apps.users.auth.services.otp import REQUEST_MESSAGE, code_ttl_seconds, otp_request, otp_verify
from apps.users.serializers import login_response_data


class OtpRequestInputSerializer(InputSerializer):
    email = serializers.EmailField(max_length=254)


class OtpVerifyInputSerializer(InputSerializer):
    email = serializers.EmailField(max_length=254)
    code = CodeField(message="OTP code must be exactly 6 digits.")


OtpRequestOutput = inline_serializer(
    "OtpRequestOutput", fields={"message": serializers.CharField(), "expires_in": serializers.IntegerField()}
)


class EmailOTPViewSet(viewsets.GenericViewSet):
    """Passwordless login: POST auth/otp/request/ mails a code, POST auth/otp/verify/ exchanges it."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=OtpRequestInputSerializer,
        responses={200: OtpRequestOutput, **errors(400, 429)},
        tags=["auth"],
        summary="Email a login code (same answer whether or not the address has an account)",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="request",
        throttle_classes=[
            throttle("otp_request_ip", IPRateThrottle),
            throttle("otp_request_email", EmailRateThrottle),
        ],
    )
    def request_otp(self, request):
        data = validated_body(request, OtpRequestInputSerializer)
        otp_request(email=data["email"], request=request)
        return Response({"message": REQUEST_MESSAGE, "expires_in": code_ttl_seconds()})

    @extend_schema(
        request=OtpVerifyInputSerializer,
        responses={200: LOGIN_RESPONSE, **errors(400, 429)},
        tags=["auth"],
        summary="Log in with an emailed code (or get an MFA challenge)",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="verify",
        throttle_classes=[
            throttle("otp_verify_ip", IPRateThrottle),
            throttle("otp_verify_email", EmailRateThrottle),
        ],
    )
    def verify_otp(self, request):
        data = validated_body(request, OtpVerifyInputSerializer)
        result = otp_verify(**data, request=request)
        return Response(login_response_data(result))
