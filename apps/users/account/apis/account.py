"""The signed-in account: read it, rename it, delete it (DELETE /auth/me/)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.schema import BodyOnDeleteSchema, errors
from apps.common.serializers import CodeField, InputSerializer, validated_body
from apps.common.throttles import UserRateThrottle, throttle
from apps.users.account.services.account import account_delete, user_profile_update
from apps.users.auth.authentication import current_session_id
from apps.users.auth.permissions import REAUTHENTICATION_REQUIRED
from apps.users.serializers import (
    MeSerializer,
    MeUpdateSerializer,
)


class AccountDeleteInputSerializer(InputSerializer):
    """The current password, or (for a user with MFA on) a code from the authenticator app. Both may be left
    out when this session reauthenticated within REAUTHENTICATION_MINUTES (or just signed in)."""

    password = serializers.CharField(
        max_length=128, trim_whitespace=False, required=False, style={"input_type": "password"}
    )
    code = CodeField(required=False, help_text="A current TOTP code; only when MFA is on.")


class MeApi(APIView):
    permission_classes = [IsAuthenticated]
    schema = BodyOnDeleteSchema()

    def get_throttles(self):
        if self.request.method == "DELETE":
            return [throttle("account_delete_user", UserRateThrottle)()]
        return super().get_throttles()

    @extend_schema(responses={200: MeSerializer, **errors(401)}, tags=["auth"], summary="The current user")
    def get(self, request):
        return Response(MeSerializer(request.user).data)

    @extend_schema(
        request=MeUpdateSerializer,
        responses={200: MeSerializer, **errors(400, 401)},
        tags=["auth"],
        summary="Update your name (email and role are not editable here)",
    )
    def patch(self, request):
        data = MeUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = user_profile_update(user=request.user, data=data.validated_data, request=request)
        return Response(MeSerializer(user).data, status=status.HTTP_200_OK)

    @extend_schema(
        request=AccountDeleteInputSerializer,
        responses={204: None, 403: REAUTHENTICATION_REQUIRED, **errors(400, 401, 409, 429)},
        tags=["auth"],
        summary="Delete your account",
        description=(
            "Needs the current password, or with MFA on a TOTP code (400 with code wrong_password, "
            "invalid_mfa_code or mfa_not_enabled otherwise; 429 while TOTP is paused), or neither when this "
            "session reauthenticated recently (403 reauthentication_required otherwise). The account is "
            "deactivated at once, every session is signed out, and personal data is erased or anonymised; "
            "households you alone belong to are deleted with it. 409 (code last_owner, with `households`) "
            "while you are the only owner of a household that other people belong to: make one of them an "
            "owner, or delete the household, first. 409 (code deletion_retry): nothing was changed, try "
            "again (the anonymised address collided five times; practically never)."
        ),
    )
    def delete(self, request):
        data = validated_body(request, AccountDeleteInputSerializer)
        account_delete(
            user=request.user,
            password=data.get("password"),
            code=data.get("code"),
            session_id=current_session_id(request),
            request=request,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
