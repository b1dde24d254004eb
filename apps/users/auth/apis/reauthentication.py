"""Reauthentication (signed in): give a fresh proof of identity on this session before a sensitive change.

Paths under /api/v1/auth/reauthenticate/: POST password/, POST email-code/request/, POST email-code/,
POST mfa/.
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.schema import errors
from apps.common.serializers import InputSerializer, validated_body
from apps.common.throttles import UserRateThrottle, throttle
from apps.users.auth.authentication import current_session_id
from apps.users.auth.services.reauthentication import (
    reauthenticate_email_code,
    reauthenticate_mfa,
    reauthenticate_password,
    reauthentication_code_request,
    reauthentication_window,
)
from apps.users.mfa.apis.mfa import SecondFactorSerializer
from apps.users.models import REAUTHENTICATION_CODE_LIFETIME

CODE_SENT = "We sent a confirmation code to your email address."


class PasswordInputSerializer(InputSerializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class EmailCodeInputSerializer(InputSerializer):
    code = serializers.CharField(max_length=32, help_text="The 6-digit code from the email.")


ReauthenticatedOutput = inline_serializer(
    "Reauthenticated",
    fields={
        "reauthenticated_until": serializers.DateTimeField(
            help_text="Until when this session may make sensitive changes."
        ),
        "expires_in": serializers.IntegerField(help_text="Seconds from now until then."),
    },
)
CodeSentOutput = inline_serializer(
    "ReauthenticationCodeSent",
    fields={
        "message": serializers.CharField(),
        "expires_in": serializers.IntegerField(help_text="Seconds the emailed code stays valid."),
    },
)


def _reauthenticated(until):
    return Response(
        {"reauthenticated_until": until, "expires_in": int(reauthentication_window().total_seconds())}
    )


class _ReauthenticateApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [throttle("reauthenticate_user", UserRateThrottle)]


class ReauthenticatePasswordApi(_ReauthenticateApi):
    @extend_schema(
        request=PasswordInputSerializer,
        responses={200: ReauthenticatedOutput, **errors(400, 401, 429)},
        tags=["auth"],
        summary="Reauthenticate this session with the password",
        description="400 with code wrong_password when it is wrong; audited.",
    )
    def post(self, request):
        data = validated_body(request, PasswordInputSerializer)
        until = reauthenticate_password(
            user=request.user,
            session_id=current_session_id(request),
            password=data["password"],
            request=request,
        )
        return _reauthenticated(until)


class ReauthenticationCodeRequestApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [throttle("reauthentication_code_user", UserRateThrottle)]

    @extend_schema(
        request=None,
        responses={200: CodeSentOutput, **errors(401, 429)},
        tags=["auth"],
        summary="Email a 6-digit code that reauthenticates this session",
        description=(
            "The code works only on this session and replaces any earlier one of the account. 429 while the "
            "account's code budget is spent."
        ),
    )
    def post(self, request):
        reauthentication_code_request(
            user=request.user, session_id=current_session_id(request), request=request
        )
        return Response(
            {"message": CODE_SENT, "expires_in": int(REAUTHENTICATION_CODE_LIFETIME.total_seconds())}
        )


class ReauthenticateEmailCodeApi(_ReauthenticateApi):
    @extend_schema(
        request=EmailCodeInputSerializer,
        responses={200: ReauthenticatedOutput, **errors(400, 401, 429)},
        tags=["auth"],
        summary="Reauthenticate this session with the emailed code",
        description=(
            "400 with code invalid_code (wrong, past its 5 tries, or asked for by another session) or "
            "expired. Wrong codes count against the account's daily budget; 429 once it is spent."
        ),
    )
    def post(self, request):
        data = validated_body(request, EmailCodeInputSerializer)
        until = reauthenticate_email_code(
            user=request.user,
            session_id=current_session_id(request),
            code=data["code"],
            request=request,
        )
        return _reauthenticated(until)


class ReauthenticateMfaApi(_ReauthenticateApi):
    @extend_schema(
        request=SecondFactorSerializer,
        responses={200: ReauthenticatedOutput, **errors(400, 401, 429)},
        tags=["auth"],
        summary="Reauthenticate this session with a TOTP code or a recovery code (MFA on)",
        description=(
            "400 with code invalid_mfa_code or mfa_not_enabled. The code is spent as at login; wrong TOTP "
            "codes count against the account's TOTP budget (429 while paused)."
        ),
    )
    def post(self, request):
        data = validated_body(request, SecondFactorSerializer)
        until = reauthenticate_mfa(
            user=request.user,
            session_id=current_session_id(request),
            code=data.get("code"),
            recovery_code=data.get("recovery_code"),
            request=request,
        )
        return _reauthenticated(until)
