"""Changing the password of the signed-in account."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.schema import errors
from apps.common.serializers import validated_body
from apps.common.throttles import IPRateThrottle, throttle
from apps.users.auth.authentication import current_session_id
from apps.users.auth.services.passwords import password_change
from apps.users.serializers import NewPasswordSerializer


class PasswordChangeInputSerializer(NewPasswordSerializer):
    current_password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordChangeApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [throttle("password_change_ip", IPRateThrottle)]

    @extend_schema(
        request=PasswordChangeInputSerializer,
        responses={
            200: inline_serializer(
                "PasswordChangedResponse",
                {"message": serializers.CharField(), "sessions_revoked": serializers.IntegerField()},
            ),
            **errors(400, 401, 429),
        },
        tags=["auth"],
        summary="Change your password",
    )
    def post(self, request):
        data = validated_body(request, PasswordChangeInputSerializer, user=request.user)
        revoked = password_change(
            user=request.user,
            current_password=data["current_password"],
            new_password=data["new_password"],
            current_session_id=current_session_id(request),
            request=request,
        )
        return Response({"message": "Password changed.", "sessions_revoked": revoked})
