"""TOTP MFA: status, enrol, confirm, disable, new recovery codes (signed in) and the login challenge.

Paths under /api/v1/auth/mfa/: GET "" status, POST totp/ enrol, POST totp/confirm/, POST totp/disable/,
POST recovery-codes/, POST verify/. Enrol, confirm and new recovery codes need a recent reauthentication of
the session (apps.users.auth.permissions); disable takes its proof, a second factor, in the body.
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.schema import errors
from apps.common.serializers import CodeField, InputSerializer, validated_body
from apps.common.throttles import IPRateThrottle, UserRateThrottle, throttle
from apps.users.auth.permissions import REAUTHENTICATION_REQUIRED, RecentlyReauthenticated
from apps.users.mfa.services.mfa import (
    mfa_confirm,
    mfa_disable,
    mfa_enrol,
    mfa_recovery_codes_regenerate,
    mfa_verify,
)
from apps.users.selectors import mfa_status
from apps.users.serializers import LoginOutputSerializer, login_response_data

TOTP_CODE = CodeField(message="Enter the 6-digit code from your app.")


class TotpCodeSerializer(InputSerializer):
    code = TOTP_CODE


class SecondFactorSerializer(InputSerializer):
    """Exactly one of a TOTP code or a recovery code."""

    code = CodeField(required=False)
    recovery_code = serializers.CharField(max_length=32, required=False)

    def validate(self, attrs):
        if ("code" in attrs) == ("recovery_code" in attrs):
            raise serializers.ValidationError("Send either code or recovery_code.")
        return attrs


class MfaVerifyInputSerializer(SecondFactorSerializer):
    mfa_token = serializers.CharField(max_length=128)


MfaStatusOutput = inline_serializer(
    "MfaStatus",
    fields={"enabled": serializers.BooleanField(), "recovery_codes_remaining": serializers.IntegerField()},
)
EnrolOutput = inline_serializer(
    "MfaEnrolment", fields={"secret": serializers.CharField(), "otpauth_uri": serializers.CharField()}
)
RecoveryCodesOutput = inline_serializer(
    "MfaRecoveryCodes", fields={"recovery_codes": serializers.ListField(child=serializers.CharField())}
)
MessageOutput = inline_serializer("MfaMessage", fields={"message": serializers.CharField()})


class _SignedInMfaApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [throttle("mfa_manage_user", UserRateThrottle)]


class _ReauthenticatedMfaApi(_SignedInMfaApi):
    permission_classes = [IsAuthenticated, RecentlyReauthenticated]


class MfaStatusApi(_SignedInMfaApi):
    @extend_schema(responses={200: MfaStatusOutput, **errors(401)}, tags=["mfa"], summary="Is MFA on?")
    def get(self, request):
        return Response(mfa_status(user=request.user))


class TotpEnrolApi(_ReauthenticatedMfaApi):
    @extend_schema(
        request=None,
        responses={201: EnrolOutput, 403: REAUTHENTICATION_REQUIRED, **errors(401, 409, 429)},
        tags=["mfa"],
        summary="Start TOTP enrolment: a new secret and its otpauth:// URI (for a QR code)",
    )
    def post(self, request):
        enrolment = mfa_enrol(user=request.user)
        return Response(
            {"secret": enrolment.secret, "otpauth_uri": enrolment.otpauth_uri}, status=status.HTTP_201_CREATED
        )


class TotpConfirmApi(_ReauthenticatedMfaApi):
    @extend_schema(
        request=TotpCodeSerializer,
        responses={200: RecoveryCodesOutput, 403: REAUTHENTICATION_REQUIRED, **errors(400, 401, 409, 429)},
        tags=["mfa"],
        summary="Turn MFA on with a first code; returns 10 recovery codes, shown only this once",
    )
    def post(self, request):
        data = validated_body(request, TotpCodeSerializer)
        codes = mfa_confirm(user=request.user, code=data["code"], request=request)
        return Response({"recovery_codes": codes})


class TotpDisableApi(_SignedInMfaApi):
    @extend_schema(
        request=SecondFactorSerializer,
        responses={200: MessageOutput, **errors(400, 401, 409, 429)},
        tags=["mfa"],
        summary="Turn MFA off with a TOTP code or a recovery code",
        description="The code in the body is the proof of identity: no reauthentication needed.",
    )
    def post(self, request):
        data = validated_body(request, SecondFactorSerializer)
        mfa_disable(
            user=request.user,
            code=data.get("code"),
            recovery_code=data.get("recovery_code"),
            request=request,
        )
        return Response({"message": "Two-factor authentication is off."})


class RecoveryCodesRegenerateApi(_ReauthenticatedMfaApi):
    @extend_schema(
        request=None,
        responses={200: RecoveryCodesOutput, 403: REAUTHENTICATION_REQUIRED, **errors(401, 409, 429)},
        tags=["mfa"],
        summary="Replace every recovery code with 10 new ones, shown only this once",
        description="The earlier codes stop working. 409 (code mfa_not_enabled) while MFA is off.",
    )
    def post(self, request):
        return Response({"recovery_codes": mfa_recovery_codes_regenerate(user=request.user, request=request)})


class MfaVerifyApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [throttle("mfa_verify_ip", IPRateThrottle)]

    @extend_schema(
        request=MfaVerifyInputSerializer,
        responses={200: LoginOutputSerializer, **errors(400, 401, 429)},
        tags=["auth"],
        summary="Finish a login that answered {mfa_required: true}: the challenge token and a second factor",
    )
    def post(self, request):
        data = validated_body(request, MfaVerifyInputSerializer)
        result = mfa_verify(
            mfa_token=data["mfa_token"],
            code=data.get("code"),
            recovery_code=data.get("recovery_code"),
            request=request,
        )
        return Response(login_response_data(result))
